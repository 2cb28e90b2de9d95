import { api } from '../../shared/api.ts';

export type ClusterMember = { text: string; count: number; ids: string[]; lastAt: string };
export type Cluster = { key: string; representative: string; count: number; lastAt: string; avgScore: number | null; lang: 'zh' | 'en'; members: ClusterMember[] };
export type EntryRef = { id: string; externalId: string; question: string; similar: string[]; status: string };
export type HotEntry = { entryId: string; question: string; count: number };
export type HotStats = { period: 'day' | 'week'; from: string; to: string; periods: string[]; totals: number[]; top: (HotEntry & { series: number[] })[] };
export type HotMenu = { source: 'manual' | 'auto' | 'none'; auto: boolean; items: HotEntry[] };
export type LearningSettings = { hotQuestionsAuto: boolean; lowConfidence: number };

export const questionIds = (c: Cluster) => c.members.flatMap((m) => m.ids);

export const learnApi = (bot: string) => {
  const b = `/api/v1/bots/${encodeURIComponent(bot)}`;
  return {
    clusters: (days: number) => api.get<{ questionCount: number; clusters: Cluster[] }>(`${b}/learning/clusters`, { days }),
    newEntry: (body: { questionIds: string[]; question?: string; answer?: string }) => api.post<{ entry: EntryRef; handled: number }>(`${b}/learning/clusters/new-entry`, body),
    addToEntry: (body: { questionIds: string[]; entry: string }) => api.post<{ entry: EntryRef; added: number; handled: number }>(`${b}/learning/clusters/add-to-entry`, body),
    dismiss: (questionIds: string[]) => api.post<{ dismissed: number }>(`${b}/learning/clusters/dismiss`, { questionIds }),
    hot: (period: 'day' | 'week', days: number) => api.get<HotStats>(`${b}/learning/hot`, { period, days, top: 5 }),
    hotMenu: () => api.get<HotMenu>(`${b}/learning/hot-menu`),
    /** Entries of the working copy whose question, similar questions or answer contain q (the entry picker). */
    searchEntries: (q: string) => api.get<{ items: EntryRef[] }>(`${b}/knowledge/entries`, { q, pageSize: 20 }).then((r) => r.items),
    /** The entry the published robot would pick for a question (the picker's suggestion), via the test console. */
    suggest: (text: string, version: number) =>
      api.post<{ trace: { hits: { id: string; kind: string; question: string; score: number }[] } }>(`${b}/test-console/turns`, { version, text })
        .then((r) => r.trace.hits.filter((h) => h.kind === 'entry')),
    bot: () => api.get<{ settings: { learning?: LearningSettings; hotQuestions: string[] }; publishedVersion: number | null }>(b),
    setLearning: (learning: LearningSettings) => api.patch(b, { settings: { learning } }),
  };
};
export type LearnApi = ReturnType<typeof learnApi>;
