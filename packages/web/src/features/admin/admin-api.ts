import { api, ApiError } from '../../shared/api.ts';
import { loadSession, type Role } from '../../shared/session.ts';

/** The administration API (server: modules/auth, tenancy, audit, channels/core, service). */
export const ROLES: Role[] = ['admin', 'knowledge_operator', 'agent', 'supervisor', 'inspector', 'analyst'];

export type User = { id: string; username: string; displayName: string; roles: Role[]; disabled: boolean; createdAt: string };
export type ApiKey = { id: string; name: string; prefix: string; roles: Role[]; createdAt: string; revokedAt: string | null };
export type RoleMatrix = { permissions: string[]; items: { role: Role; permissions: string[] }[] };

export type HoursInterval = { start: string; end: string };
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type WorkingHours = { timeZone: string; weekly: Record<Weekday, HoursInterval[]> };
export type SkillGroup = {
  id: string;
  name: { zh: string; en: string };
  strategy: 'least_busy' | 'round_robin' | 'last_agent';
  workingHours: WorkingHours | null;
  outOfHoursMessage: { zh: string; en: string };
  routing: { categories: string[]; entryIds: string[]; queues: string[]; languages: string[] };
  isDefault: boolean;
  sort?: number;
};
export type Agent = { userId: string; username: string; displayName: string; maxConcurrent: number; groups: string[]; presence: 'online' | 'busy' | 'away' | 'offline'; load: number };

export type Channel = {
  id: string; botId: string; type: string; name: string; public: Record<string, unknown>; secrets: Record<string, 'set'>;
  enabled: boolean; webhookPath: string; createdAt: string; updatedAt: string;
};

export type BotSettings = {
  greeting: string; fallback: string; handoffText: string; thanksReply: string;
  handoffAfterFailures: number; handoffKeywords: string[];
  thresholds: { answer: number; margin: number; clarify: number };
  maxClarifyOptions: number; relatedQuestions: number; hotQuestions: string[];
  learning: { hotQuestionsAuto: boolean; lowConfidence: number };
};
export type Bot = { id: string; slug: string; name: string; locale: string; isPublic: boolean; settings: BotSettings; publishedVersion: number | null };

export type AuditEntry = { id: number; actor: string; actorName?: string; action: string; target?: string; details?: Record<string, unknown>; at: string };
export type AuditFilter = { actor?: string; action?: string; target?: string; from?: string; to?: string };

const enc = encodeURIComponent;

export const adminApi = {
  users: () => api.get<{ items: User[] }>('/api/v1/users').then((r) => r.items),
  createUser: (b: { username: string; displayName?: string; password: string; roles: Role[] }) => api.post<User>('/api/v1/users', b),
  patchUser: (id: string, b: Partial<{ displayName: string; roles: Role[]; disabled: boolean }>) => api.patch<User>(`/api/v1/users/${enc(id)}`, b),
  resetPassword: (id: string, password: string) => api.post<User>(`/api/v1/users/${enc(id)}/reset-password`, { password }),
  roles: () => api.get<RoleMatrix>('/api/v1/roles'),

  apiKeys: () => api.get<{ items: ApiKey[] }>('/api/v1/api-keys').then((r) => r.items),
  createApiKey: (b: { name: string; roles: Role[] }) => api.post<ApiKey & { key: string }>('/api/v1/api-keys', b),
  revokeApiKey: (id: string) => api.del<void>(`/api/v1/api-keys/${enc(id)}`),

  groups: () => api.get<{ items: SkillGroup[] }>('/api/v1/service/groups').then((r) => r.items),
  putGroup: (g: SkillGroup) => {
    const { id, ...body } = g;
    return api.put<SkillGroup>(`/api/v1/service/groups/${enc(id)}`, body);
  },
  deleteGroup: (id: string) => api.del<void>(`/api/v1/service/groups/${enc(id)}`),
  agents: () => api.get<{ items: Agent[] }>('/api/v1/service/agents').then((r) => r.items),
  putAgent: (userId: string, b: { displayName?: string; maxConcurrent?: number; groups?: string[] }) => api.put<Agent>(`/api/v1/service/agents/${enc(userId)}`, b),
  deleteAgent: (userId: string) => api.del<void>(`/api/v1/service/agents/${enc(userId)}`),

  channels: () => api.get<{ items: Channel[] }>('/api/v1/channels').then((r) => r.items),
  patchChannel: (id: string, b: { name?: string; enabled?: boolean; public?: Record<string, unknown>; secrets?: Record<string, string | null> }) => api.patch<Channel>(`/api/v1/channels/${enc(id)}`, b),

  bots: () => api.get<{ items: Bot[] }>('/api/v1/bots').then((r) => r.items),
  patchBot: (bot: string, settings: Partial<BotSettings>) => api.patch<Bot>(`/api/v1/bots/${enc(bot)}`, { settings }),

  audit: (f: AuditFilter & { limit: number; offset: number }) => api.get<{ items: AuditEntry[]; total: number }>('/api/v1/audit-log/entries', f),
  /** Downloads the export with the bearer token (a plain link cannot carry it). */
  exportAudit: async (f: AuditFilter, format: 'csv' | 'xlsx', lang: 'zh' | 'en') => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, format, lang })) if (v) q.set(k, v);
    const res = await fetch(`/api/v1/audit-log/export?${q}`, { headers: { authorization: `Bearer ${loadSession()?.token ?? ''}` } });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ApiError(res.status, body.error?.code ?? `http_${res.status}`, body.error?.message ?? res.statusText);
    }
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `audit-log-${new Date().toISOString().slice(0, 10)}.${format}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

/** The message of an API error with the first field problem, if any (zod's `details.issues` or `details.problems`). */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const d = e.details as { problems?: { message: string }[] } | undefined;
    if (d?.problems?.length) return d.problems.map((p) => p.message).join('; ');
    return e.message;
  }
  return (e as Error).message;
}
