import type { Db, Row } from '../../../storage/db.ts';
import type { ChannelConfigRepository, ChannelConfigRow } from './channel-config-repository.ts';

const toRow = (r: Row): ChannelConfigRow => ({
  id: r.id, tenantId: r.tenant_id, botId: r.bot_id, type: r.type, name: r.name, public: r.public ?? {},
  secretsEnc: r.secrets_enc ?? null, enabled: r.enabled, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export class PgChannelConfigRepository implements ChannelConfigRepository {
  constructor(private db: Db) {}

  async insert(c: Omit<ChannelConfigRow, 'createdAt' | 'updatedAt'>) {
    await this.db.query(
      'INSERT INTO channel_configs(id, tenant_id, bot_id, type, name, public, secrets_enc, enabled) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
      [c.id, c.tenantId, c.botId, c.type, c.name, JSON.stringify(c.public), c.secretsEnc, c.enabled],
    );
  }

  async find(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM channel_configs WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? toRow(r) : null;
  }

  async findAnyTenant(id: string) {
    // The one cross-tenant read: an inbound webhook names its config; everything after is scoped to its tenant.
    const [r] = await this.db.query('SELECT * FROM channel_configs WHERE id = $1', [id]);
    return r ? toRow(r) : null;
  }

  async list(tenantId: string, opts: { type?: string; botId?: string } = {}) {
    const rows = await this.db.query(
      `SELECT * FROM channel_configs WHERE tenant_id = $1 AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR bot_id = $3)
       ORDER BY created_at, id`,
      [tenantId, opts.type ?? null, opts.botId ?? null],
    );
    return rows.map(toRow);
  }

  async update(tenantId: string, id: string, patch: Partial<Pick<ChannelConfigRow, 'name' | 'public' | 'secretsEnc' | 'enabled'>>) {
    const rows = await this.db.query(
      `UPDATE channel_configs SET
         name = COALESCE($3, name),
         public = COALESCE($4::jsonb, public),
         secrets_enc = CASE WHEN $5::boolean THEN $6 ELSE secrets_enc END,
         enabled = COALESCE($7, enabled),
         updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id, patch.name ?? null, patch.public ? JSON.stringify(patch.public) : null, patch.secretsEnc !== undefined, patch.secretsEnc ?? null, patch.enabled ?? null],
    );
    return rows.length > 0;
  }

  async delete(tenantId: string, id: string) {
    const rows = await this.db.query('DELETE FROM channel_configs WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, id]);
    return rows.length > 0;
  }

  async bind(b: { tenantId: string; conversationId: string; configId: string; addressEnc: string }) {
    await this.db.query(
      `INSERT INTO channel_bindings(conversation_id, tenant_id, config_id, address_enc) VALUES ($1,$2,$3,$4)
       ON CONFLICT (conversation_id) DO UPDATE SET config_id = EXCLUDED.config_id, address_enc = EXCLUDED.address_enc, updated_at = now()
       WHERE channel_bindings.tenant_id = EXCLUDED.tenant_id`,
      [b.conversationId, b.tenantId, b.configId, b.addressEnc],
    );
  }

  async binding(tenantId: string, conversationId: string) {
    const [r] = await this.db.query('SELECT config_id, address_enc FROM channel_bindings WHERE tenant_id = $1 AND conversation_id = $2', [tenantId, conversationId]);
    return r ? { configId: r.config_id as string, addressEnc: r.address_enc as string } : null;
  }

  async getCursor(tenantId: string, configId: string, stream: string) {
    const [r] = await this.db.query('SELECT cursor FROM channel_cursors WHERE tenant_id = $1 AND config_id = $2 AND stream = $3', [tenantId, configId, stream]);
    return r ? (r.cursor as string) : null;
  }

  async setCursor(tenantId: string, configId: string, stream: string, cursor: string) {
    await this.db.query(
      `INSERT INTO channel_cursors(tenant_id, config_id, stream, cursor) VALUES ($1,$2,$3,$4)
       ON CONFLICT (config_id, stream) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now() WHERE channel_cursors.tenant_id = EXCLUDED.tenant_id`,
      [tenantId, configId, stream, cursor],
    );
  }
}
