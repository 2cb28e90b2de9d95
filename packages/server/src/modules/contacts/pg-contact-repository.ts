import type { Queryable, Db } from '../../storage/db.ts';
import type { Contact, ContactRepository, IdentityKind } from './contact-repository.ts';

export class PgContactRepository implements ContactRepository {
  constructor(private db: Db) {}

  async findByIdentity(tenantId: string, kind: IdentityKind, valueHash: string) {
    const [r] = await this.db.query(
      // Follow a merge: an identity may still point at a contact that was merged into another.
      `SELECT COALESCE(c.merged_into, c.id) AS contact_id, i.verified FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
       WHERE i.tenant_id = $1 AND i.kind = $2 AND i.value_hash = $3`,
      [tenantId, kind, valueHash],
    );
    return r ? { contactId: r.contact_id as string, verified: r.verified as boolean } : null;
  }

  async createWithIdentity(c: { id: string; tenantId: string; displayName: string | null }, ident: { kind: IdentityKind; valueHash: string; valueEnc: string; verified: boolean }) {
    return this.db.tx(async (q) => {
      await q.query('INSERT INTO contacts(id, tenant_id, display_name) VALUES ($1,$2,$3)', [c.id, c.tenantId, c.displayName]);
      const rows = await q.query(
        `INSERT INTO contact_identities(tenant_id, kind, value_hash, value_enc, contact_id, verified) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (tenant_id, kind, value_hash) DO NOTHING RETURNING contact_id`,
        [c.tenantId, ident.kind, ident.valueHash, ident.valueEnc, c.id, ident.verified],
      );
      if (rows.length) return c.id;
      // Lost a race: someone else registered this identity; drop our empty contact and use theirs.
      await q.query('DELETE FROM contacts WHERE id = $1', [c.id]);
      const [r] = await q.query('SELECT contact_id FROM contact_identities WHERE tenant_id = $1 AND kind = $2 AND value_hash = $3', [c.tenantId, ident.kind, ident.valueHash]);
      return r.contact_id as string;
    });
  }

  async addIdentity(tenantId: string, contactId: string, ident: { kind: IdentityKind; valueHash: string; valueEnc: string; verified: boolean }) {
    await this.db.query(
      `INSERT INTO contact_identities(tenant_id, kind, value_hash, value_enc, contact_id, verified) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (tenant_id, kind, value_hash) DO UPDATE SET verified = contact_identities.verified OR EXCLUDED.verified`,
      [tenantId, ident.kind, ident.valueHash, ident.valueEnc, contactId, ident.verified],
    );
  }

  async get(tenantId: string, id: string): Promise<Contact | null> {
    const [r] = await this.db.query('SELECT * FROM contacts WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? { id: r.id, tenantId: r.tenant_id, displayName: r.display_name, mergedInto: r.merged_into, createdAt: new Date(r.created_at) } : null;
  }

  async identities(tenantId: string, contactId: string) {
    const rows = await this.db.query('SELECT kind, value_enc, verified FROM contact_identities WHERE tenant_id = $1 AND contact_id = $2 ORDER BY created_at', [tenantId, contactId]);
    return rows.map((r) => ({ kind: r.kind as IdentityKind, valueEnc: r.value_enc as string, verified: r.verified as boolean }));
  }

  async merge(tenantId: string, from: string, into: string) {
    await this.db.tx(async (q: Queryable) => {
      await q.query('UPDATE contact_identities SET contact_id = $3 WHERE tenant_id = $1 AND contact_id = $2', [tenantId, from, into]);
      await q.query('UPDATE conversations SET contact_id = $3 WHERE tenant_id = $1 AND contact_id = $2', [tenantId, from, into]);
      await q.query('UPDATE contacts SET merged_into = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2', [tenantId, from, into]);
    });
  }

  async setConversationContact(tenantId: string, conversationId: string, contactId: string) {
    await this.db.query('UPDATE conversations SET contact_id = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, conversationId, contactId]);
  }

  async identitiesOf(tenantId: string, contactIds: string[]) {
    if (!contactIds.length) return [];
    const rows = await this.db.query(
      'SELECT contact_id, kind, value_enc, verified FROM contact_identities WHERE tenant_id = $1 AND contact_id = ANY($2::text[]) ORDER BY created_at',
      [tenantId, contactIds],
    );
    return rows.map((r) => ({ contactId: r.contact_id as string, kind: r.kind as IdentityKind, valueEnc: r.value_enc as string, verified: r.verified as boolean }));
  }

  async find(tenantId: string, opts: { ids?: string[]; name?: string; limit: number }) {
    const anyFilter = !!(opts.ids?.length || opts.name);
    const rows = await this.db.query(
      `SELECT c.*, (SELECT count(*)::int FROM conversations v WHERE v.tenant_id = c.tenant_id AND v.contact_id = c.id) AS conversations
       FROM contacts c WHERE c.tenant_id = $1 AND c.merged_into IS NULL
         AND (NOT $2::boolean OR c.id = ANY($3::text[]) OR ($4::text IS NOT NULL AND c.display_name ILIKE $4))
       ORDER BY c.created_at DESC, c.id LIMIT $5`,
      [tenantId, anyFilter, opts.ids ?? [], opts.name ? `%${opts.name.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null, opts.limit],
    );
    return rows.map((r) => ({
      id: r.id as string, tenantId: r.tenant_id as string, displayName: r.display_name as string | null, mergedInto: r.merged_into as string | null,
      createdAt: new Date(r.created_at), conversations: Number(r.conversations),
    }));
  }

  async latestOpenConversation(tenantId: string, contactId: string, botId: string, channel: string, since: Date) {
    const [r] = await this.db.query(
      `SELECT id FROM conversations WHERE tenant_id = $1 AND contact_id = $2 AND bot_id = $3 AND channel = $4 AND status <> 'closed'
         AND updated_at >= $5 ORDER BY updated_at DESC LIMIT 1`,
      [tenantId, contactId, botId, channel, since.toISOString()],
    );
    return r ? (r.id as string) : null;
  }
}
