import type { Queryable } from '../../storage/db.ts';

export type AuditEntry = { tenantId: string; actor: string; action: string; target?: string; details?: Record<string, unknown> };
export type AuditRecord = AuditEntry & { id: number; at: Date };

/** Filters of the administrators' audit log screen. `action` matches a prefix (`user.` finds every user change; `*` is a wildcard). */
export type AuditQuery = {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
};

/** Who changed or viewed what. Append-only; never holds personal data in clear (details are masked by callers). */
export type AuditLog = {
  record(e: AuditEntry): Promise<void>;
  list(tenantId: string, opts?: { action?: string; actor?: string; limit?: number }): Promise<AuditRecord[]>;
  /** Newest first, with the number of matching records (for paging). */
  search(tenantId: string, q: AuditQuery): Promise<{ items: AuditRecord[]; total: number }>;
};

/**
 * A prefix pattern: LIKE wildcards are matched literally (`user_` must not match `userX`); `*` stands for anything,
 * so that `*.view_unmasked` finds every personal-data view whatever the module.
 */
const likePrefix = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c).replace(/\*/g, '%') + '%';

const toRecord = (r: Record<string, any>): AuditRecord => ({
  id: Number(r.id), tenantId: r.tenant_id, actor: r.actor, action: r.action, target: r.target ?? undefined, details: r.details, at: new Date(r.at),
});

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
    return rows.map(toRecord);
  }
  async search(tenantId: string, q: AuditQuery) {
    const where = `tenant_id = $1 AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR action LIKE $3)
      AND ($4::text IS NULL OR target = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)`;
    const params = [tenantId, q.actor ?? null, q.action ? likePrefix(q.action) : null, q.target ?? null, q.from?.toISOString() ?? null, q.to?.toISOString() ?? null];
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 10_000);
    const [rows, count] = await Promise.all([
      this.db.query(`SELECT * FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT ${limit} OFFSET ${Math.max(q.offset ?? 0, 0)}`, params),
      this.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, params),
    ]);
    return { items: rows.map(toRecord), total: Number(count[0]?.n ?? 0) };
  }
}
