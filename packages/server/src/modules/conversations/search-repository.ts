import type { StoredEvent } from './conversation-repository.ts';

/** One conversation as the search sees it (conversation_search, rebuilt from the log by ConversationIndexer). */
export type SearchRow = {
  conversationId: string;
  tenantId: string;
  botId: string;
  channel: string;
  startedAt: Date;
  lastAt: Date;
  /** The customer's first message, personal data masked. */
  firstQuestion: string | null;
  /** Message texts, folded (lower case, half width), personal data masked. */
  body: string;
  messages: number;
  handoff: boolean;
  fallback: boolean;
  clarify: boolean;
  agentIds: string[];
  entryIds: string[];
  rating: number | null;
  indexedSeq: number;
};

/** robot = no hand-off; handoff = a `conversation.handoff` event; fallback / clarify = a robot decision of that kind. */
export const OUTCOMES = ['robot', 'handoff', 'fallback', 'clarify'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type SearchQuery = {
  /** Text terms and pieces (see queryTerms): every piece must be in the body. */
  text?: { exact: string[]; prefix: string[]; pieces: string[] };
  /** The customer, resolved to contact ids (a merged contact's survivor included). */
  contactIds?: string[];
  agentId?: string;
  entryId?: string;
  rating?: number;
  from?: Date;
  to?: Date;
  channel?: string;
  botId?: string;
  outcome?: Outcome;
  limit: number;
  offset: number;
};

export type SearchHit = Omit<SearchRow, 'body' | 'indexedSeq' | 'tenantId'> & {
  status: string;
  contactId: string | null;
  contactName: string | null;
  agents: { id: string; name: string }[];
};

export type ConversationSearchRepository = {
  /**
   * For each conversation (of its tenant; unknown ones left out): its search row if any, and its events after the
   * row's indexed_seq (all of them without a row), in order.
   */
  sources(batch: { tenantId: string; id: string }[]): Promise<{ conversation: { id: string; tenantId: string; botId: string; channel: string; createdAt: Date }; prev: SearchRow | null; events: StoredEvent[] }[]>;
  /** Upserts rows (a row never moves back: an older indexed_seq is ignored) and adds their terms. */
  saveMany(items: { row: SearchRow; terms: string[] }[], entryTerms?: { tenantId: string; entryId: string; terms: string[] }[]): Promise<void>;
  unindexed(limit: number): Promise<{ tenantId: string; id: string }[]>;
  /**
   * One keyset page of the catch-up sweep: the next `scan` conversations by id after `after` ('' to start) — all of
   * them, or only those with events created since `since` — and which of them have no search row or one behind their
   * log (indexed_seq < last_seq). `next` is the last id scanned, null when this was the last page.
   */
  behind(q: { after: string; since: Date | null; scan: number }): Promise<{ items: { tenantId: string; id: string }[]; next: string | null }>;
  search(tenantId: string, q: SearchQuery): Promise<{ items: SearchHit[]; total: number }>;
  /** Contacts matching a display name (substring, case-insensitive) or an id; merged ones resolve to their survivor. */
  contactsByNameOrId(tenantId: string, s: string, limit: number): Promise<string[]>;
};
