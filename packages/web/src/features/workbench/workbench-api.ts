import type { AgentConversation, AgentInfo, AssistSuggestion, KnowledgeAnswer, Presence, QuickReply, TranscriptItem } from '@lingxi/contracts';
import { api, clientId } from '../../shared/api.ts';

/**
 * The agent REST API (module `service` on the server, /api/v1/agent/...) as the workbench uses it. All calls are
 * here, so that the screens do not know URLs. The socket carries live updates; these calls read and act.
 */
export type { QuickReply, KnowledgeAnswer };
export type GroupRef = { id: string; name: { zh: string; en: string } };
export type CustomerProfile = {
  contact: { id: string; displayName: string; identities: { kind: string; value: string; verified: boolean }[] } | null;
  flags: { vip: boolean; elderly: boolean };
  history: { conversationId: string; channel: string; status: string; startedAt: string; lastAt: string; lastText: string | null }[];
  masked: boolean;
};

export type WrapupCategory = { id: string; zh: string; en: string };
let categories: Promise<WrapupCategory[]> | null = null;
let groups: Promise<GroupRef[]> | null = null;

const enc = encodeURIComponent;
const conv = (id: string) => `/api/v1/agent/conversations/${enc(id)}`;

export const workbenchApi = {
  me: () => api.get<AgentInfo>('/api/v1/agent/me'),
  myConversations: () => api.get<{ items: AgentConversation[] }>('/api/v1/agent/conversations').then((r) => r.items),
  queue: () => api.get<{ items: AgentConversation[] }>('/api/v1/agent/queue').then((r) => r.items),
  setPresence: (presence: Presence) => api.put<unknown>('/api/v1/agent/presence', { presence }),
  accept: (id: string) => api.post<AgentConversation>(`${conv(id)}/accept`),
  transcript: (id: string) => api.get<{ conversation: AgentConversation; items: TranscriptItem[]; masked: boolean }>(conv(id)),
  send: (id: string, text: string, clientMsgId = clientId('am')) => api.post<{ seq: number; at: string }>(`${conv(id)}/messages`, { text, clientMsgId }),
  markRead: (id: string, seq: number) => api.post<unknown>(`${conv(id)}/read`, { seq }),
  transfer: (id: string, target: { toAgentId?: string; toGroup?: string; note: string }) => api.post<unknown>(`${conv(id)}/transfer`, target),
  wrapup: (id: string, body: { category: string; summary: string }) => api.put<{ seq: number }>(`${conv(id)}/wrapup`, body),
  close: (id: string) => api.post<unknown>(`${conv(id)}/close`),
  assist: (id: string) => api.get<{ suggestion: AssistSuggestion | null }>(`${conv(id)}/assist`).then((r) => r.suggestion),
  customer: (id: string) => api.get<CustomerProfile>(`${conv(id)}/customer`),
  quickReplies: () => api.get<{ items: QuickReply[] }>('/api/v1/agent/quick-replies').then((r) => r.items),
  addQuickReply: (title: string, text: string) => api.post<QuickReply>('/api/v1/agent/quick-replies', { scope: 'personal', title, text }),
  agents: () => api.get<{ items: AgentInfo[] }>('/api/v1/service/agents').then((r) => r.items),
  groups: () => (groups ??= api.get<{ items: GroupRef[] }>('/api/v1/service/groups').then((r) => r.items, (e) => { groups = null; throw e; })),
  wrapupCategories: () => (categories ??= api.get<{ items: WrapupCategory[] }>('/api/v1/service/wrapup-categories').then((r) => r.items, (e) => { categories = null; throw e; })),
  searchKnowledge: (conversationId: string, q: string) => api.get<{ items: KnowledgeAnswer[] }>('/api/v1/agent/knowledge', { q, conversationId, limit: 8 }).then((r) => r.items),
};
