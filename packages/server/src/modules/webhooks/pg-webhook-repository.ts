import type { Db, Row } from '../../storage/db.ts';
import type { WebhookEventType } from './events.ts';
import type { ClaimedDelivery, DeliveryStatus, WebhookDelivery, WebhookRepository, WebhookSubscription } from './webhook-repository.ts';

const sub = (r: Row): WebhookSubscription => ({
  id: r.id, tenantId: r.tenant_id, url: r.url, description: r.description, events: r.events, active: r.active,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});
const delivery = (r: Row): WebhookDelivery => ({
  id: r.id, tenantId: r.tenant_id, subscriptionId: r.subscription_id, eventId: r.event_id, eventType: r.event_type, payload: r.payload,
  status: r.status, attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, nextAttemptAt: new Date(r.next_attempt_at),
  deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null, createdAt: new Date(r.created_at),
});

export class PgWebhookRepository implements WebhookRepository {
  constructor(private db: Db) {}

  async insertSubscription(s: Omit<WebhookSubscription, 'createdAt' | 'updatedAt'> & { secretEnc: string }) {
    const [r] = await this.db.query(
      `INSERT INTO webhook_subscriptions(id, tenant_id, url, description, events, secret_enc, active) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
      [s.id, s.tenantId, s.url, s.description, s.events, s.secretEnc, s.active],
    );
    return sub(r);
  }

  async getSubscription(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? sub(r) : null;
  }

  async listSubscriptions(tenantId: string) {
    return (await this.db.query('SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 ORDER BY created_at', [tenantId])).map(sub);
  }

  async updateSubscription(tenantId: string, id: string, p: Partial<Pick<WebhookSubscription, 'url' | 'description' | 'events' | 'active'>> & { secretEnc?: string }) {
    const [r] = await this.db.query(
      `UPDATE webhook_subscriptions SET
         url = COALESCE($3, url), description = CASE WHEN $4::boolean THEN $5 ELSE description END, events = COALESCE($6, events),
         active = COALESCE($7, active), secret_enc = COALESCE($8, secret_enc), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id, p.url ?? null, p.description !== undefined, p.description ?? null, p.events ?? null, p.active ?? null, p.secretEnc ?? null],
    );
    return r ? sub(r) : null;
  }

  async deleteSubscription(tenantId: string, id: string) {
    return (await this.db.query('DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, id])).length > 0;
  }

  async subscribersOf(tenantId: string, type: WebhookEventType) {
    return (await this.db.query('SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 AND active AND $2 = ANY(events)', [tenantId, type])).map(sub);
  }

  async enqueue(tenantId: string, rows: { id: string; subscriptionId: string; eventId: string; eventType: WebhookEventType; payload: Record<string, unknown> }[]) {
    let n = 0;
    for (const d of rows) {
      const r = await this.db.query(
        `INSERT INTO webhook_deliveries(id, tenant_id, subscription_id, event_id, event_type, payload, status)
         VALUES ($1,$2,$3,$4,$5,$6,'pending') ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id`,
        [d.id, tenantId, d.subscriptionId, d.eventId, d.eventType, JSON.stringify(d.payload)],
      );
      n += r.length;
    }
    return n;
  }

  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    // Cross-tenant on purpose: one dispatcher serves every tenant. FOR UPDATE SKIP LOCKED lets several PostgreSQL
    // nodes claim disjoint batches without waiting on each other; the lease (locked_until) keeps a claimed row from
    // being claimed again while its request is in flight, and frees it if the node dies. PGlite has one connection,
    // so the same statement is simply serial there.
    const rows = await this.db.query(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET locked_until = now() + ($2::int * interval '1 millisecond'), attempts = d.attempts + 1
       FROM due, webhook_subscriptions s
       WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.*, s.url, s.secret_enc`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({ ...delivery(r), url: r.url as string, secretEnc: r.secret_enc as string }));
  }

  async markSucceeded(tenantId: string, id: string, status: number) {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = 'succeeded', last_status = $3, last_error = NULL, delivered_at = now(), locked_until = NULL
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, status],
    );
  }

  async markFailedAttempt(tenantId: string, id: string, r: { status: number | null; error: string; nextAttemptAt: Date | null }) {
    await this.db.query(
      `UPDATE webhook_deliveries SET last_status = $3, last_error = $4, locked_until = NULL,
         status = CASE WHEN $5::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt_at = COALESCE($5::timestamptz, next_attempt_at)
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, r.status, r.error.slice(0, 500), r.nextAttemptAt?.toISOString() ?? null],
    );
  }

  async listDeliveries(tenantId: string, q: { subscriptionId?: string; status?: DeliveryStatus; limit: number }) {
    const rows = await this.db.query(
      `SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND ($2::text IS NULL OR subscription_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tenantId, q.subscriptionId ?? null, q.status ?? null, q.limit],
    );
    return rows.map(delivery);
  }

  async redeliver(tenantId: string, id: string) {
    const [r] = await this.db.query(
      `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, delivered_at = NULL
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id],
    );
    return r ? delivery(r) : null;
  }
}
