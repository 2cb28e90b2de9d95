import { AppError } from '../../platform/errors.ts';
import { redactDeep } from '../../platform/logger.ts';
import { maskName } from '../../platform/pii.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { can, type Principal } from '../auth/roles.ts';
import type { ContactService } from '../contacts/contact-service.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import { queryTerms, summarize } from './conversation-index.ts';
import type { ConversationService } from './conversation-service.ts';
import type { ConversationSearchRepository, Outcome, SearchQuery } from './search-repository.ts';

/** The filters of the console's conversation search (and of analytics' drill-down links: same names). */
export type SearchInput = {
  q?: string; customer?: string; agent?: string; intent?: string; rating?: number; from?: Date; to?: Date;
  channel?: string; bot?: string; outcome?: Outcome; page: number; pageSize: number;
};

/**
 * Conversation search and transcripts (issue 6 item 7). Lists show personal data masked; a transcript shows it in
 * clear only to a role with pii:view that asks for it, and every such view is written to the audit log.
 */
export class ConversationSearchService {
  constructor(private d: { repo: ConversationSearchRepository; conversations: ConversationService; contacts: ContactService; tenancy: TenancyService; audit: AuditLog }) {}

  async search(p: Principal, input: SearchInput) {
    const q: SearchQuery = { limit: input.pageSize, offset: (input.page - 1) * input.pageSize };
    const text = input.q?.trim();
    if (text) q.text = queryTerms(text);
    const customer = input.customer?.trim();
    if (customer) {
      const [byName, byIdentity] = await Promise.all([
        this.d.repo.contactsByNameOrId(p.tenantId, customer, 200),
        this.d.contacts.byIdentityValue(p.tenantId, customer),
      ]);
      q.contactIds = [...new Set([...byName, ...byIdentity])];
      if (!q.contactIds.length) return { items: [], total: 0, page: input.page, pageSize: input.pageSize };
    }
    if (input.bot) q.botId = (await this.d.tenancy.getBot(p.tenantId, input.bot)).id;
    if (input.from && input.to && input.from >= input.to) throw new AppError('bad_request', '`from` must be before `to`');
    Object.assign(q, {
      agentId: input.agent || undefined, entryId: input.intent || undefined, rating: input.rating, from: input.from, to: input.to,
      channel: input.channel || undefined, outcome: input.outcome,
    });
    const { items, total } = await this.d.repo.search(p.tenantId, q);
    const phones = await this.d.contacts.summaries(p.tenantId, items.map((i) => i.contactId).filter((c): c is string => !!c));
    return {
      total, page: input.page, pageSize: input.pageSize,
      items: items.map(({ contactName, ...h }) => ({
        ...h,
        outcome: (h.handoff ? 'handoff' : h.fallback ? 'fallback' : h.clarify ? 'clarify' : 'robot') as Outcome,
        customer: h.contactId ? { id: h.contactId, name: contactName && maskName(contactName), phone: phones.get(h.contactId)?.phone ?? null } : null,
      })),
    };
  }

  /**
   * The whole log of a conversation: messages, the robot's decisions, hand-off, queue, assignment, wrap-up, rating.
   * Masked unless `unmask` (pii:view only; audited as conversation.view_unmasked).
   */
  async transcript(p: Principal, id: string, unmask: boolean) {
    if (unmask && !can(p, 'pii:view')) throw new AppError('forbidden', 'your role may not view personal data in clear');
    const conv = await this.d.conversations.get(p.tenantId, id);
    const events = await this.d.conversations.events(p.tenantId, conv.id, { limit: 5000 });
    const contact = conv.contactId ? await this.d.contacts.get(p, conv.contactId, { unmasked: unmask }) : null;
    if (unmask) await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'conversation.view_unmasked', target: conv.id, ...(contact ? { details: { contactId: contact.id } } : {}) });
    const { row } = summarize(conv, events);
    const { state: _state, ...meta } = conv;
    return {
      conversation: meta,
      customer: contact && { id: contact.id, displayName: contact.displayName && (unmask ? contact.displayName : maskName(contact.displayName)), identities: contact.identities },
      summary: {
        handoff: row.handoff, fallback: row.fallback, clarify: row.clarify, rating: row.rating, agentIds: row.agentIds, entryIds: row.entryIds,
        messages: row.messages, outcome: (row.handoff ? 'handoff' : row.fallback ? 'fallback' : row.clarify ? 'clarify' : 'robot') as Outcome,
      },
      events: events.map((e) => ({ seq: e.seq, type: e.type, at: e.createdAt, payload: unmask ? e.payload : (redactDeep(e.payload) as Record<string, unknown>) })),
      masked: !unmask,
    };
  }
}
