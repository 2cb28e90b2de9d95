import type { Clock } from '../../platform/clock.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent, EventBus } from '../../platform/event-bus.ts';
import { newId, newToken } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { DOMAIN_TO_WEBHOOK, WebhookEventData, type WebhookEnvelope, type WebhookEventType } from './events.ts';
import { assertTargetUrl } from './url-guard.ts';
import type { DeliveryStatus, WebhookRepository, WebhookSubscription } from './webhook-repository.ts';

export type Actor = { tenantId: string; actor: string };
export type SubscriptionInput = { url: string; events: WebhookEventType[]; secret?: string; description?: string | null; active?: boolean };

/**
 * Outgoing webhooks: tenants subscribe URLs to conversation events; every event becomes one durable delivery per
 * subscription (webhook_deliveries), which the dispatcher sends with retries. Secrets are write-only: stored
 * encrypted, shown once when generated, never returned afterwards.
 */
export class WebhookService {
  private offs: (() => void)[] = [];

  constructor(private d: { repo: WebhookRepository; cipher: FieldCipher; audit: AuditLog; clock: Clock; logger: Logger; allowPrivateNetworks?: boolean }) {}

  /** Turns domain events into deliveries. Runs after the event's transaction committed (the bus is post-commit). */
  listen(bus: EventBus) {
    for (const domainType of Object.keys(DOMAIN_TO_WEBHOOK)) {
      this.offs.push(bus.on(domainType, async (e) => { await this.onDomainEvent(e); }));
    }
  }

  stop() {
    for (const off of this.offs.splice(0)) off();
  }

  async onDomainEvent(e: DomainEvent): Promise<number> {
    const map = DOMAIN_TO_WEBHOOK[e.type];
    if (!map) return 0;
    return this.publish(e.tenantId, map.type, map.data(e));
  }

  /** Queues an event for every subscriber. For modules that have no domain event yet (agent desk, ratings). */
  async publish(tenantId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<number> {
    const parsed = WebhookEventData[type].safeParse(data);
    if (!parsed.success) {
      this.d.logger.warn({ type, issues: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`) }, 'webhook event with a malformed payload dropped');
      return 0;
    }
    const subs = await this.d.repo.subscribersOf(tenantId, type);
    if (!subs.length) return 0;
    const envelope: WebhookEnvelope = { id: newId('evt'), type, createdAt: this.d.clock.now().toISOString(), tenantId, data: parsed.data as Record<string, unknown> };
    return this.d.repo.enqueue(tenantId, subs.map((s) => ({ id: newId('whd'), subscriptionId: s.id, eventId: envelope.id, eventType: type, payload: envelope })));
  }

  list(p: Actor) {
    return this.d.repo.listSubscriptions(p.tenantId);
  }

  async get(p: Actor, id: string) {
    const s = await this.d.repo.getSubscription(p.tenantId, id);
    if (!s) throw new AppError('not_found', 'webhook subscription not found');
    return s;
  }

  /** Returns the secret only when this call generated it (the caller shows it once). */
  async create(p: Actor, input: SubscriptionInput): Promise<{ subscription: WebhookSubscription; secret?: string }> {
    assertTargetUrl(input.url, !!this.d.allowPrivateNetworks);
    const generated = input.secret ? undefined : `whsec_${newToken(24)}`;
    const secret = input.secret ?? generated!;
    const s = await this.d.repo.insertSubscription({
      id: newId('wh'), tenantId: p.tenantId, url: input.url, description: input.description ?? null,
      events: [...new Set(input.events)], active: input.active ?? true, secretEnc: this.d.cipher.encrypt(secret),
    });
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'webhook.create', target: s.id, details: { url: s.url, events: s.events } });
    return { subscription: s, ...(generated ? { secret: generated } : {}) };
  }

  async update(p: Actor, id: string, patch: Partial<SubscriptionInput>) {
    if (patch.url) assertTargetUrl(patch.url, !!this.d.allowPrivateNetworks);
    const s = await this.d.repo.updateSubscription(p.tenantId, id, {
      url: patch.url, description: patch.description, events: patch.events && [...new Set(patch.events)], active: patch.active,
      secretEnc: patch.secret ? this.d.cipher.encrypt(patch.secret) : undefined,
    });
    if (!s) throw new AppError('not_found', 'webhook subscription not found');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'webhook.update', target: id, details: { fields: Object.keys(patch).map((k) => (k === 'secret' ? 'secret(rotated)' : k)) } });
    return s;
  }

  async remove(p: Actor, id: string) {
    if (!(await this.d.repo.deleteSubscription(p.tenantId, id))) throw new AppError('not_found', 'webhook subscription not found');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'webhook.delete', target: id });
  }

  async deliveries(p: Actor, q: { subscriptionId?: string; status?: DeliveryStatus; limit: number }) {
    if (q.subscriptionId) await this.get(p, q.subscriptionId);
    return this.d.repo.listDeliveries(p.tenantId, q);
  }

  async redeliver(p: Actor, deliveryId: string) {
    const d = await this.d.repo.redeliver(p.tenantId, deliveryId);
    if (!d) throw new AppError('not_found', 'delivery not found');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'webhook.redeliver', target: deliveryId });
    return d;
  }
}
