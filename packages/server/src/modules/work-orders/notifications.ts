import type { AgentServerMessage } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notification, WorkOrderRepository } from './work-order-repository.ts';

/**
 * The coordination channel of one agent: whatever node holds the agent's workbench socket subscribes to it and
 * forwards each message as an AgentServerMessage (docs/HUMAN-SERVICE.md).
 */
export const agentChannel = (tenantId: string, userId: string) => `agent:${tenantId}:${userId}`;

export type NotificationView = { id: string; kind: string; refId: string; title: string; createdAt: Date; readAt: Date | null };
const view = ({ tenantId: _t, userId: _u, ...n }: Notification): NotificationView => n;

type Deps = { repo: WorkOrderRepository; coordination: Coordination; clock: Clock; logger: Logger };

/**
 * Staff notifications: stored (an agent who is offline sees them later, and marks them read) and published live on
 * the agent's channel. The live copy is best effort: the stored row is the truth.
 */
export class NotificationService {
  constructor(private d: Deps) {}

  async notifyWorkOrder(tenantId: string, userId: string, workOrder: { id: string; title: string }): Promise<Notification> {
    const n: Notification = { id: newId('nt'), tenantId, userId, kind: 'work_order', refId: workOrder.id, title: workOrder.title, createdAt: this.d.clock.now(), readAt: null };
    await this.d.repo.addNotification(n);
    const msg: AgentServerMessage = { type: 'notification', kind: 'work_order', id: workOrder.id, title: workOrder.title, at: n.createdAt.toISOString() };
    try {
      await this.d.coordination.publish(agentChannel(tenantId, userId), msg);
    } catch (err) {
      this.d.logger.warn({ err, notification: n.id }, 'live notification not published (stored for later)');
    }
    return n;
  }

  private who(p: { tenantId: string; userId?: string }): string {
    if (!p.userId) throw new AppError('forbidden', 'notifications belong to signed-in users, not API keys');
    return p.userId;
  }

  async list(p: { tenantId: string; userId?: string }, opts: { unreadOnly: boolean; limit: number }) {
    const r = await this.d.repo.listNotifications(p.tenantId, this.who(p), opts);
    return { items: r.items.map(view), unread: r.unread };
  }

  async markRead(p: { tenantId: string; userId?: string }, id: string): Promise<NotificationView> {
    const n = await this.d.repo.markNotificationRead(p.tenantId, this.who(p), id, this.d.clock.now());
    if (!n) throw notFound('notification');
    return view(n);
  }

  async markAllRead(p: { tenantId: string; userId?: string }): Promise<number> {
    return this.d.repo.markAllNotificationsRead(p.tenantId, this.who(p), this.d.clock.now());
  }
}
