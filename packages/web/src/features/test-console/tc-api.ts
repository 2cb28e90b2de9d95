import { api } from '../../shared/api.ts';

export type ConsoleVersion = 'draft' | number;
export type ReplyOption = { n: number; text: string; entryId?: string };
export type Reply = { type: string; text: string; entryId?: string; html?: string; options?: ReplyOption[]; related?: ReplyOption[] };
export type TraceHit = { id: string; kind: 'entry' | 'flow'; question: string; score: number };
export type Decision = 'answer' | 'clarify' | 'fallback' | 'flow' | 'handoff' | 'smalltalk' | 'no_knowledge';
export type TurnTrace = {
  version: ConsoleVersion;
  trainedAt: string;
  entryCount: number;
  lang: string;
  normalized: string | null;
  rewritten?: string;
  decision: Decision;
  intent: TraceHit | null;
  hits: TraceHit[];
  thresholds: { answer: number; margin: number; clarify: number };
  reason: { rule: string; text: string; score?: number; second?: number; margin?: number };
  flow?: { id: string; name: string };
  ms: number;
};
export type ConsoleTurn = { replies: Reply[]; state: Record<string, unknown>; trace: TurnTrace };
export type VersionInfo = { version: number; note: string | null; createdAt: string; entryCount?: number };

export const tcApi = (bot: string) => ({
  turn: (body: { version: ConsoleVersion; text: string; state?: Record<string, unknown> }) =>
    api.post<ConsoleTurn>(`/api/v1/bots/${encodeURIComponent(bot)}/test-console/turns`, body),
  versions: () => api.get<{ current: number | null; items: VersionInfo[] }>(`/api/v1/bots/${encodeURIComponent(bot)}/knowledge/versions`),
});
