import type { Db, Row } from '../../storage/db.ts';
import type { NewSms, SmsRecord, SmsRepository, SmsStatus } from './sms-repository.ts';

const rec = (r: Row): SmsRecord => ({
  id: r.id, tenantId: r.tenant_id, idempotencyKey: r.idempotency_key, toMasked: r.to_masked, body: r.body, encoding: r.encoding, parts: r.parts,
  provider: r.provider, providerId: r.provider_id, status: r.status, attempts: r.attempts, lastError: r.last_error,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export class PgSmsRepository implements SmsRepository {
  constructor(private db: Db) {}

  async insertOnce(m: NewSms) {
    const ins = await this.db.query(
      `INSERT INTO sms_messages(id, tenant_id, idempotency_key, to_hash, to_masked, body, encoding, parts, provider, provider_id, status)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING *`,
      [m.id, m.tenantId, m.idempotencyKey, m.toHash, m.toMasked, m.body, m.encoding, m.parts, m.provider, m.providerId ?? null, m.status],
    );
    if (ins.length) return { row: rec(ins[0]), inserted: true };
    const [r] = await this.db.query('SELECT * FROM sms_messages WHERE tenant_id = $1 AND idempotency_key = $2', [m.tenantId, m.idempotencyKey]);
    return { row: rec(r), inserted: false };
  }

  async claimForSend(tenantId: string, id: string, from: SmsStatus[], staleBefore: Date) {
    // A 'sending' row is only taken over when stale (its node died mid-send); the compare-and-set keeps two nodes
    // from both sending.
    const r = await this.db.query(
      `UPDATE sms_messages SET status = 'sending', attempts = attempts + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND (status = ANY($3::text[]) OR (status = 'sending' AND updated_at < $4))
       RETURNING id`,
      [tenantId, id, from, staleBefore.toISOString()],
    );
    return r.length > 0;
  }

  async markSent(tenantId: string, id: string, providerId: string) {
    await this.db.query(`UPDATE sms_messages SET status = 'sent', provider_id = $3, last_error = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, id, providerId]);
  }

  async markFailed(tenantId: string, id: string, error: string) {
    await this.db.query(`UPDATE sms_messages SET status = 'failed', last_error = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, id, error.slice(0, 500)]);
  }

  async list(tenantId: string, q: { toHash?: string; limit: number }) {
    const rows = await this.db.query(
      `SELECT * FROM sms_messages WHERE tenant_id = $1 AND ($2::text IS NULL OR to_hash = $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
      [tenantId, q.toHash ?? null, q.limit],
    );
    return rows.map(rec);
  }

  async isOptedOut(tenantId: string, phoneHash: string) {
    return (await this.db.query('SELECT 1 FROM sms_opt_outs WHERE tenant_id = $1 AND phone_hash = $2', [tenantId, phoneHash])).length > 0;
  }

  async optOut(tenantId: string, phoneHash: string) {
    return (await this.db.query('INSERT INTO sms_opt_outs(tenant_id, phone_hash) VALUES ($1,$2) ON CONFLICT DO NOTHING RETURNING phone_hash', [tenantId, phoneHash])).length > 0;
  }

  async optIn(tenantId: string, phoneHash: string) {
    return (await this.db.query('DELETE FROM sms_opt_outs WHERE tenant_id = $1 AND phone_hash = $2 RETURNING phone_hash', [tenantId, phoneHash])).length > 0;
  }
}
