import { api, ApiError } from '../../shared/api.ts';
import { loadSession } from '../../shared/session.ts';

/** The dashboards' REST API (server modules/analytics, docs/ANALYTICS.md). Days are YYYY-MM-DD in Asia/Shanghai. */
export type Filter = { from: string; to: string; channel?: string };
export type Rate = number | null;
export type Totals = {
  conversations: number; handedOff: number; fallback: number; clarify: number; answered: number; robotResolved: number;
  selfServiceRate: Rate; handoffRate: Rate; fallbackRate: Rate; clarifyRate: Rate; rated: number; averageRating: number | null; satisfactionRate: Rate;
};
export type Overview = { range: { from: string; to: string; fromAt: string; toAt: string }; totals: Totals; channels: string[]; pendingEvents: number };
export type Traffic = { hours: { channel: string; hour: number; conversations: number }[]; days: { channel: string; day: string; conversations: number }[] };
export type TrendDay = { day: string; conversations: number; selfServiceRate: Rate; handoffRate: Rate; fallbackRate: Rate; clarifyRate: Rate };
export type TopRow = { key: string; botId: string | null; label: string | null; hits: number; conversations: number };
export type SatisfactionRow = { key: string; label: string | null; rated: number; averageRating: number | null; satisfactionRate: Rate };
export type AgentRow = {
  agentId: string; agentName: string | null; conversations: number; resolved: number; resolutionRate: Rate;
  averageFirstResponseMs: number | null; averageHandleMs: number | null; rated: number; averageRating: number | null;
};
export type SlaFigures = { workOrders: number; resolved: number; responseMet: number; responseBreached: number; responsePending: number; resolutionMet: number; resolutionBreached: number; resolutionPending: number; responseAttainment: Rate; resolutionAttainment: Rate };
export type Sla = { total: SlaFigures; days: (SlaFigures & { day: string })[] };
export type ExportTable = 'overview' | 'channels' | 'hours' | 'trends' | 'entries' | 'intents' | 'satisfaction-bot' | 'satisfaction-agent' | 'satisfaction-group' | 'agents' | 'sla';

const B = '/api/v1/analytics';
const q = (f: Filter) => ({ from: f.from, to: f.to, channel: f.channel });

export const analyticsApi = {
  overview: (f: Filter) => api.get<Overview>(`${B}/overview`, q(f)),
  traffic: (f: Filter) => api.get<Traffic>(`${B}/traffic`, q(f)),
  trends: (f: Filter) => api.get<{ items: TrendDay[] }>(`${B}/trends`, q(f)).then((r) => r.items),
  top: (f: Filter, kind: 'entry' | 'intent') => api.get<{ items: TopRow[] }>(`${B}/top`, { ...q(f), kind, limit: 10 }).then((r) => r.items),
  satisfaction: (f: Filter, by: 'bot' | 'agent' | 'group') => api.get<{ items: SatisfactionRow[] }>(`${B}/satisfaction`, { ...q(f), by }).then((r) => r.items),
  agents: (f: Filter) => api.get<{ items: AgentRow[] }>(`${B}/agents`, q(f)).then((r) => r.items),
  sla: (f: Filter) => api.get<Sla>(`${B}/sla`, q(f)),
  refresh: () => api.post<{ ran: boolean; events: number }>(`${B}/refresh`),
  /** Downloads an export through fetch (the bearer token stays out of the URL) and saves it. */
  async exportFile(table: ExportTable, format: 'csv' | 'xlsx', f: Filter, lang: 'zh' | 'en'): Promise<void> {
    const token = loadSession()?.token;
    const params = new URLSearchParams({ table, format, lang, from: f.from, to: f.to, ...(f.channel ? { channel: f.channel } : {}) });
    const res = await fetch(`${B}/export?${params}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `analytics-${table}.${format}`;
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
};
