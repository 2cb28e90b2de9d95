import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Db } from '../../storage/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { ConversationWorkOrderIntake, type WorkOrderIntake } from './intake.ts';
import { NotificationService } from './notifications.ts';
import { PgWorkOrderRepository } from './pg-work-order-repository.ts';
import { WorkOrderService } from './work-order-service.ts';

export { agentChannel } from './notifications.ts';
export type { WorkOrderIntake } from './intake.ts';

export type WorkOrdersModule = { service: WorkOrderService; notifications: NotificationService; intake: WorkOrderIntake };

/** Wires the work-orders module (compose.ts calls this once). */
export function createWorkOrders(d: { db: Db; cipher: FieldCipher; audit: AuditLog; clock: Clock; coordination: Coordination; events: EventBus; logger: Logger }): WorkOrdersModule {
  const repo = new PgWorkOrderRepository(d.db);
  const notifications = new NotificationService({ repo, coordination: d.coordination, clock: d.clock, logger: d.logger });
  const service = new WorkOrderService({ repo, cipher: d.cipher, audit: d.audit, clock: d.clock, events: d.events, notifications, logger: d.logger });
  return { service, notifications, intake: new ConversationWorkOrderIntake(service) };
}
