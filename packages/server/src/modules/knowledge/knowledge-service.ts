import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { FlowDefinition } from '@lingxi/contracts';
import type { Db, Queryable } from '../../storage/db.ts';
import { sameFlow, type FlowRepository } from '../flows/flow-repository.ts';
import type { FlowProblem } from '../flows/validate.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { can, type Role } from '../auth/roles.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import { KB_PUBLISHED_CHANNEL, type KnowledgeImported, type KnowledgePublished } from './events.ts';
import {
  entriesToRecords, readTable, validateTable, writeTable, ImportFileError,
  type EntryDraft, type FileFormat, type ImportError,
} from './import-export.ts';
import {
  LIVE_STATUSES,
  type Category, type Entry, type EntryComment, type EntryRecord, type EntrySort, type EntryStatus, type KnowledgeRepository, type SynonymSet,
  type Version, type VersionInfo,
} from './knowledge-repository.ts';
import { DIRECT_STATUSES, editNeedsReview, transition, type BulkAction, type ReviewAction, type TransitionProblem } from './review.ts';
import type { KnowledgeSnapshot, SnapshotEntry } from './knowledge-snapshot.ts';
import {
  CategoryName, checkContent, EntryCreate, EntryPatch, ExternalId, parseCategoryPath, SynonymWords,
  type EntryContent, type FieldProblem,
} from './validation.ts';

/** Who acts: the tenant every query is scoped to, and the actor for the audit log ("user:<id>", "apikey:<id>"). */
export type Actor = {
  tenantId: string;
  actor: string;
  /** For a user: shown in review comments. */
  username?: string;
  /**
   * A signed-in user's or an API key's roles: routes pass the request's principal, which carries them. They decide
   * whether the actor may put content live without review (kb:review). Internal callers that act for no user (demo
   * seeding, the eval CLI) pass none and are trusted.
   */
  roles?: Role[];
};

/** Only a reviewer (kb:review) may create, patch or import entries as published, or edit a published entry in place. */
function mayPublishDirectly(p: Actor): boolean {
  return p.roles ? can({ ...p, roles: p.roles }, 'kb:review') : true;
}

export type EntryView = Entry & { /** Category path "parent/child", null when uncategorised. */ category: string | null };
export type CategoryView = Category & { path: string; entryCount: number };
export type CategoryNode = CategoryView & { children: CategoryNode[] };

export type EntryListQuery = {
  q?: string;
  /** A category id: entries of it and of its sub-categories. */
  category?: string;
  /** Default: draft and published (archived entries are listed only when asked for). */
  status?: EntryStatus;
  tag?: string;
  validAt?: Date;
  /** Validity now: in its period, ended, or not started yet. */
  validity?: 'valid' | 'expired' | 'future';
  sort?: EntrySort;
  order?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
};

export type EntryDetail = EntryView & {
  comments: EntryComment[];
  /** The current published version has this entry: with a status other than published, its live content differs. */
  live: boolean;
};

export type BulkInput = { ids: string[]; action: BulkAction; categoryId?: string | null; tag?: string; comment?: string };
export type BulkResult = { action: BulkAction; count: number; changed: number };

export type ImportReport = {
  ok: boolean;
  dryRun: boolean;
  /** Rows imported (or, for a dry run, that would be). */
  imported: number;
  created: number;
  updated: number;
  /** Every problem found (at most 500 listed; errorCount has the total). Nothing is imported when there is one. */
  errors: ImportError[];
  errorCount: number;
};

export type VersionDiff = {
  from: number; to: number; added: string[]; removed: string[]; changed: string[]; synonymsChanged: boolean;
  /** Flow ids added, removed and changed (the definition, its version number aside); when either version has flows. */
  flows?: { added: string[]; removed: string[]; changed: string[] };
};

/** Where publish finds the bot's flows, and how it checks them (see setFlows). */
export type FlowStore = {
  repo: FlowRepository;
  /** Problems of the flows about to be published (a connector deleted since a flow was saved), per flow. */
  validate?(tenantId: string, defs: FlowDefinition[]): Promise<{ flowId: string; problems: FlowProblem[] }[]>;
};

/** The shape of the demo knowledge files (and of any programmatic seeding). */
export type SeedEntry = {
  id: string;
  category?: string | null;
  question: string;
  similar?: string[];
  answer: string;
  answerHtml?: string | null;
  channelAnswers?: Record<string, string>;
  tags?: string[];
  related?: string[];
  validFrom?: string | null;
  validTo?: string | null;
};

type Deps = {
  db: Db;
  repo: KnowledgeRepository;
  tenancy: TenancyService;
  audit: AuditLog;
  clock: Clock;
  coordination: Coordination;
  events: EventBus;
};

const PAGE_SIZE_MAX = 200;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A short external id for entries created without one: "kb-" + 8 base36 characters. */
export function generateExternalId(): string {
  let s = '';
  for (const b of randomBytes(8)) s += ALPHABET[b % 36];
  return `kb-${s}`;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

function invalid(problems: FieldProblem[] | z.core.$ZodIssue[], what = 'entry'): AppError {
  const details = problems.map((p) => ('field' in p ? p : { field: p.path.join('.'), message: p.message }));
  return new AppError('validation_failed', `invalid ${what}: ${details.map((d) => `${d.field || '(input)'} ${d.message}`).join('; ')}`, details);
}

function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw invalid(r.error.issues, what);
  return r.data;
}

/**
 * Knowledge base use cases: categories, FAQ entries (the working copy), synonym sets, immutable published versions
 * (publish, rollback, diff), and file import/export. Every call is scoped to the caller's tenant; another tenant's
 * bot is "not found". Every change is audited.
 */
export class KnowledgeService {
  private beforeAnnounce?: (tenantId: string, botId: string, version: number) => Promise<void>;
  private flowStore?: FlowStore;
  constructor(private d: Deps) {}

  /**
   * Versions the bot's business flows with its knowledge: publish copies the enabled flows of the working copy into
   * the new version (after checking them), rollback restores the working copy's flows to the target version's.
   */
  setFlows(store: FlowStore) {
    this.flowStore = store;
  }

  /**
   * Work to finish before a new version is announced to the cluster: the model registry builds and persists the
   * version's model here, so that other nodes only load it and answer from it within a second.
   */
  setBeforeAnnounce(fn: (tenantId: string, botId: string, version: number) => Promise<void>) {
    this.beforeAnnounce = fn;
  }

  private bot(tenantId: string, botRef: string) {
    return this.d.tenancy.getBot(tenantId, botRef);
  }

  private tx<R>(fn: (r: KnowledgeRepository, q: Queryable) => Promise<R>): Promise<R> {
    return this.d.db.tx((q) => fn(this.d.repo.bind(q), q));
  }

  private audit(p: Actor, action: string, target: string, details: Record<string, unknown> = {}) {
    return this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action, target, details });
  }

  // ------------------------------------------------------------------ categories

  private async categoryViews(r: KnowledgeRepository, tenantId: string, botId: string): Promise<CategoryView[]> {
    const cats = await r.listCategories(tenantId, botId);
    const counts = await r.entryCounts(tenantId, botId);
    const paths = categoryPaths(cats);
    return cats.map((c) => ({ ...c, path: paths.get(c.id)!, entryCount: counts.get(c.id) ?? 0 }));
  }

  async listCategories(tenantId: string, botRef: string): Promise<CategoryView[]> {
    const bot = await this.bot(tenantId, botRef);
    return this.categoryViews(this.d.repo, tenantId, bot.id);
  }

  /** The category tree, siblings ordered by sort then name. */
  async categoryTree(tenantId: string, botRef: string): Promise<CategoryNode[]> {
    const views = await this.listCategories(tenantId, botRef);
    const nodes = new Map(views.map((v) => [v.id, { ...v, children: [] as CategoryNode[] }]));
    const roots: CategoryNode[] = [];
    for (const n of nodes.values()) (n.parentId && nodes.get(n.parentId) ? nodes.get(n.parentId)!.children : roots).push(n);
    return roots;
  }

  async createCategory(p: Actor, botRef: string, input: { name: string; parentId?: string | null; sort?: number }): Promise<CategoryView> {
    const bot = await this.bot(p.tenantId, botRef);
    const name = parse(CategoryName, input.name, 'category name');
    const parentId = input.parentId ?? null;
    const cats = await this.d.repo.listCategories(p.tenantId, bot.id);
    if (parentId && !cats.some((c) => c.id === parentId)) throw new AppError('bad_request', 'parent category not found');
    const siblings = cats.filter((c) => c.parentId === parentId);
    if (siblings.some((c) => c.name === name)) throw new AppError('conflict', `a category named "${name}" already exists there`);
    const c = { id: newId('kbc'), botId: bot.id, parentId, name, sort: input.sort ?? Math.max(-1, ...siblings.map((s) => s.sort)) + 1 };
    try {
      await this.d.repo.insertCategory(p.tenantId, c);
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('conflict', `a category named "${name}" already exists there`);
      throw e;
    }
    await this.audit(p, 'kb.category.create', c.id, { botId: bot.id, name, parentId });
    return (await this.listCategories(p.tenantId, bot.id)).find((x) => x.id === c.id)!;
  }

  /** Renames, moves (parentId; null = top level) and/or reorders (sort) a category. Moving under itself or a descendant is refused. */
  async updateCategory(p: Actor, botRef: string, id: string, patch: { name?: string; parentId?: string | null; sort?: number }): Promise<CategoryView> {
    const bot = await this.bot(p.tenantId, botRef);
    const cats = await this.d.repo.listCategories(p.tenantId, bot.id);
    const cat = cats.find((c) => c.id === id);
    if (!cat) throw notFound('category');
    const name = patch.name !== undefined ? parse(CategoryName, patch.name, 'category name') : cat.name;
    const parentId = patch.parentId !== undefined ? patch.parentId : cat.parentId;
    if (parentId) {
      const byId = new Map(cats.map((c) => [c.id, c]));
      if (!byId.has(parentId)) throw new AppError('bad_request', 'parent category not found');
      for (let at: string | null = parentId; at; at = byId.get(at)?.parentId ?? null) {
        if (at === id) throw new AppError('bad_request', 'a category cannot be moved under itself or one of its sub-categories');
      }
    }
    if (cats.some((c) => c.id !== id && c.parentId === parentId && c.name === name)) {
      throw new AppError('conflict', `a category named "${name}" already exists there`);
    }
    // Moved without a position: last among its new siblings.
    const sort = patch.sort ?? (parentId !== cat.parentId ? Math.max(-1, ...cats.filter((c) => c.parentId === parentId).map((c) => c.sort)) + 1 : undefined);
    try {
      await this.d.repo.updateCategory(p.tenantId, bot.id, id, { name, parentId, sort });
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('conflict', `a category named "${name}" already exists there`);
      throw e;
    }
    await this.audit(p, 'kb.category.update', id, { botId: bot.id, ...patch });
    return (await this.listCategories(p.tenantId, bot.id)).find((x) => x.id === id)!;
  }

  renameCategory(p: Actor, botRef: string, id: string, name: string) {
    return this.updateCategory(p, botRef, id, { name });
  }

  moveCategory(p: Actor, botRef: string, id: string, parentId: string | null, sort?: number) {
    return this.updateCategory(p, botRef, id, { parentId, sort });
  }

  /**
   * Drag and drop in the tree: puts the category under parentId (null = top level) at `position` among its new
   * siblings (0 = first; past the end = last) and renumbers those siblings 0..n. Moving a category under itself or
   * one of its descendants is refused (400); a sibling with the same name is a conflict (409). One transaction.
   */
  async placeCategory(p: Actor, botRef: string, id: string, parentId: string | null, position: number): Promise<CategoryNode[]> {
    const bot = await this.bot(p.tenantId, botRef);
    await this.tx(async (r) => {
      const cats = await r.listCategories(p.tenantId, bot.id);
      const byId = new Map(cats.map((c) => [c.id, c]));
      const cat = byId.get(id);
      if (!cat) throw notFound('category');
      if (parentId) {
        if (!byId.has(parentId)) throw new AppError('bad_request', 'parent category not found');
        for (let at: string | null = parentId; at; at = byId.get(at)?.parentId ?? null) {
          if (at === id) throw new AppError('bad_request', 'a category cannot be moved under itself or one of its sub-categories');
        }
      }
      const siblings = cats.filter((c) => c.parentId === parentId && c.id !== id);
      if (siblings.some((c) => c.name === cat.name)) throw new AppError('conflict', `a category named "${cat.name}" already exists there`);
      const order = [...siblings];
      order.splice(Math.max(0, Math.min(position, order.length)), 0, cat);
      for (const [i, c] of order.entries()) {
        if (c.id === id) await r.updateCategory(p.tenantId, bot.id, id, { parentId, sort: i });
        else if (c.sort !== i) await r.updateCategory(p.tenantId, bot.id, c.id, { sort: i });
      }
    });
    await this.audit(p, 'kb.category.move', id, { botId: bot.id, parentId, position });
    return this.categoryTree(p.tenantId, bot.id);
  }

  /** Deletes an empty category (no sub-categories, no draft or published entries; archived ones lose the category). */
  async deleteCategory(p: Actor, botRef: string, id: string): Promise<void> {
    const bot = await this.bot(p.tenantId, botRef);
    if (!(await this.d.repo.findCategory(p.tenantId, bot.id, id))) throw notFound('category');
    await this.tx(async (r) => {
      const use = await r.categoryUsage(p.tenantId, bot.id, id);
      if (use.children) throw new AppError('conflict', `the category has ${use.children} sub-categories; move or delete them first`);
      if (use.entries) throw new AppError('conflict', `the category has ${use.entries} entries; move or archive them first`);
      await r.detachArchivedEntries(p.tenantId, bot.id, id);
      await r.deleteCategory(p.tenantId, bot.id, id);
    });
    await this.audit(p, 'kb.category.delete', id, { botId: bot.id });
  }

  // ------------------------------------------------------------------ entries

  private async views(r: KnowledgeRepository, tenantId: string, botId: string, entries: Entry[]): Promise<EntryView[]> {
    const paths = categoryPaths(await r.listCategories(tenantId, botId));
    return entries.map((e) => ({ ...e, category: e.categoryId ? paths.get(e.categoryId) ?? null : null }));
  }

  async listEntries(tenantId: string, botRef: string, query: EntryListQuery = {}): Promise<{ items: EntryView[]; total: number; page: number; pageSize: number }> {
    const bot = await this.bot(tenantId, botRef);
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const pageSize = Math.min(PAGE_SIZE_MAX, Math.max(1, Math.floor(query.pageSize ?? 20)));
    let categoryIds: string[] | undefined;
    if (query.category) {
      const cats = await this.d.repo.listCategories(tenantId, bot.id);
      if (!cats.some((c) => c.id === query.category)) throw new AppError('bad_request', 'category not found');
      categoryIds = descendantsOf(cats, query.category);
    }
    const { items, total } = await this.d.repo.listEntries(tenantId, bot.id, {
      q: query.q?.trim() || undefined,
      categoryIds,
      statuses: query.status ? [query.status] : LIVE_STATUSES,
      tag: query.tag?.trim() || undefined,
      validAt: query.validAt,
      validity: query.validity ? { state: query.validity, now: this.d.clock.now() } : undefined,
      sort: query.sort,
      order: query.order,
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { items: await this.views(this.d.repo, tenantId, bot.id, items), total, page, pageSize };
  }

  /** By internal id or external id. */
  async getEntry(tenantId: string, botRef: string, ref: string): Promise<EntryView> {
    const bot = await this.bot(tenantId, botRef);
    const e = await this.d.repo.findEntry(tenantId, bot.id, ref);
    if (!e) throw notFound('entry');
    return (await this.views(this.d.repo, tenantId, bot.id, [e]))[0];
  }

  async createEntry(p: Actor, botRef: string, input: EntryCreate): Promise<EntryView> {
    const bot = await this.bot(p.tenantId, botRef);
    const v = parse(EntryCreate, input, 'entry');
    checkDirectStatus(v.status, mayPublishDirectly(p));
    const { content, problems } = checkContent({
      question: v.question, answer: v.answer, similar: v.similar ?? [], answerHtml: v.answerHtml ?? null,
      channelAnswers: v.channelAnswers ?? {}, tags: v.tags ?? [], related: v.related ?? [],
      validFrom: v.validFrom ?? null, validTo: v.validTo ?? null, status: v.status ?? 'draft',
    });
    if (!content) throw invalid(problems);
    const categoryId = await this.checkCategory(p.tenantId, bot.id, v.categoryId ?? null);
    let externalId = v.externalId;
    if (externalId) {
      if ((await this.d.repo.existingExternalIds(p.tenantId, bot.id, [externalId])).size) throw new AppError('conflict', `an entry with id ${externalId} exists`);
    } else {
      externalId = await this.freshExternalId(this.d.repo, p.tenantId, bot.id);
    }
    const rec: EntryRecord = { id: newId('kbe'), externalId, categoryId, ...content, updatedBy: p.actor };
    try {
      await this.d.repo.insertEntry(p.tenantId, bot.id, rec, this.d.clock.now());
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('conflict', `an entry with id ${externalId} exists`);
      throw e;
    }
    await this.audit(p, 'kb.entry.create', rec.id, { botId: bot.id, externalId, status: rec.status });
    return this.getEntry(p.tenantId, bot.id, rec.id);
  }

  async updateEntry(p: Actor, botRef: string, ref: string, patch: EntryPatch): Promise<EntryView> {
    const bot = await this.bot(p.tenantId, botRef);
    const cur = await this.d.repo.findEntry(p.tenantId, bot.id, ref);
    if (!cur) throw notFound('entry');
    const v = parse(EntryPatch, patch, 'entry');
    const direct = mayPublishDirectly(p);
    checkDirectStatus(v.status, direct);
    // A field absent from the patch keeps its value; null clears the nullable ones (answerHtml, validFrom, validTo).
    const keep = <T>(patched: T | undefined, current: T): T => (patched !== undefined ? patched : current);
    // Review covers content: an edit that needs review sends the entry back to draft (to be submitted again).
    const editsContent = Object.keys(v).some((k) => k !== 'status');
    const status = v.status ?? (editsContent && editNeedsReview(cur.status, direct) ? 'draft' : cur.status);
    const { content, problems } = checkContent({
      question: keep(v.question, cur.question),
      answer: keep(v.answer, cur.answer),
      similar: keep(v.similar, cur.similar),
      answerHtml: keep(v.answerHtml, cur.answerHtml),
      channelAnswers: keep<Record<string, string>>(v.channelAnswers as Record<string, string> | undefined, cur.channelAnswers as Record<string, string>),
      tags: keep(v.tags, cur.tags),
      related: keep(v.related, cur.related),
      validFrom: keep<string | Date | null>(v.validFrom, cur.validFrom),
      validTo: keep<string | Date | null>(v.validTo, cur.validTo),
      status,
    });
    if (!content) throw invalid(problems);
    const categoryId = v.categoryId !== undefined ? await this.checkCategory(p.tenantId, bot.id, v.categoryId) : cur.categoryId;
    const externalId = v.externalId ?? cur.externalId;
    if (externalId !== cur.externalId && (await this.d.repo.existingExternalIds(p.tenantId, bot.id, [externalId])).size) {
      throw new AppError('conflict', `an entry with id ${externalId} exists`);
    }
    const rec: EntryRecord = { id: cur.id, externalId, categoryId, ...content, updatedBy: p.actor };
    try {
      await this.d.repo.updateEntry(p.tenantId, bot.id, rec, this.d.clock.now());
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('conflict', `an entry with id ${externalId} exists`);
      throw e;
    }
    await this.audit(p, 'kb.entry.update', cur.id, {
      botId: bot.id, externalId, fields: Object.keys(v), ...(status !== cur.status ? { from: cur.status, to: status } : {}),
    });
    return this.getEntry(p.tenantId, bot.id, cur.id);
  }

  /** "Deleting" archives: the entry leaves the working copy and the next publish, but its history and id remain. */
  async archiveEntry(p: Actor, botRef: string, ref: string): Promise<EntryView> {
    const bot = await this.bot(p.tenantId, botRef);
    const cur = await this.d.repo.findEntry(p.tenantId, bot.id, ref);
    if (!cur) throw notFound('entry');
    if (cur.status !== 'archived') {
      await this.d.repo.updateEntry(p.tenantId, bot.id, { ...cur, status: 'archived', updatedBy: p.actor }, this.d.clock.now());
      await this.audit(p, 'kb.entry.archive', cur.id, { botId: bot.id, externalId: cur.externalId });
    }
    return this.getEntry(p.tenantId, bot.id, cur.id);
  }

  deleteEntry(p: Actor, botRef: string, ref: string) {
    return this.archiveEntry(p, botRef, ref);
  }

  private async checkCategory(tenantId: string, botId: string, categoryId: string | null): Promise<string | null> {
    if (!categoryId) return null;
    if (!(await this.d.repo.findCategory(tenantId, botId, categoryId))) throw new AppError('bad_request', 'category not found');
    return categoryId;
  }

  private async freshExternalId(r: KnowledgeRepository, tenantId: string, botId: string): Promise<string> {
    for (;;) {
      const id = generateExternalId();
      if (!(await r.existingExternalIds(tenantId, botId, [id])).size) return id;
    }
  }

  // ------------------------------------------------------------------ review workflow

  private comment(p: Actor, entryId: string, action: EntryComment['action'], text: string, at: Date): EntryComment {
    return { id: newId('kbm'), entryId, author: p.actor, authorName: p.username ?? null, action, text, createdAt: at };
  }

  /** An entry with its review timeline (oldest first), and whether the current published version serves it. */
  async getEntryDetail(tenantId: string, botRef: string, ref: string): Promise<EntryDetail> {
    const view = await this.getEntry(tenantId, botRef, ref);
    return {
      ...view,
      comments: await this.d.repo.listComments(tenantId, view.botId, view.id),
      live: await this.d.repo.isLive(tenantId, view.botId, view.externalId),
    };
  }

  /**
   * submit (draft → submitted), approve (submitted → approved; not by the submitter) or reject (submitted | approved
   * → draft; a comment is required). The comment (optional otherwise) joins the entry's timeline. Audited.
   */
  async review(p: Actor, botRef: string, ref: string, action: ReviewAction, comment?: string): Promise<EntryDetail> {
    const bot = await this.bot(p.tenantId, botRef);
    const cur = await this.d.repo.findEntry(p.tenantId, bot.id, ref);
    if (!cur) throw notFound('entry');
    const text = (comment ?? '').trim().slice(0, 2000);
    const t = transition(cur, action, p.actor, text);
    if ('problem' in t) throw new AppError(action === 'approve' && cur.status === 'submitted' ? 'forbidden' : 'conflict', t.problem);
    const at = this.d.clock.now();
    await this.tx(async (r) => {
      await r.setStatus(p.tenantId, bot.id, [cur.id], t.to, p.actor, at, action === 'submit' ? p.actor : undefined);
      await r.insertComments(p.tenantId, bot.id, [this.comment(p, cur.id, action, text, at)]);
    });
    await this.audit(p, `kb.entry.${action}`, cur.id, { botId: bot.id, externalId: cur.externalId, from: cur.status, to: t.to, comment: text || null });
    return this.getEntryDetail(p.tenantId, bot.id, cur.id);
  }

  /** A free comment on an entry's timeline. */
  async addComment(p: Actor, botRef: string, ref: string, text: string): Promise<EntryDetail> {
    const bot = await this.bot(p.tenantId, botRef);
    const cur = await this.d.repo.findEntry(p.tenantId, bot.id, ref);
    if (!cur) throw notFound('entry');
    const body = text.trim();
    if (!body) throw new AppError('validation_failed', 'the comment is empty');
    const c = this.comment(p, cur.id, 'comment', body.slice(0, 2000), this.d.clock.now());
    await this.d.repo.insertComments(p.tenantId, bot.id, [c]);
    await this.audit(p, 'kb.entry.comment', cur.id, { botId: bot.id, commentId: c.id });
    return this.getEntryDetail(p.tenantId, bot.id, cur.id);
  }

  /**
   * One action on many entries (by internal id), all or nothing: every entry is checked first, and if any cannot
   * take the action nothing changes and the error lists each problem. Audited as one record with the ids. move and
   * addTag edit content: an entry they change goes back to draft when the edit needs review (see editNeedsReview).
   */
  async bulk(p: Actor, botRef: string, input: BulkInput): Promise<BulkResult> {
    const bot = await this.bot(p.tenantId, botRef);
    const ids = [...new Set(input.ids)];
    if (ids.length === 0) throw new AppError('validation_failed', 'no entries selected');
    const at = this.d.clock.now();
    let tag: string | undefined;
    let categoryId: string | null = null;
    if (input.action === 'addTag') {
      tag = input.tag?.trim();
      if (!tag || tag.length > 50) throw new AppError('validation_failed', 'a tag of 1 to 50 characters is needed');
    }
    if (input.action === 'move') {
      if (input.categoryId === undefined) throw new AppError('validation_failed', 'say which category to move the entries to (categoryId; null = none)');
      categoryId = await this.checkCategory(p.tenantId, bot.id, input.categoryId);
    }
    const text = (input.comment ?? '').trim().slice(0, 2000);
    const direct = mayPublishDirectly(p);
    const { changed, toDraft } = await this.tx(async (r) => {
      const found = await r.findEntriesByIds(p.tenantId, bot.id, ids);
      const byId = new Map(found.map((e) => [e.id, e]));
      const problems: TransitionProblem[] = [];
      for (const id of ids) {
        const e = byId.get(id);
        if (!e) problems.push({ id, externalId: '', message: 'entry not found' });
        else if (input.action === 'submit' || input.action === 'approve' || input.action === 'archive') {
          const t = transition(e, input.action, p.actor, text);
          if ('problem' in t) problems.push({ id, externalId: e.externalId, message: t.problem });
        } else if (e.status === 'archived') problems.push({ id, externalId: e.externalId, message: 'the entry is archived' });
      }
      if (problems.length) {
        throw new AppError('validation_failed', `${problems.length} of ${ids.length} entries cannot be changed; nothing was changed. First: ${problems[0].externalId || problems[0].id}: ${problems[0].message}`, { problems });
      }
      switch (input.action) {
        case 'submit':
        case 'approve': {
          const to: EntryStatus = input.action === 'submit' ? 'submitted' : 'approved';
          const n = await r.setStatus(p.tenantId, bot.id, ids, to, p.actor, at, input.action === 'submit' ? p.actor : undefined);
          await r.insertComments(p.tenantId, bot.id, ids.map((id) => this.comment(p, id, input.action as ReviewAction, text, at)));
          return { changed: n, toDraft: [] };
        }
        case 'archive':
          return { changed: await r.setStatus(p.tenantId, bot.id, ids, 'archived', p.actor, at), toDraft: [] };
        case 'move':
        case 'addTag': {
          const n = input.action === 'move'
            ? await r.setCategory(p.tenantId, bot.id, ids, categoryId, p.actor, at)
            : await r.addTag(p.tenantId, bot.id, ids, tag!, p.actor, at);
          const edited = found.filter((e) => (input.action === 'move' ? e.categoryId !== categoryId : !e.tags.includes(tag!)));
          const back = edited.filter((e) => editNeedsReview(e.status, direct)).map((e) => e.id);
          await r.setStatus(p.tenantId, bot.id, back, 'draft', p.actor, at);
          return { changed: n, toDraft: back };
        }
      }
    });
    await this.audit(p, `kb.bulk.${input.action}`, bot.id, {
      ids, count: ids.length, changed, ...(tag ? { tag } : {}), ...(input.action === 'move' ? { categoryId } : {}), comment: text || null,
      ...(toDraft.length ? { toDraft } : {}),
    });
    return { action: input.action, count: ids.length, changed };
  }

  // ------------------------------------------------------------------ synonyms

  async listSynonyms(tenantId: string, botRef: string): Promise<SynonymSet[]> {
    const bot = await this.bot(tenantId, botRef);
    return this.d.repo.listSynonyms(tenantId, bot.id);
  }

  async createSynonym(p: Actor, botRef: string, words: string[]): Promise<SynonymSet> {
    const bot = await this.bot(p.tenantId, botRef);
    const ws = parse(SynonymWords, words, 'synonym set');
    const id = newId('kbs');
    await this.d.repo.insertSynonym(p.tenantId, { id, botId: bot.id, words: ws });
    await this.audit(p, 'kb.synonym.create', id, { botId: bot.id, words: ws });
    return (await this.d.repo.findSynonym(p.tenantId, bot.id, id))!;
  }

  async updateSynonym(p: Actor, botRef: string, id: string, words: string[]): Promise<SynonymSet> {
    const bot = await this.bot(p.tenantId, botRef);
    const ws = parse(SynonymWords, words, 'synonym set');
    if (!(await this.d.repo.updateSynonym(p.tenantId, bot.id, id, ws))) throw notFound('synonym set');
    await this.audit(p, 'kb.synonym.update', id, { botId: bot.id, words: ws });
    return (await this.d.repo.findSynonym(p.tenantId, bot.id, id))!;
  }

  async deleteSynonym(p: Actor, botRef: string, id: string): Promise<void> {
    const bot = await this.bot(p.tenantId, botRef);
    if (!(await this.d.repo.deleteSynonym(p.tenantId, bot.id, id))) throw notFound('synonym set');
    await this.audit(p, 'kb.synonym.delete', id, { botId: bot.id });
  }

  /** Adds synonym sets (demo seeding); a set equal to an existing one is skipped. One transaction. */
  async seedSynonyms(tenantId: string, botId: string, sets: string[][], actor: string): Promise<number> {
    const bot = await this.bot(tenantId, botId);
    const parsed = sets.map((s, i) => parse(SynonymWords, s, `synonym set ${i + 1}`));
    const added = await this.tx(async (r) => {
      const have = new Set((await r.listSynonyms(tenantId, bot.id)).map((s) => [...s.words].sort().join('\u0000')));
      let n = 0;
      for (const ws of parsed) {
        const key = [...ws].sort().join('\u0000');
        if (have.has(key)) continue;
        have.add(key);
        await r.insertSynonym(tenantId, { id: newId('kbs'), botId: bot.id, words: ws });
        n++;
      }
      return n;
    });
    await this.audit({ tenantId, actor }, 'kb.synonym.seed', bot.id, { sets: added });
    return added;
  }

  // ------------------------------------------------------------------ versions

  /**
   * Publishes the working copy as a new immutable version (max + 1), made current in the same transaction; other
   * nodes learn of it through coordination. The version holds, in working-copy order:
   *   - every entry with status 'published' or 'approved' (approved ones become published);
   *   - for an entry whose edit is pending (status 'draft' or 'submitted') and which the current version serves,
   *     the content the current version serves (from its snapshot, by external id): an edit under review never
   *     takes the live answer offline, its content replaces it only once approved and published;
   *   - all synonym sets, and the enabled flows (with a flow store).
   * Archived entries and drafts that are not live are left out. After a rollback the current version is the rolled-back
   * one, so entries it demoted to draft (not in it) are not carried.
   * Entries outside their validity period are included: the robot checks validity at answer time, so an entry
   * that becomes valid next month needs no second publish.
   */
  async publish(p: Actor, botRef: string, note?: string | null): Promise<{ version: number; entryCount: number }> {
    const bot = await this.bot(p.tenantId, botRef);
    const at = this.d.clock.now();
    const store = this.flowStore;
    // Checked before the transaction (the check reads the tenant's connectors; PGlite has one connection). A flow
    // that became invalid since it was saved (its connector was deleted or lost an operation) blocks the publish.
    if (store?.validate) {
      const defs = (await store.repo.list(p.tenantId, bot.id, { enabledOnly: true })).map((f) => f.definition);
      const bad = await store.validate(p.tenantId, defs);
      if (bad.length) {
        const lines = bad.flatMap((b) => b.problems.map((x) => `flow "${b.flowId}"${x.stepId ? ` step "${x.stepId}"` : ''}: ${x.message}`));
        throw new AppError('validation_failed', `cannot publish: enabled flows have problems (fix or disable them): ${lines.join('; ')}`, { flows: bad });
      }
    }
    const res = await this.tx(async (r, q) => {
      if (!(await r.lockBot(p.tenantId, bot.id))) throw notFound('bot');
      const working = await r.entriesWithStatus(p.tenantId, bot.id, LIVE_STATUSES);
      const live = new Map((await this.currentSnapshot(r, p.tenantId, bot.id))?.entries.map((e) => [e.id, e]) ?? []);
      const entries: (Entry | SnapshotEntry)[] = [];
      for (const e of working) {
        const served = e.status === 'published' || e.status === 'approved' ? e : live.get(e.externalId);
        if (served) entries.push(served);
      }
      const cats = await r.listCategories(p.tenantId, bot.id);
      const syns = await r.listSynonyms(p.tenantId, bot.id);
      const flows = store ? (await store.repo.bind(q).list(p.tenantId, bot.id, { enabledOnly: true })).map((f) => f.definition) : undefined;
      const version = (await r.maxVersion(p.tenantId, bot.id)) + 1;
      const snapshot = buildSnapshot(version, entries, categoryPaths(cats), syns, flows);
      await r.insertVersion(p.tenantId, bot.id, { version, snapshot, note: note?.trim() || null, createdBy: p.actor, createdAt: at });
      await r.setPublishedVersion(p.tenantId, bot.id, version);
      const approved = working.filter((e) => e.status === 'approved');
      await r.setStatus(p.tenantId, bot.id, approved.map((e) => e.id), 'published', p.actor, at);
      await r.insertComments(p.tenantId, bot.id, approved.map((e) => this.comment(p, e.id, 'publish', `v${version}`, at)));
      return { version, entryCount: snapshot.entries.length, approved: approved.map((e) => e.externalId), flows: flows?.map((f) => `${f.id}@${f.version}`) };
    });
    await this.audit(p, 'kb.publish', bot.id, {
      version: res.version, entries: res.entryCount, approvedPublished: res.approved, ...(res.flows ? { flows: res.flows } : {}), note: note ?? null,
    });
    await this.announce(p, bot.id, res.version, res.entryCount, note ?? null);
    return { version: res.version, entryCount: res.entryCount };
  }

  /**
   * Rolls back to an earlier version by publishing a NEW version with the same content (history stays linear and
   * immutable: v1, v2, v3 = copy of v1). The working copy is restored to match it, so the next publish does not
   * silently bring the rolled-back changes back:
   *   - entries of the target version are written back (by external id) with status 'published';
   *   - entries that are 'published' now but not in the target become 'draft' (content kept, nothing lost);
   *   - drafts and archived entries not in the target stay as they are;
   *   - synonym sets are replaced by the target's;
   *   - flows (with a flow store) are restored to the target's: each of its flows is written back and enabled (a
   *     changed one gets the next version number), flows not in the target are disabled (kept, not deleted). The
   *     new version carries the restored flows.
   */
  async rollback(p: Actor, botRef: string, toVersion: number, note?: string | null): Promise<{ version: number; entryCount: number; restoredFrom: number }> {
    const bot = await this.bot(p.tenantId, botRef);
    const at = this.d.clock.now();
    const store = this.flowStore;
    const res = await this.tx(async (r, q) => {
      if (!(await r.lockBot(p.tenantId, bot.id))) throw notFound('bot');
      const target = await r.getVersion(p.tenantId, bot.id, toVersion);
      if (!target) throw notFound(`version ${toVersion}`);
      const version = (await r.maxVersion(p.tenantId, bot.id)) + 1;
      const flows = store ? await restoreFlows(store.repo.bind(q), p, bot.id, target.snapshot.flows ?? [], at) : undefined;
      const snapshot: KnowledgeSnapshot = { ...target.snapshot, version, ...(flows ? { flows } : {}) };
      await r.insertVersion(p.tenantId, bot.id, {
        version, snapshot, note: note?.trim() || `rollback to version ${toVersion}`, createdBy: p.actor, createdAt: at,
      });
      await r.setPublishedVersion(p.tenantId, bot.id, version);

      const drafts: EntryDraft[] = snapshot.entries.map((e, i) => ({
        row: i,
        externalId: e.id,
        categoryPath: e.category ? e.category.split('/') : null,
        content: {
          question: e.question, similar: e.similar, answer: e.answer, answerHtml: e.answerHtml, channelAnswers: e.channelAnswers,
          tags: e.tags, related: e.related, validFrom: e.validFrom ? new Date(e.validFrom) : null,
          validTo: e.validTo ? new Date(e.validTo) : null, status: 'published',
        },
      }));
      await this.writeDrafts(r, p.tenantId, bot.id, drafts, p.actor, at);
      const demoted = await r.demoteEntriesNotIn(p.tenantId, bot.id, 'published', 'draft', snapshot.entries.map((e) => e.id), at);
      await r.deleteAllSynonyms(p.tenantId, bot.id);
      for (const words of snapshot.synonyms) await r.insertSynonym(p.tenantId, { id: newId('kbs'), botId: bot.id, words });
      return { version, entryCount: snapshot.entries.length, restoredFrom: toVersion, demoted, flows: flows?.map((f) => `${f.id}@${f.version}`) };
    });
    await this.audit(p, 'kb.rollback', bot.id, { version: res.version, to: toVersion, entries: res.entryCount, demotedToDraft: res.demoted, ...(res.flows ? { flows: res.flows } : {}), note: note ?? null });
    await this.announce(p, bot.id, res.version, res.entryCount, note ?? null, toVersion);
    return { version: res.version, entryCount: res.entryCount, restoredFrom: res.restoredFrom };
  }

  private async announce(p: Actor, botId: string, version: number, entryCount: number, note: string | null, rollbackOf?: number) {
    // A failure here must not lose the announcement: receiving nodes then build the model themselves.
    await this.beforeAnnounce?.(p.tenantId, botId, version).catch(() => {});
    await this.d.coordination.publish(KB_PUBLISHED_CHANNEL, { tenantId: p.tenantId, botId, version });
    const e: KnowledgePublished = {
      type: 'knowledge.published', tenantId: p.tenantId, at: this.d.clock.now().toISOString(), botId, version, entryCount,
      actor: p.actor, note, ...(rollbackOf !== undefined ? { rollbackOf } : {}),
    };
    this.d.events.emit(e);
  }

  /** The bot's current published knowledge (what the robot serves), or null when nothing was published. */
  getPublishedSnapshot(tenantId: string, botId: string): Promise<KnowledgeSnapshot | null> {
    return this.currentSnapshot(this.d.repo, tenantId, botId);
  }

  private async currentSnapshot(r: KnowledgeRepository, tenantId: string, botId: string): Promise<KnowledgeSnapshot | null> {
    const v = await r.publishedVersion(tenantId, botId);
    if (v === null) return null;
    const ver = await r.getVersion(tenantId, botId, v);
    return ver ? { ...ver.snapshot, version: ver.version } : null;
  }

  async listVersions(tenantId: string, botRef: string): Promise<{ current: number | null; items: VersionInfo[] }> {
    const bot = await this.bot(tenantId, botRef);
    return { current: await this.d.repo.publishedVersion(tenantId, bot.id), items: await this.d.repo.listVersions(tenantId, bot.id) };
  }

  async getVersion(tenantId: string, botRef: string, version: number): Promise<Version> {
    const bot = await this.bot(tenantId, botRef);
    const v = await this.d.repo.getVersion(tenantId, bot.id, version);
    if (!v) throw notFound(`version ${version}`);
    return v;
  }

  /** Entry ids added, removed and changed going from version a to version b. */
  async diffVersions(tenantId: string, botRef: string, a: number, b: number): Promise<VersionDiff> {
    const [va, vb] = [await this.getVersion(tenantId, botRef, a), await this.getVersion(tenantId, botRef, b)];
    return diffSnapshots(a, b, va.snapshot, vb.snapshot);
  }

  // ------------------------------------------------------------------ import / export / seed

  /**
   * Imports a file in the documented layout (import-export.ts). Every row is validated first; if any row has a
   * problem nothing is written and the report lists them all. Otherwise all rows are upserted by external id in one
   * transaction; categories are created from their paths. For a reviewer (kb:review) status defaults to
   * 'published' (a file is how a bank hands over reviewed content — set status "draft" in the file to review in the
   * console first); anyone else imports drafts, a row saying published is an error, and a published entry the file
   * overwrites becomes a draft (the published version keeps serving it until its edit is approved and published).
   * Publishing stays a separate, explicit step. dryRun validates and counts without writing (the console's preview).
   */
  async importEntries(p: Actor, botRef: string, opts: { buffer: Buffer; format: FileFormat; dryRun?: boolean }): Promise<ImportReport> {
    const bot = await this.bot(p.tenantId, botRef);
    const dryRun = opts.dryRun ?? false;
    const fail = (errors: ImportError[], errorCount = errors.length): ImportReport => ({ ok: false, dryRun, imported: 0, created: 0, updated: 0, errors, errorCount });
    let table;
    try {
      table = await readTable(opts.buffer, opts.format);
    } catch (e) {
      if (e instanceof ImportFileError) return fail([{ row: 0, message: e.message }]);
      throw e;
    }
    const { drafts, errors, errorCount } = validateTable(table, { mayPublishDirectly: mayPublishDirectly(p) });
    if (errorCount) return fail(errors, errorCount);
    const ids = drafts.map((d) => d.externalId).filter((x): x is string => !!x);
    const existing = await this.d.repo.existingExternalIds(p.tenantId, bot.id, ids);
    const updated = ids.filter((id) => existing.has(id)).length;
    const report: ImportReport = { ok: true, dryRun, imported: drafts.length, created: drafts.length - updated, updated, errors: [], errorCount: 0 };
    if (dryRun) return report;
    const at = this.d.clock.now();
    await this.tx((r) => this.writeDrafts(r, p.tenantId, bot.id, drafts, p.actor, at));
    await this.audit(p, 'kb.import', bot.id, { format: opts.format, rows: drafts.length, created: report.created, updated });
    const e: KnowledgeImported = { type: 'knowledge.imported', tenantId: p.tenantId, at: at.toISOString(), botId: bot.id, actor: p.actor, created: report.created, updated };
    this.d.events.emit(e);
    return report;
  }

  /** Draft and published entries in the import layout (archived entries are left out). */
  async exportEntries(p: Actor, botRef: string, format: FileFormat): Promise<Buffer> {
    const bot = await this.bot(p.tenantId, botRef);
    // Entries under review are exported as drafts: the review state belongs to this bot's console, not to the file.
    const entries = (await this.d.repo.entriesWithStatus(p.tenantId, bot.id, LIVE_STATUSES)).map((e) =>
      e.status === 'submitted' || e.status === 'approved' ? { ...e, status: 'draft' as const } : e);
    const views = await this.views(this.d.repo, p.tenantId, bot.id, entries);
    const buf = await writeTable(entriesToRecords(views.map((v) => ({ ...v, categoryPath: v.category }))), format);
    await this.audit(p, 'kb.export', bot.id, { format, entries: entries.length });
    return buf;
  }

  /** Upserts entries shaped like the demo knowledge files as published, in one transaction. Throws on any invalid entry. */
  async seedEntries(tenantId: string, botId: string, entries: SeedEntry[], actor: string): Promise<number> {
    const bot = await this.bot(tenantId, botId);
    const problems: FieldProblem[] = [];
    const drafts: EntryDraft[] = [];
    const seen = new Set<string>();
    entries.forEach((s, i) => {
      const where = `entry ${i + 1}${s?.id ? ` (${s.id})` : ''}`;
      const id = ExternalId.safeParse(s?.id);
      if (!id.success) problems.push({ field: `${where}.id`, message: id.error.issues[0].message });
      else if (seen.has(id.data)) problems.push({ field: `${where}.id`, message: 'duplicate id' });
      else seen.add(id.data);
      const cat = parseCategoryPath(s?.category ?? null);
      if (cat.problem) problems.push({ field: `${where}.category`, message: cat.problem });
      const { content, problems: ps } = checkContent({
        question: s?.question ?? '', answer: s?.answer ?? '', similar: s?.similar ?? [], answerHtml: s?.answerHtml ?? null,
        channelAnswers: s?.channelAnswers ?? {}, tags: s?.tags ?? [], related: s?.related ?? [], validFrom: s?.validFrom ?? null,
        validTo: s?.validTo ?? null, status: 'published',
      });
      for (const x of ps) problems.push({ field: `${where}.${x.field}`, message: x.message });
      if (content && id.success) drafts.push({ row: i, externalId: id.data, categoryPath: cat.path, content });
    });
    if (problems.length) throw invalid(problems.slice(0, 50), 'seed knowledge');
    const at = this.d.clock.now();
    await this.tx((r) => this.writeDrafts(r, tenantId, bot.id, drafts, actor, at));
    await this.audit({ tenantId, actor }, 'kb.seed', bot.id, { entries: drafts.length });
    return drafts.length;
  }

  /** Creates missing categories for the drafts' paths and upserts the entries by external id. Runs inside a tx. */
  private async writeDrafts(r: KnowledgeRepository, tenantId: string, botId: string, drafts: EntryDraft[], actor: string, at: Date) {
    const cats = await r.listCategories(tenantId, botId);
    const byPath = new Map<string, string>();
    for (const [id, path] of categoryPaths(cats)) byPath.set(path, id);
    const nextSort = new Map<string, number>();
    for (const c of cats) nextSort.set(c.parentId ?? '', Math.max(nextSort.get(c.parentId ?? '') ?? 0, c.sort + 1));
    const ensure = async (segments: string[]): Promise<string> => {
      let parentId: string | null = null;
      let path = '';
      for (const name of segments) {
        path = path ? `${path}/${name}` : name;
        let id = byPath.get(path);
        if (!id) {
          id = newId('kbc');
          const sort = nextSort.get(parentId ?? '') ?? 0;
          nextSort.set(parentId ?? '', sort + 1);
          await r.insertCategory(tenantId, { id, botId, parentId, name, sort });
          byPath.set(path, id);
        }
        parentId = id;
      }
      return parentId!;
    };
    const records: EntryRecord[] = [];
    const generated = new Set<string>();
    for (const d of drafts) {
      const categoryId = d.categoryPath ? await ensure(d.categoryPath) : null;
      let externalId = d.externalId;
      if (!externalId) {
        do externalId = generateExternalId();
        while (generated.has(externalId) || (await r.existingExternalIds(tenantId, botId, [externalId])).size);
        generated.add(externalId);
      }
      records.push({ id: newId('kbe'), externalId, categoryId, ...d.content, updatedBy: actor });
    }
    await r.upsertEntries(tenantId, botId, records, at);
  }
}

/** The status a create or a patch may set (see DIRECT_STATUSES). */
function checkDirectStatus(status: EntryStatus | undefined, mayPublish: boolean) {
  if (status && !DIRECT_STATUSES.includes(status)) {
    throw new AppError('validation_failed', `status ${status} is set by the review workflow (submit / approve), not directly`);
  }
  if (status === 'published' && !mayPublish) {
    throw forbidden('publishing an entry without review needs the kb:review permission: save it as a draft and submit it for review');
  }
}

/** Category id -> "parent/child" path. */
export function categoryPaths(cats: Category[]): Map<string, string> {
  const byId = new Map(cats.map((c) => [c.id, c]));
  const out = new Map<string, string>();
  const pathOf = (c: Category, depth = 0): string => {
    const known = out.get(c.id);
    if (known) return known;
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    const p = parent && depth < 50 ? `${pathOf(parent, depth + 1)}/${c.name}` : c.name;
    out.set(c.id, p);
    return p;
  };
  for (const c of cats) pathOf(c);
  return out;
}

function descendantsOf(cats: Category[], rootId: string): string[] {
  const out = [rootId];
  for (let i = 0; i < out.length; i++) for (const c of cats) if (c.parentId === out[i] && !out.includes(c.id)) out.push(c.id);
  return out;
}

/**
 * A version's content from working-copy entries and, for entries whose edit is pending, the content the current
 * version serves (a SnapshotEntry, taken as it is). Order is kept.
 */
export function buildSnapshot(version: number, entries: (Entry | SnapshotEntry)[], paths: Map<string, string>, synonyms: SynonymSet[], flows?: FlowDefinition[]): KnowledgeSnapshot {
  const served = entries.map((e) => ('externalId' in e ? toSnapshotEntry(e, paths) : e));
  const published = new Set(served.map((e) => e.id));
  return {
    version,
    // Related questions the robot can offer must be served too: unpublished ones are dropped from the snapshot.
    entries: served.map((e) => ({ ...e, related: e.related.filter((id) => published.has(id) && id !== e.id) })),
    synonyms: synonyms.map((s) => s.words),
    ...(flows ? { flows } : {}),
  };
}

/** Makes the working copy's flows those of a version (see rollback); returns the enabled flows afterwards. Runs in a tx. */
async function restoreFlows(repo: FlowRepository, p: Actor, botId: string, target: FlowDefinition[], at: Date): Promise<FlowDefinition[]> {
  const current = new Map((await repo.list(p.tenantId, botId)).map((f) => [f.id, f]));
  const keep = new Set<string>();
  for (const def of target) {
    keep.add(def.id);
    const cur = current.get(def.id);
    if (cur && sameFlow(cur.definition, def)) {
      if (!cur.enabled) await repo.setEnabled(p.tenantId, botId, def.id, true, p.actor, at);
      continue;
    }
    const version = cur ? cur.version + 1 : def.version;
    const saved = await repo.save(p.tenantId, botId, { id: def.id, version, definition: { ...def, version }, enabled: true, updatedBy: p.actor }, cur?.version ?? null, at);
    if (!saved) throw new AppError('conflict', `flow "${def.id}" was changed during the rollback; try again`);
  }
  for (const cur of current.values()) if (!keep.has(cur.id) && cur.enabled) await repo.setEnabled(p.tenantId, botId, cur.id, false, p.actor, at);
  return (await repo.list(p.tenantId, botId, { enabledOnly: true })).map((f) => f.definition);
}

function toSnapshotEntry(e: Entry, paths: Map<string, string>): SnapshotEntry {
  return {
    id: e.externalId,
    category: e.categoryId ? paths.get(e.categoryId) ?? null : null,
    question: e.question,
    similar: e.similar,
    answer: e.answer,
    answerHtml: e.answerHtml,
    channelAnswers: e.channelAnswers as Record<string, string>,
    tags: e.tags,
    related: e.related,
    validFrom: e.validFrom?.toISOString() ?? null,
    validTo: e.validTo?.toISOString() ?? null,
  };
}

const stable = (v: unknown): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(stable).join(',')}]`
      : `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;

export function diffSnapshots(from: number, to: number, a: KnowledgeSnapshot, b: KnowledgeSnapshot): VersionDiff {
  const ma = new Map(a.entries.map((e) => [e.id, stable(e)]));
  const mb = new Map(b.entries.map((e) => [e.id, stable(e)]));
  const synKey = (s: string[][]) => s.map((w) => [...w].sort().join('\u0000')).sort().join('\u0001');
  return {
    from,
    to,
    added: [...mb.keys()].filter((id) => !ma.has(id)),
    removed: [...ma.keys()].filter((id) => !mb.has(id)),
    changed: [...mb.keys()].filter((id) => ma.has(id) && ma.get(id) !== mb.get(id)),
    synonymsChanged: synKey(a.synonyms) !== synKey(b.synonyms),
    ...(a.flows || b.flows ? { flows: diffFlows(a.flows ?? [], b.flows ?? []) } : {}),
  };
}

function diffFlows(a: FlowDefinition[], b: FlowDefinition[]): NonNullable<VersionDiff['flows']> {
  const ma = new Map(a.map((f) => [f.id, f]));
  const mb = new Map(b.map((f) => [f.id, f]));
  return {
    added: [...mb.keys()].filter((id) => !ma.has(id)),
    removed: [...ma.keys()].filter((id) => !mb.has(id)),
    changed: [...mb.keys()].filter((id) => ma.has(id) && !sameFlow(ma.get(id)!, mb.get(id)!)),
  };
}

export type { EntryContent };
