import type { AgentConversation, AgentInfo, QueueStats } from '@lingxi/contracts';
import { api } from '../../shared/api.ts';

/** Supervisor REST (module `service`): live queues, agents with their load and conversations, interventions. */
export type AgentStatus = AgentInfo & { conversations: string[] };

const enc = encodeURIComponent;
const conv = (id: string) => `/api/v1/supervisor/conversations/${enc(id)}`;

export const supervisorApi = {
  queues: () => api.get<{ items: QueueStats[] }>('/api/v1/supervisor/queues').then((r) => r.items),
  agents: () => api.get<{ items: AgentStatus[] }>('/api/v1/supervisor/agents').then((r) => r.items),
  waiting: () => api.get<{ items: AgentConversation[] }>('/api/v1/supervisor/queue').then((r) => r.items),
  assign: (id: string, agentId: string) => api.post<unknown>(`${conv(id)}/assign`, { agentId }),
  takeOver: (id: string) => api.post<unknown>(`${conv(id)}/take-over`),
  join: (id: string) => api.post<unknown>(`${conv(id)}/join`),
};
