import { AppError } from '../../platform/errors.ts';
import { hmacSha256Hex, type FieldCipher } from '../../platform/crypto.ts';
import { newId } from '../../platform/ids.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Principal } from '../auth/roles.ts';
import { maskName } from '../../platform/pii.ts';
import { IDENTITY_KINDS, type ContactIdentity, type ContactRepository, type IdentityKind } from './contact-repository.ts';

/** How identity values are compared: e-mails case-insensitively, phones without +86 and separators. */
export function canonicalIdentity(kind: IdentityKind, value: string): string {
  const v = value.trim();
  if (kind === 'email') return v.toLowerCase();
  if (kind === 'phone') return v.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  return v;
}

/**
 * One customer across channels. Channels resolve the sender's identity to a contact; conversations carry the
 * contact, so an agent sees one history. Identity values are encrypted at rest and found by a keyed hash.
 */
export class ContactService {
  constructor(private repo: ContactRepository, private cipher: FieldCipher, private hashKey: string, private audit: AuditLog) {}

  private hash(kind: IdentityKind, value: string) {
    return hmacSha256Hex(this.hashKey, `${kind}:${canonicalIdentity(kind, value)}`);
  }

  /** The contact for an identity, created on first sight. */
  async resolve(tenantId: string, ident: { kind: IdentityKind; value: string; verified?: boolean; displayName?: string }): Promise<string> {
    const valueHash = this.hash(ident.kind, ident.value);
    const found = await this.repo.findByIdentity(tenantId, ident.kind, valueHash);
    if (found) {
      if (ident.verified && !found.verified) await this.repo.addIdentity(tenantId, found.contactId, { kind: ident.kind, valueHash, valueEnc: this.cipher.encrypt(canonicalIdentity(ident.kind, ident.value)), verified: true });
      return found.contactId;
    }
    return this.repo.createWithIdentity(
      { id: newId('ct'), tenantId, displayName: ident.displayName ?? null },
      { kind: ident.kind, valueHash, valueEnc: this.cipher.encrypt(canonicalIdentity(ident.kind, ident.value)), verified: !!ident.verified },
    );
  }

  /** Adds another identity to a known contact (e.g. a verified phone learned in a WeChat conversation). */
  async link(tenantId: string, contactId: string, ident: { kind: IdentityKind; value: string; verified?: boolean }) {
    const valueHash = this.hash(ident.kind, ident.value);
    const other = await this.repo.findByIdentity(tenantId, ident.kind, valueHash);
    if (other && other.contactId !== contactId) {
      // The same verified phone or e-mail on two contacts means one person: merge them.
      if (ident.verified) return this.repo.merge(tenantId, other.contactId, contactId);
      return;
    }
    await this.repo.addIdentity(tenantId, contactId, { kind: ident.kind, valueHash, valueEnc: this.cipher.encrypt(canonicalIdentity(ident.kind, ident.value)), verified: !!ident.verified });
  }

  async get(p: Principal, id: string, opts: { unmasked?: boolean } = {}) {
    const c = await this.repo.get(p.tenantId, id);
    if (!c) throw new AppError('not_found', 'contact not found');
    const idents: ContactIdentity[] = (await this.repo.identities(p.tenantId, c.mergedInto ?? c.id)).map((i) => ({
      kind: i.kind, verified: i.verified, value: this.cipher.decrypt(i.valueEnc),
    }));
    if (opts.unmasked) await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'contact.view_unmasked', target: c.id });
    return { ...c, identities: opts.unmasked ? idents : idents.map((i) => ({ ...i, value: maskIdentity(i.kind, i.value) })) };
  }

  async merge(p: Principal, from: string, into: string) {
    if (from === into) throw new AppError('bad_request', 'cannot merge a contact into itself');
    const [a, b] = await Promise.all([this.repo.get(p.tenantId, from), this.repo.get(p.tenantId, into)]);
    if (!a || !b) throw new AppError('not_found', 'contact not found');
    if (b.mergedInto) throw new AppError('bad_request', 'the target contact was itself merged; merge into the surviving one');
    await this.repo.merge(p.tenantId, from, into);
    await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'contact.merge', target: into, details: { from } });
  }

  /**
   * Contacts an identity value belongs to (a phone however written, an e-mail, an app user id, an openid…), found by
   * the keyed hash of its normalised value: the value itself is never compared or stored in clear.
   */
  async byIdentityValue(tenantId: string, value: string): Promise<string[]> {
    const v = value.trim();
    if (!v) return [];
    const kinds: readonly IdentityKind[] = v.includes('@') ? ['email'] : /^\+?[\d\s-]{6,}$/.test(v) ? ['phone'] : IDENTITY_KINDS.filter((k) => k !== 'phone' && k !== 'email');
    const found = await Promise.all(kinds.map((k) => this.repo.findByIdentity(tenantId, k, this.hash(k, v))));
    return [...new Set(found.filter((f) => f !== null).map((f) => f.contactId))];
  }

  /**
   * Surviving contacts matching a search (an id, a name, or an identity value such as a phone), personal data masked,
   * with their conversation counts: the candidates of a manual merge.
   */
  async find(p: Principal, q: string | undefined, limit = 20) {
    const s = q?.trim();
    const ids = s ? [s, ...(await this.byIdentityValue(p.tenantId, s))] : undefined;
    const contacts = await this.repo.find(p.tenantId, { ids, name: s || undefined, limit });
    const idents = await this.repo.identitiesOf(p.tenantId, contacts.map((c) => c.id));
    return contacts.map((c) => ({
      ...c,
      displayName: c.displayName && maskName(c.displayName),
      identities: idents.filter((i) => i.contactId === c.id).map((i) => ({ kind: i.kind, verified: i.verified, value: maskIdentity(i.kind, this.cipher.decrypt(i.valueEnc)) })),
    }));
  }

  /** Masked name and first phone of each contact, for lists of conversations. */
  async summaries(tenantId: string, ids: string[]): Promise<Map<string, { phone: string | null }>> {
    const out = new Map<string, { phone: string | null }>();
    const unique = [...new Set(ids)];
    for (const i of await this.repo.identitiesOf(tenantId, unique)) {
      if (i.kind === 'phone' && !out.get(i.contactId)?.phone) out.set(i.contactId, { phone: maskIdentity('phone', this.cipher.decrypt(i.valueEnc)) });
    }
    return out;
  }

  latestOpenConversation(tenantId: string, contactId: string, botId: string, channel: string, since: Date) {
    return this.repo.latestOpenConversation(tenantId, contactId, botId, channel, since);
  }
  setConversationContact(tenantId: string, conversationId: string, contactId: string) {
    return this.repo.setConversationContact(tenantId, conversationId, contactId);
  }
}

export function maskIdentity(kind: IdentityKind, v: string): string {
  if (kind === 'phone') return v.length >= 7 ? `${v.slice(0, 3)}****${v.slice(-4)}` : '****';
  if (kind === 'email') { const [u, d] = v.split('@'); return `${u.slice(0, 1)}***@${d ?? ''}`; }
  return v.length > 8 ? `${v.slice(0, 4)}…${v.slice(-4)}` : v;
}
