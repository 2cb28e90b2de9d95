import type { Queryable } from '../../storage/db.ts';
import type { KnowledgeSnapshot } from './knowledge-snapshot.ts';

/** Channels an answer can have a variant for (the robot picks the variant of the conversation's channel). */
export const CHANNELS = ['web', 'wechat', 'wecom', 'app', 'sms', 'email', 'rcs', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Review workflow: draft → submitted → approved → published (the next publish snapshots approved and published
 * entries, and keeps the live content of a published entry whose edit is still a draft or submitted). A reviewer's
 * rejection returns a submitted or approved entry to draft. Archived = deleted.
 */
export const ENTRY_STATUSES = ['draft', 'submitted', 'approved', 'published', 'archived'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];
/** What the working copy lists by default (everything but archived). */
export const LIVE_STATUSES: EntryStatus[] = ['draft', 'submitted', 'approved', 'published'];

export const COMMENT_ACTIONS = ['comment', 'submit', 'approve', 'reject', 'publish'] as const;
export type CommentAction = (typeof COMMENT_ACTIONS)[number];
/** One line of an entry's review timeline. */
export type EntryComment = {
  id: string;
  entryId: string;
  /** The actor ("user:<id>", "apikey:<id>") and, for a user, the username at the time. */
  author: string;
  authorName: string | null;
  action: CommentAction;
  text: string;
  createdAt: Date;
};

export type Category = {
  id: string;
  botId: string;
  parentId: string | null;
  name: string;
  sort: number;
  createdAt: Date;
};

/** The content of an FAQ entry as written to the working copy. */
export type EntryRecord = {
  /** Internal id; for an upsert of an existing external id it is ignored (the row keeps its id). */
  id: string;
  /** Stable id of the import layout's `id` column, unique per bot; what snapshots and the robot refer to. */
  externalId: string;
  categoryId: string | null;
  question: string;
  similar: string[];
  answer: string;
  answerHtml: string | null;
  channelAnswers: Partial<Record<Channel, string>>;
  tags: string[];
  /** External ids of related entries. */
  related: string[];
  validFrom: Date | null;
  validTo: Date | null;
  status: EntryStatus;
  updatedBy: string | null;
};

export type Entry = EntryRecord & {
  botId: string;
  createdAt: Date;
  updatedAt: Date;
  /** Who submitted it for review and when (kept after approval: four-eyes compares the approver with it). */
  submittedBy: string | null;
  submittedAt: Date | null;
};

export const ENTRY_SORTS = ['createdAt', 'updatedAt', 'question'] as const;
export type EntrySort = (typeof ENTRY_SORTS)[number];

export type EntryQuery = {
  /** Substring of the question, a similar question or the answer (case-insensitive), or an exact external id. */
  q?: string;
  categoryIds?: string[];
  statuses?: EntryStatus[];
  tag?: string;
  /** Only entries valid at this instant. */
  validAt?: Date;
  /** Validity relative to `now`: valid (in its period), expired (ended), future (not started). */
  validity?: { state: 'valid' | 'expired' | 'future'; now: Date };
  sort?: EntrySort;
  order?: 'asc' | 'desc';
  offset: number;
  limit: number;
};

export type SynonymSet = { id: string; botId: string; words: string[]; createdAt: Date };

export type VersionInfo = {
  version: number;
  note: string | null;
  createdBy: string | null;
  /** The publishing user's display name (list only; null for the system or an API key). */
  createdByName?: string | null;
  createdAt: Date;
  entryCount: number;
};
export type Version = VersionInfo & { snapshot: KnowledgeSnapshot };

/**
 * The knowledge port. Every method is scoped by tenant and bot. `bind(q)` returns the same repository working on a
 * transaction's connection, so a service can run several calls atomically (db.tx).
 */
export type KnowledgeRepository = {
  bind(q: Queryable): KnowledgeRepository;

  listCategories(tenantId: string, botId: string): Promise<Category[]>;
  findCategory(tenantId: string, botId: string, id: string): Promise<Category | null>;
  findCategoryByName(tenantId: string, botId: string, parentId: string | null, name: string): Promise<Category | null>;
  insertCategory(tenantId: string, c: Omit<Category, 'createdAt'>): Promise<void>;
  updateCategory(tenantId: string, botId: string, id: string, patch: { name?: string; parentId?: string | null; sort?: number }): Promise<boolean>;
  deleteCategory(tenantId: string, botId: string, id: string): Promise<boolean>;
  /** Child categories and non-archived entries of a category. */
  categoryUsage(tenantId: string, botId: string, id: string): Promise<{ children: number; entries: number }>;
  /** Non-archived entries per category id. */
  entryCounts(tenantId: string, botId: string): Promise<Map<string, number>>;
  /** Archived entries keep their content but lose the category (so it can be deleted). */
  detachArchivedEntries(tenantId: string, botId: string, categoryId: string): Promise<void>;

  insertEntry(tenantId: string, botId: string, e: EntryRecord, at: Date): Promise<void>;
  updateEntry(tenantId: string, botId: string, e: EntryRecord, at: Date): Promise<boolean>;
  /** Inserts or updates by external id (unique per bot), in batches. */
  upsertEntries(tenantId: string, botId: string, es: EntryRecord[], at: Date): Promise<void>;
  /** By internal id or external id. */
  findEntry(tenantId: string, botId: string, ref: string): Promise<Entry | null>;
  /** Which of these external ids exist (any status). */
  existingExternalIds(tenantId: string, botId: string, externalIds: string[]): Promise<Set<string>>;
  listEntries(tenantId: string, botId: string, q: EntryQuery): Promise<{ items: Entry[]; total: number }>;
  entriesWithStatus(tenantId: string, botId: string, statuses: EntryStatus[]): Promise<Entry[]>;
  /** Sets status `to` on entries with status `from` whose external id is not in keep; returns how many. */
  demoteEntriesNotIn(tenantId: string, botId: string, from: EntryStatus, to: EntryStatus, keep: string[], at: Date): Promise<number>;

  /** Entries by internal id (any status). */
  findEntriesByIds(tenantId: string, botId: string, ids: string[]): Promise<Entry[]>;
  /**
   * Sets the status of these entries (by internal id). `submittedBy` is written when given (a submit), kept
   * otherwise. Returns how many rows changed.
   */
  setStatus(tenantId: string, botId: string, ids: string[], status: EntryStatus, actor: string, at: Date, submittedBy?: string): Promise<number>;
  /** Moves entries to a category (null = uncategorised). */
  setCategory(tenantId: string, botId: string, ids: string[], categoryId: string | null, actor: string, at: Date): Promise<number>;
  /** Adds a tag to entries that do not have it yet. */
  addTag(tenantId: string, botId: string, ids: string[], tag: string, actor: string, at: Date): Promise<number>;
  insertComments(tenantId: string, botId: string, cs: EntryComment[]): Promise<void>;
  listComments(tenantId: string, botId: string, entryId: string): Promise<EntryComment[]>;

  listSynonyms(tenantId: string, botId: string): Promise<SynonymSet[]>;
  findSynonym(tenantId: string, botId: string, id: string): Promise<SynonymSet | null>;
  insertSynonym(tenantId: string, s: Omit<SynonymSet, 'createdAt'>): Promise<void>;
  updateSynonym(tenantId: string, botId: string, id: string, words: string[]): Promise<boolean>;
  deleteSynonym(tenantId: string, botId: string, id: string): Promise<boolean>;
  deleteAllSynonyms(tenantId: string, botId: string): Promise<void>;

  /** Locks the bot row until the transaction ends (serialises publishes of one bot across nodes); false if absent. */
  lockBot(tenantId: string, botId: string): Promise<boolean>;
  maxVersion(tenantId: string, botId: string): Promise<number>;
  insertVersion(tenantId: string, botId: string, v: { version: number; snapshot: KnowledgeSnapshot; note: string | null; createdBy: string | null; createdAt: Date }): Promise<void>;
  setPublishedVersion(tenantId: string, botId: string, version: number): Promise<void>;
  publishedVersion(tenantId: string, botId: string): Promise<number | null>;
  listVersions(tenantId: string, botId: string): Promise<VersionInfo[]>;
  getVersion(tenantId: string, botId: string, version: number): Promise<Version | null>;
  /** Whether the bot's current published version has an entry with this external id (false before the first publish). */
  isLive(tenantId: string, botId: string, externalId: string): Promise<boolean>;
};
