import { api } from '../../shared/api.ts';

export const OUTCOMES = ['robot', 'handoff', 'fallback', 'clarify'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const CHANNELS = ['web', 'app', 'api', 'wechat', 'wecom', 'sms', 'email', 'rcs'] as const;

/**
 * The search's filters, named as in the URL (/conversations?from=&to=&channel=&outcome=&agent=&rating=&bot=&intent=&q=&customer=),
 * the API (/api/v1/conversations/search) and analytics' drill-down links.
 */
export const FILTER_KEYS = ['q', 'customer', 'agent', 'intent', 'rating', 'channel', 'bot', 'outcome', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>> & { page: number };

/** Filters from a query string (unknown keys and empty values ignored; a bad page becomes 1). */
export function filtersFromSearch(search: string): Filters {
  const sp = new URLSearchParams(search);
  const f: Filters = { page: 1 };
  for (const k of FILTER_KEYS) {
    const v = sp.get(k)?.trim();
    if (v) f[k] = v;
  }
  const page = Number(sp.get('page'));
  if (Number.isInteger(page) && page > 1) f.page = page;
  return f;
}

/** The query string of filters, in a stable order; page 1 is left out. */
export function searchOfFilters(f: Filters): string {
  const sp = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) sp.set(k, f[k]!);
  if (f.page > 1) sp.set('page', String(f.page));
  return sp.toString();
}

export type SearchHit = {
  conversationId: string; botId: string; channel: string; startedAt: string; lastAt: string; firstQuestion: string | null; messages: number;
  handoff: boolean; fallback: boolean; clarify: boolean; agentIds: string[]; entryIds: string[]; rating: number | null; status: string;
  contactId: string | null; agents: { id: string; name: string }[]; outcome: Outcome;
  customer: { id: string; name: string | null; phone: string | null } | null;
};
export type SearchResult = { items: SearchHit[]; total: number; page: number; pageSize: number };

export type TranscriptEvent = { seq: number; type: string; at: string; payload: Record<string, unknown> };
export type Identity = { kind: string; value: string; verified: boolean };
export type Transcript = {
  conversation: { id: string; botId: string; channel: string; status: string; contactId: string | null; createdAt: string; updatedAt: string };
  customer: { id: string; displayName: string | null; identities: Identity[] } | null;
  summary: { handoff: boolean; fallback: boolean; clarify: boolean; rating: number | null; agentIds: string[]; entryIds: string[]; messages: number; outcome: Outcome };
  events: TranscriptEvent[];
  masked: boolean;
};

export type ContactCandidate = { id: string; displayName: string | null; createdAt: string; conversations: number; identities: Identity[] };

export const PAGE_SIZE = 20;

export const conversationsApi = {
  search: (f: Filters, signal?: AbortSignal) => api.get<SearchResult>('/api/v1/conversations/search', { ...f, pageSize: PAGE_SIZE }, signal),
  transcript: (id: string, unmask: boolean) => api.get<Transcript>(`/api/v1/conversations/${encodeURIComponent(id)}/transcript`, unmask ? { unmask: 1 } : undefined),
  contacts: (q: string) => api.get<{ items: ContactCandidate[] }>('/api/v1/contacts', { q, limit: 20 }),
  merge: (into: string, from: string) => api.post<{ id: string }>(`/api/v1/contacts/${encodeURIComponent(into)}/merge`, { from }),
  bots: () => api.get<{ items: { id: string; slug: string; name: string }[] }>('/api/v1/bots'),
  users: () => api.get<{ items: { id: string; username: string; displayName: string; roles: string[] }[] }>('/api/v1/users'),
};

/** What a merge would give: the survivor's name (else the other's), every identity once, all conversations. */
export function mergePreview(keep: ContactCandidate, other: ContactCandidate) {
  const seen = new Set<string>();
  const identities = [...keep.identities, ...other.identities].filter((i) => {
    const k = `${i.kind}:${i.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { id: keep.id, displayName: keep.displayName ?? other.displayName, identities, conversations: keep.conversations + other.conversations };
}

export const IDENTITY_KINDS = ['phone', 'email', 'app_user', 'wechat_openid', 'wechat_unionid', 'wecom_userid', 'wecom_external', 'rcs', 'web_visitor'] as const;
type IdentityKind = (typeof IDENTITY_KINDS)[number];
/** The dictionary key naming an identity kind (an unknown kind is shown as "other"). */
export const identityKindKey = (kind: string) => `conv.kind.${(IDENTITY_KINDS as readonly string[]).includes(kind) ? (kind as IdentityKind) : 'other'}` as const;
