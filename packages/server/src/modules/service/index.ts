import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Db } from '../../storage/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { OutboundRegistry } from '../channels/core/outbound.ts';
import type { ContactService } from '../contacts/contact-service.ts';
import { EV, type ConversationService } from '../conversations/conversation-service.ts';
import type { BotModelRegistry } from '../robot/bot-model-registry.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import { ServiceDirectory } from './directory.ts';
import { ServiceNotifier } from './notifier.ts';
import { PgServiceRepository } from './pg-service-repository.ts';
import { PresenceService } from './presence.ts';
import { ServiceRouter, type ServiceTimings } from './router.ts';
import { ServiceDesk } from './service-desk.ts';
import type { ServiceRepository } from './service-repository.ts';
import { unavailableWorkOrderIntake, type WorkOrderIntake } from './work-order-intake.ts';

export type { WorkOrderIntake } from './work-order-intake.ts';
export { agentChannel } from './notifier.ts';

export type ServiceOptions = ServiceTimings & { presenceTtlMs: number; idleMs: number };

export type ServiceModule = {
  repo: ServiceRepository;
  directory: ServiceDirectory;
  presence: PresenceService;
  router: ServiceRouter;
  desk: ServiceDesk;
  notifier: ServiceNotifier;
  options: ServiceOptions;
  /** Leave-a-message goes to work orders (compose.ts gives the work-orders module's intake). */
  setWorkOrderIntake(intake: WorkOrderIntake): void;
  /** Replies outside a customer's turn reach WeChat, SMS, app push… through the channels' outbound registry. */
  setOutbound(outbound: OutboundRegistry): void;
  /** The periodic sweep (routing, vanished agents, customers gone, repairs); serving processes only. */
  start(): void;
  stop(): Promise<void>;
};

/** The human service (issue 5, docs/HUMAN-SERVICE.md): skill groups, agents & presence, queues & routing, the desk. */
export function createService(d: {
  db: Db; coordination: Coordination; events: EventBus; conversations: ConversationService; contacts: ContactService; models: BotModelRegistry;
  tenancy: TenancyService; auth: AuthService; audit: AuditLog; clock: Clock; logger: Logger; options: ServiceOptions;
}): ServiceModule {
  const repo = new PgServiceRepository(d.db);
  const directory = new ServiceDirectory({ repo, auth: d.auth, audit: d.audit });
  const presence = new PresenceService(d.coordination, d.clock, { ttlMs: d.options.presenceTtlMs, idleMs: d.options.idleMs });
  const notifier = new ServiceNotifier({ coordination: d.coordination, conversations: d.conversations, repo, logger: d.logger });
  const router = new ServiceRouter({
    repo, directory, presence, notifier, conversations: d.conversations, coordination: d.coordination, models: d.models, clock: d.clock, logger: d.logger,
    timings: d.options,
  });
  let intake: WorkOrderIntake = unavailableWorkOrderIntake;
  const desk = new ServiceDesk({
    repo, directory, presence, router, notifier, conversations: d.conversations, contacts: d.contacts, models: d.models, tenancy: d.tenancy,
    audit: d.audit, coordination: d.coordination, clock: d.clock, logger: d.logger, intake: () => intake,
  });
  // Every node queues the hand-offs it recorded; a node dying before that is repaired by the sweep (orphans).
  const off = d.events.on(EV.handoff, (e) => router.onHandoff(e));
  return {
    repo, directory, presence, router, desk, notifier, options: d.options,
    setWorkOrderIntake(i) { intake = i; },
    setOutbound(o) { notifier.setOutbound(o); },
    start() { router.start(); },
    async stop() {
      off();
      await router.stop();
    },
  };
}
