import type { Queryable } from '../../storage/db.ts';
import { BotSettings } from './bot-settings.ts';
import type { Bot, TenancyRepository, Tenant } from './tenancy-repository.ts';

const tenantOf = (r: any): Tenant => ({ id: r.id, slug: r.slug, name: r.name, createdAt: new Date(r.created_at) });
const botOf = (r: any): Bot => ({
  id: r.id, tenantId: r.tenant_id, slug: r.slug, name: r.name, locale: r.locale, isPublic: r.is_public,
  settings: BotSettings.parse(r.settings ?? {}), publishedVersion: r.published_version ?? null, createdAt: new Date(r.created_at),
});

export class PgTenancyRepository implements TenancyRepository {
  constructor(private db: Queryable) {}
  async insertTenant(t: Omit<Tenant, 'createdAt'>) {
    await this.db.query('INSERT INTO tenants(id, slug, name) VALUES ($1,$2,$3)', [t.id, t.slug, t.name]);
  }
  async findTenantBySlug(slug: string) {
    const [r] = await this.db.query('SELECT * FROM tenants WHERE slug = $1', [slug]);
    return r ? tenantOf(r) : null;
  }
  async findTenant(id: string) {
    const [r] = await this.db.query('SELECT * FROM tenants WHERE id = $1', [id]);
    return r ? tenantOf(r) : null;
  }
  async insertBot(b: Omit<Bot, 'createdAt' | 'publishedVersion'>) {
    await this.db.query('INSERT INTO bots(id, tenant_id, slug, name, locale, is_public, settings) VALUES ($1,$2,$3,$4,$5,$6,$7)', [
      b.id, b.tenantId, b.slug, b.name, b.locale, b.isPublic, JSON.stringify(b.settings),
    ]);
  }
  async findBotByRef(ref: string) {
    const [r] = await this.db.query('SELECT * FROM bots WHERE id = $1 OR slug = $1', [ref]);
    return r ? botOf(r) : null;
  }
  async findBot(tenantId: string, idOrSlug: string) {
    const [r] = await this.db.query('SELECT * FROM bots WHERE tenant_id = $1 AND (id = $2 OR slug = $2)', [tenantId, idOrSlug]);
    return r ? botOf(r) : null;
  }
  async listBots(tenantId: string) {
    return (await this.db.query('SELECT * FROM bots WHERE tenant_id = $1 ORDER BY created_at', [tenantId])).map(botOf);
  }
  async updateBot(tenantId: string, id: string, patch: Partial<Pick<Bot, 'name' | 'locale' | 'isPublic' | 'settings'>>) {
    const rows = await this.db.query(
      `UPDATE bots SET name = COALESCE($3, name), locale = COALESCE($4, locale), is_public = COALESCE($5, is_public),
         settings = COALESCE($6, settings) WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id, patch.name ?? null, patch.locale ?? null, patch.isPublic ?? null, patch.settings ? JSON.stringify(patch.settings) : null],
    );
    return rows.length > 0;
  }
  async setPublishedVersion(tenantId: string, botId: string, version: number) {
    await this.db.query('UPDATE bots SET published_version = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, botId, version]);
  }
}
