import type { Db, Row } from '../../storage/db.ts';
import type { Challenge, IdentityRepository, NewChallenge, Verification } from './identity-repository.ts';

const date = (v: unknown) => (v == null ? null : new Date(v as string));

const challenge = (r: Row): Challenge => ({
  id: r.id, tenantId: r.tenant_id, conversationId: r.conversation_id, purpose: r.purpose, phoneHash: r.phone_hash, phoneMasked: r.phone_masked,
  codeHmac: r.code_hmac, status: r.status, attempts: Number(r.attempts), createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at),
  closedAt: date(r.closed_at),
});

const verification = (r: Row): Verification => ({
  tenantId: r.tenant_id, conversationId: r.conversation_id, via: r.via, phoneHash: r.phone_hash, verifiedAt: new Date(r.verified_at), expiresAt: new Date(r.expires_at),
});

export class PgIdentityRepository implements IdentityRepository {
  constructor(private db: Db) {}

  async claimSendSlot(tenantId: string, phoneHash: string, now: Date, notAfter: Date) {
    // One statement, so two nodes racing for the same phone cannot both win the slot.
    const r = await this.db.query(
      `INSERT INTO identity_phones(tenant_id, phone_hash, last_sent_at) VALUES ($1,$2,$3)
       ON CONFLICT (tenant_id, phone_hash) DO UPDATE SET last_sent_at = EXCLUDED.last_sent_at
       WHERE identity_phones.last_sent_at IS NULL OR identity_phones.last_sent_at <= $4
       RETURNING phone_hash`,
      [tenantId, phoneHash, now.toISOString(), notAfter.toISOString()],
    );
    return r.length > 0;
  }

  async lastSentAt(tenantId: string, phoneHash: string) {
    const [r] = await this.db.query('SELECT last_sent_at FROM identity_phones WHERE tenant_id = $1 AND phone_hash = $2', [tenantId, phoneHash]);
    return date(r?.last_sent_at);
  }

  async lockedUntil(tenantId: string, phoneHash: string) {
    const [r] = await this.db.query('SELECT locked_until FROM identity_phones WHERE tenant_id = $1 AND phone_hash = $2', [tenantId, phoneHash]);
    return date(r?.locked_until);
  }

  async lock(tenantId: string, phoneHash: string, until: Date) {
    await this.db.query(
      `INSERT INTO identity_phones(tenant_id, phone_hash, locked_until) VALUES ($1,$2,$3)
       ON CONFLICT (tenant_id, phone_hash) DO UPDATE SET locked_until = GREATEST(COALESCE(identity_phones.locked_until, EXCLUDED.locked_until), EXCLUDED.locked_until)`,
      [tenantId, phoneHash, until.toISOString()],
    );
  }

  async insertChallenge(c: NewChallenge) {
    await this.db.tx(async (q) => {
      await q.query(
        `UPDATE identity_challenges SET status = 'superseded', closed_at = $3 WHERE tenant_id = $1 AND phone_hash = $2 AND status = 'pending'`,
        [c.tenantId, c.phoneHash, c.createdAt.toISOString()],
      );
      await q.query(
        `INSERT INTO identity_challenges(id, tenant_id, conversation_id, purpose, phone_hash, phone_masked, code_hmac, status, created_at, expires_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,'pending',$8,$9)`,
        [c.id, c.tenantId, c.conversationId, c.purpose, c.phoneHash, c.phoneMasked, c.codeHmac, c.createdAt.toISOString(), c.expiresAt.toISOString()],
      );
    });
  }

  async findChallenge(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM identity_challenges WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? challenge(r) : null;
  }

  async closeChallenge(tenantId: string, id: string, status: 'verified' | 'failed', at: Date, maxAttempts: number) {
    const r = await this.db.query(
      `UPDATE identity_challenges SET status = $3, closed_at = $4
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND attempts < $5 RETURNING id`,
      [tenantId, id, status, at.toISOString(), maxAttempts],
    );
    return r.length > 0;
  }

  async recordWrongAttempt(tenantId: string, id: string, at: Date, maxAttempts: number) {
    const [r] = await this.db.query(
      `UPDATE identity_challenges SET attempts = attempts + 1,
         status = CASE WHEN attempts + 1 >= $4 THEN 'dead' ELSE status END,
         closed_at = CASE WHEN attempts + 1 >= $4 THEN $3::timestamptz ELSE closed_at END
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING attempts, status`,
      [tenantId, id, at.toISOString(), maxAttempts],
    );
    return r ? { attempts: Number(r.attempts), status: r.status } : null;
  }

  async countDead(tenantId: string, phoneHash: string, since: Date) {
    const [r] = await this.db.query(
      `SELECT count(*)::int AS n FROM identity_challenges WHERE tenant_id = $1 AND phone_hash = $2 AND status = 'dead' AND closed_at > $3`,
      [tenantId, phoneHash, since.toISOString()],
    );
    return Number(r.n);
  }

  async upsertVerification(v: Verification) {
    await this.db.query(
      `INSERT INTO identity_verifications(tenant_id, conversation_id, via, phone_hash, verified_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET via = EXCLUDED.via, phone_hash = EXCLUDED.phone_hash,
         verified_at = EXCLUDED.verified_at, expires_at = EXCLUDED.expires_at`,
      [v.tenantId, v.conversationId, v.via, v.phoneHash, v.verifiedAt.toISOString(), v.expiresAt.toISOString()],
    );
  }

  async findVerification(tenantId: string, conversationId: string) {
    const [r] = await this.db.query('SELECT * FROM identity_verifications WHERE tenant_id = $1 AND conversation_id = $2', [tenantId, conversationId]);
    return r ? verification(r) : null;
  }

  async deleteVerification(tenantId: string, conversationId: string) {
    await this.db.query('DELETE FROM identity_verifications WHERE tenant_id = $1 AND conversation_id = $2', [tenantId, conversationId]);
  }
}
