import { api, ApiError } from '../../shared/api.ts';
import { loadSession } from '../../shared/session.ts';

export const STATUSES = ['draft', 'submitted', 'approved', 'published', 'archived'] as const;
export type EntryStatus = (typeof STATUSES)[number];
export const CHANNELS = ['web', 'wechat', 'wecom', 'app', 'sms', 'email', 'rcs', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Validity = 'valid' | 'expired' | 'future';
export type BulkAction = 'submit' | 'approve' | 'archive' | 'move' | 'addTag';

export type Bot = { id: string; slug: string; name: string };
export type Category = { id: string; parentId: string | null; name: string; sort: number; path: string; entryCount: number };
export type Entry = {
  id: string;
  externalId: string;
  categoryId: string | null;
  category: string | null;
  question: string;
  similar: string[];
  answer: string;
  answerHtml: string | null;
  channelAnswers: Partial<Record<Channel, string>>;
  tags: string[];
  related: string[];
  validFrom: string | null;
  validTo: string | null;
  status: EntryStatus;
  updatedBy: string | null;
  updatedAt: string;
  createdAt: string;
  submittedBy: string | null;
  submittedAt: string | null;
};
export type Comment = { id: string; author: string; authorName: string | null; action: 'comment' | 'submit' | 'approve' | 'reject' | 'publish'; text: string; createdAt: string };
/** live: the current published version has the entry (with another status, the robot still serves its published content). */
export type EntryDetail = Entry & { comments: Comment[]; live: boolean };
export type EntryInput = {
  question: string;
  similar: string[];
  answer: string;
  answerHtml: string | null;
  channelAnswers: Partial<Record<Channel, string>>;
  tags: string[];
  validFrom: string | null;
  validTo: string | null;
  categoryId: string | null;
};
export type ListQuery = {
  q?: string;
  category?: string;
  status?: EntryStatus;
  tag?: string;
  validity?: Validity;
  sort?: 'createdAt' | 'updatedAt' | 'question';
  order?: 'asc' | 'desc';
  page: number;
  pageSize: number;
};
export type ConfusionItem = { question: string; confused: boolean; self: boolean; matches: { id: string; title: string; matched: string; score: number }[] };
export type ConfusionReport = { version: number; entryId: string | null; confusedCount: number; items: ConfusionItem[] };
export type VersionInfo = { version: number; note: string | null; createdBy: string | null; createdByName?: string | null; createdAt: string; entryCount: number };
export type SnapshotEntry = { id: string; category: string | null; question: string; similar: string[]; answer: string; tags: string[]; validFrom: string | null; validTo: string | null };
export type VersionDetail = VersionInfo & { snapshot: { entries: SnapshotEntry[]; synonyms: string[][] } };
export type VersionDiff = { from: number; to: number; added: string[]; removed: string[]; changed: string[]; synonymsChanged: boolean };
export type ImportError = { row: number; column?: string; message: string };
export type ImportReport = { ok: boolean; dryRun: boolean; imported: number; created: number; updated: number; errors: ImportError[]; errorCount: number };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The knowledge API of one bot (/api/v1/bots/:bot/knowledge/...). */
export function kbApi(bot: string) {
  const b = `/api/v1/bots/${encodeURIComponent(bot)}/knowledge`;
  const e = (id: string) => `${b}/entries/${encodeURIComponent(id)}`;
  return {
    categories: () => api.get<{ items: Category[] }>(`${b}/categories`).then((r) => r.items),
    createCategory: (name: string, parentId: string | null) => api.post<Category>(`${b}/categories`, { name, parentId }),
    renameCategory: (id: string, name: string) => api.patch<Category>(`${b}/categories/${encodeURIComponent(id)}`, { name }),
    deleteCategory: (id: string) => api.del<void>(`${b}/categories/${encodeURIComponent(id)}`),
    moveCategory: (id: string, parentId: string | null, position: number) => api.post<unknown>(`${b}/categories/${encodeURIComponent(id)}/move`, { parentId, position }),
    list: (q: ListQuery) => api.get<{ items: Entry[]; total: number }>(`${b}/entries`, q),
    get: (id: string) => api.get<EntryDetail>(e(id)),
    create: (input: EntryInput) => api.post<Entry>(`${b}/entries`, input),
    update: (id: string, input: Partial<EntryInput>) => api.patch<Entry>(e(id), input),
    archive: (id: string) => api.del<Entry>(e(id)),
    submit: (id: string, comment?: string) => api.post<EntryDetail>(`${e(id)}/submit`, { comment }),
    approve: (id: string, comment?: string) => api.post<EntryDetail>(`${e(id)}/approve`, { comment }),
    reject: (id: string, comment: string) => api.post<EntryDetail>(`${e(id)}/reject`, { comment }),
    comment: (id: string, text: string) => api.post<EntryDetail>(`${e(id)}/comments`, { text }),
    bulk: (body: { ids: string[]; action: BulkAction; categoryId?: string | null; tag?: string }) => api.post<{ count: number; changed: number }>(`${b}/entries/bulk`, body),
    confusion: (body: { entryId?: string; questions?: string[] }) => api.post<ConfusionReport>(`${b}/confusion`, body),
    publish: (note?: string) => api.post<{ version: number; entryCount: number }>(`${b}/publish`, { note }),
    versions: () => api.get<{ current: number | null; items: VersionInfo[] }>(`${b}/versions`),
    version: (v: number) => api.get<VersionDetail>(`${b}/versions/${v}`),
    diff: (a: number, c: number) => api.get<VersionDiff>(`${b}/versions/${a}/diff/${c}`),
    rollback: (version: number) => api.post<{ version: number; entryCount: number }>(`${b}/rollback`, { version }),
    /** Dry run or real import of a file. A rejected file answers 400 with the same report, returned as is. */
    async importFile(file: File, dryRun: boolean): Promise<ImportReport> {
      const csv = /\.csv$/i.test(file.name);
      const token = loadSession()?.token;
      const q = new URLSearchParams({ format: csv ? 'csv' : 'xlsx', ...(dryRun ? { dryRun: 'true' } : {}) });
      const res = await fetch(`${b}/import?${q}`, {
        method: 'POST', body: file,
        headers: { 'content-type': csv ? 'text/csv' : XLSX, accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
      const data = (await res.json().catch(() => null)) as (ImportReport & { error?: { code: string; message: string } }) | null;
      if (data && Array.isArray(data.errors)) return data;
      throw new ApiError(res.status, data?.error?.code ?? `http_${res.status}`, data?.error?.message ?? res.statusText);
    },
    /** Downloads the export through fetch (the bearer token is not in a URL) and saves it. */
    async exportFile(format: 'xlsx' | 'csv'): Promise<void> {
      const token = loadSession()?.token;
      const res = await fetch(`${b}/export?format=${format}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `knowledge.${format}`;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  };
}
export type KbApi = ReturnType<typeof kbApi>;

export const listBots = () => api.get<{ items: Bot[] }>('/api/v1/bots').then((r) => r.items);
