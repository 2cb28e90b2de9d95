import { useSyncExternalStore } from 'react';
import { beep } from '../../shared/notify.ts';
import { wsUrl } from '../../shared/ws-client.ts';
import { AgentStore, type WorkbenchState } from './agent-store.ts';

/** One store per tab, started at sign-in (app.tsx) and stopped at sign-out. */
export const agentStore = new AgentStore(() => wsUrl('/api/v1/agent/ws'), {
  beep,
  visible: () => document.visibilityState === 'visible',
});

export function useWorkbench(): WorkbenchState {
  return useSyncExternalStore(agentStore.subscribe, agentStore.getState);
}
