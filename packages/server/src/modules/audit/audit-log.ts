import type { Queryable } from '../../storage/db.ts';

export type AuditEntry = { tenantId: string; actor: string; action: string; target?: string; details?: Record<string, unknown> };
export type AuditRecord = AuditEntry & { id: number; at: Date };

/** Who changed or viewed what. Append-only; never holds personal data in clear (details are masked by callers). */
export type AuditLog = {
  record(e: AuditEntry): Promise<void>;
  list(tenantId: string, opts?: { action?: string; actor?: string; limit?: number }): Promise<AuditRecord[]>;
};

export class PgAuditLog implements AuditLog {
  constructor(private db: Queryable) {}
  async record(e: AuditEntry) {
    await this.db.query('INSERT INTO audit_log(tenant_id, actor, action, target, details) VALUES ($1,$2,$3,$4,$5)', [
      e.tenantId, e.actor, e.action, e.target ?? null, JSON.stringify(e.details ?? {}),
    ]);
  }
  async list(tenantId: string, opts: { action?: string; actor?: string; limit?: number } = {}) {
    const rows = await this.db.query(
      `SELECT * FROM audit_log WHERE tenant_id = $1 AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR actor = $3)
       ORDER BY id DESC LIMIT $4`,
      [tenantId, opts.action ?? null, opts.actor ?? null, Math.min(opts.limit ?? 100, 1000)],
    );
    return rows.map((r) => ({ id: Number(r.id), tenantId: r.tenant_id, actor: r.actor, action: r.action, target: r.target ?? undefined, details: r.details, at: new Date(r.at) }));
  }
}
