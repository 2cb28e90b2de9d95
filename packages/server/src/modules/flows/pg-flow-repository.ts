import type { FlowDefinition } from '@lingxi/contracts';
import type { Queryable, Row } from '../../storage/db.ts';
import type { FlowRepository, FlowWrite, StoredFlow } from './flow-repository.ts';

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const flowOf = (r: Row): StoredFlow => {
  const version = Number(r.version);
  return {
    tenantId: r.tenant_id, botId: r.bot_id, id: r.id, version, definition: { ...json<FlowDefinition>(r.definition), version },
    enabled: r.enabled, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), updatedBy: r.updated_by ?? null,
  };
};

export class PgFlowRepository implements FlowRepository {
  constructor(private db: Queryable) {}

  bind(q: Queryable): FlowRepository {
    return new PgFlowRepository(q);
  }

  async list(tenantId: string, botId: string, opts: { enabledOnly?: boolean } = {}) {
    const rows = await this.db.query(
      'SELECT * FROM flows WHERE tenant_id = $1 AND bot_id = $2 AND (enabled OR NOT $3::boolean) ORDER BY id',
      [tenantId, botId, opts.enabledOnly ?? false],
    );
    return rows.map(flowOf);
  }

  async get(tenantId: string, botId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM flows WHERE tenant_id = $1 AND bot_id = $2 AND id = $3', [tenantId, botId, id]);
    return r ? flowOf(r) : null;
  }

  async save(tenantId: string, botId: string, f: FlowWrite, expectedVersion: number | null, at: Date) {
    const definition = JSON.stringify({ ...f.definition, version: f.version });
    const rows = expectedVersion === null
      ? await this.db.query(
        `INSERT INTO flows(tenant_id, bot_id, id, version, definition, enabled, created_at, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (bot_id, id) DO NOTHING RETURNING *`,
        [tenantId, botId, f.id, f.version, definition, f.enabled, at, f.updatedBy],
      )
      : await this.db.query(
        `UPDATE flows SET version = $4, definition = $5, enabled = $6, updated_at = $7, updated_by = $8
         WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 AND version = $9 RETURNING *`,
        [tenantId, botId, f.id, f.version, definition, f.enabled, at, f.updatedBy, expectedVersion],
      );
    return rows[0] ? flowOf(rows[0]) : null;
  }

  async setEnabled(tenantId: string, botId: string, id: string, enabled: boolean, actor: string | null, at: Date) {
    const [r] = await this.db.query(
      `UPDATE flows SET enabled = $4, updated_at = CASE WHEN enabled = $4 THEN updated_at ELSE $5 END,
         updated_by = CASE WHEN enabled = $4 THEN updated_by ELSE $6 END
       WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING *`,
      [tenantId, botId, id, enabled, at, actor],
    );
    return r ? flowOf(r) : null;
  }

  async delete(tenantId: string, botId: string, id: string) {
    return (await this.db.query('DELETE FROM flows WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING id', [tenantId, botId, id])).length > 0;
  }
}
