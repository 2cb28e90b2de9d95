import type { ConsoleVersion, TurnTrace } from '@lingxi/contracts';
import { api } from '../../shared/api.ts';

export type ReplyOption = { n: number; text: string; entryId?: string };
export type Reply = { type: string; text: string; entryId?: string; html?: string; options?: ReplyOption[]; related?: ReplyOption[] };
export type ConsoleTurn = { replies: Reply[]; state: Record<string, unknown>; trace: TurnTrace };
export type VersionInfo = { version: number; note: string | null; createdAt: string; entryCount?: number };

export const tcApi = (bot: string) => ({
  turn: (body: { version: ConsoleVersion; text: string; state?: Record<string, unknown> }) =>
    api.post<ConsoleTurn>(`/api/v1/bots/${encodeURIComponent(bot)}/test-console/turns`, body),
  versions: () => api.get<{ current: number | null; items: VersionInfo[] }>(`/api/v1/bots/${encodeURIComponent(bot)}/knowledge/versions`),
});
