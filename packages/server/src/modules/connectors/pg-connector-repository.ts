import type { Queryable, Row } from '../../storage/db.ts';
import type { ConnectorRepository, StoredConnector } from './connector-repository.ts';

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const connectorOf = (r: Row): StoredConnector => ({
  tenantId: r.tenant_id, id: r.id, definition: json(r.definition), secretsEnc: r.secrets_enc ?? null, revision: Number(r.revision),
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), updatedBy: r.updated_by ?? null,
});

export class PgConnectorRepository implements ConnectorRepository {
  constructor(private db: Queryable) {}

  async list(tenantId: string) {
    return (await this.db.query('SELECT * FROM connectors WHERE tenant_id = $1 ORDER BY id', [tenantId])).map(connectorOf);
  }

  async get(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM connectors WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? connectorOf(r) : null;
  }

  async upsert(tenantId: string, c: { id: string; definition: Record<string, unknown>; secretsEnc: string | null; updatedBy: string | null }, at: Date) {
    const [r] = await this.db.query(
      `INSERT INTO connectors(tenant_id, id, definition, secrets_enc, revision, created_at, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, 1, $5, $5, $6)
       ON CONFLICT (tenant_id, id) DO UPDATE SET definition = EXCLUDED.definition, secrets_enc = EXCLUDED.secrets_enc,
         revision = connectors.revision + 1, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING *`,
      [tenantId, c.id, JSON.stringify(c.definition), c.secretsEnc, at, c.updatedBy],
    );
    return connectorOf(r);
  }

  async delete(tenantId: string, id: string) {
    return (await this.db.query('DELETE FROM connectors WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, id])).length > 0;
  }
}
