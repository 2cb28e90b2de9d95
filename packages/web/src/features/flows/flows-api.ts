import type { Reply } from '@lingxi/contracts';
import { api } from '../../shared/api.ts';
import type { FlowJson } from './flow-graph.ts';

export type Bot = { id: string; slug: string; name: string; locale: string };
export type StoredFlow = { botId: string; id: string; version: number; enabled: boolean; definition: FlowJson; createdAt: string; updatedAt: string; updatedBy: string | null };
export type FlowProblem = { stepId?: string; message: string };
export type Connector = { id: string; name: string; operations: string[] };
export type DryRunTurn = { user: string; replies: Reply[]; events: { type: string; payload: Record<string, unknown> }[]; state: { stepId: string; vars: Record<string, unknown> } | null };
export type DryRunResult = {
  flowId: string; version: number; turns: DryRunTurn[]; outcome: 'active' | 'end' | 'transfer' | 'cancelled' | 'failed';
  unplayed: string[]; calls: { connector: string; operation: string; source: 'mock' | 'live'; ok: boolean; error?: string }[]; problems: FlowProblem[];
};

const base = (bot: string) => `/api/v1/bots/${encodeURIComponent(bot)}/flows`;

/** The flow designer's calls (server: modules/flows/routes.ts). */
export const flowsApi = {
  bots: () => api.get<{ items: Bot[] }>('/api/v1/bots').then((r) => r.items),
  list: (bot: string) => api.get<{ items: StoredFlow[] }>(base(bot)).then((r) => r.items),
  get: (bot: string, id: string) => api.get<StoredFlow>(`${base(bot)}/${encodeURIComponent(id)}`),
  put: (bot: string, id: string, flow: FlowJson) => api.put<StoredFlow>(`${base(bot)}/${encodeURIComponent(id)}`, flow),
  remove: (bot: string, id: string) => api.del<void>(`${base(bot)}/${encodeURIComponent(id)}`),
  setEnabled: (bot: string, id: string, enabled: boolean) => api.patch<StoredFlow>(`${base(bot)}/${encodeURIComponent(id)}`, { enabled }),
  validate: (bot: string, flow: FlowJson) => api.post<{ ok: boolean; problems: FlowProblem[] }>(`${base(bot)}/validate`, flow),
  dryRun: (bot: string, flow: FlowJson, messages: string[], identity: { verified: boolean }) =>
    api.post<DryRunResult>(`${base(bot)}/dry-run`, { flow, messages, identity }),
  connectors: () => api.get<{ items: Connector[] }>('/api/v1/connectors').then((r) => r.items),
};
