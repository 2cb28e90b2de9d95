import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent, EventBus } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { localDay } from '../analytics/analytics-service.ts';
import { EV } from '../conversations/conversation-service.ts';
import type { Actor, EntryView, KnowledgeService } from '../knowledge/knowledge-service.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import { detectLang, normalize } from '../text/index.ts';
import { clusterQuestions, type QuestionCluster } from './clustering.ts';
import type { LearningDecision, LearningQuestion, LearningRepository } from './learning-repository.ts';

/**
 * Learning from traffic. A listener on conversation events collects the customer questions the robot fell back on,
 * asked back (clarify) or answered below the bot's low-confidence line, and counts answered entries per day. Operators
 * see the open questions clustered and ranked by frequency, turn a cluster into a new draft entry or into similar
 * questions of an existing entry (its questions are then handled and leave the list), or dismiss it. The most
 * answered entries of the last 7 days feed the robot's hot-question menu when the bot asks for it.
 *
 * Only real conversations reach the listener: the test console writes no events.
 */

type Deps = {
  repo: LearningRepository;
  tenancy: TenancyService;
  knowledge: KnowledgeService;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
};

export type ClusterView = Omit<QuestionCluster, 'members' | 'lastAt'> & {
  lastAt: string;
  members: { text: string; count: number; ids: string[]; lastAt: string }[];
};

export type HotEntry = { entryId: string; question: string; count: number };
export type HotStats = {
  period: 'day' | 'week';
  from: string;
  to: string;
  /** Every period in the range (zero-filled), oldest first. */
  periods: string[];
  /** Answers per period, all entries. */
  totals: number[];
  /** The most answered entries of the range, with their counts per period. */
  top: (HotEntry & { series: number[] })[];
};

/** Hot questions are the most answered entries of this many days. */
const HOT_DAYS = 7;
const HOT_MAX = 12;
/** How long the automatic hot-question list of a bot is served before it is recomputed. */
const HOT_TTL_MS = 10 * 60_000;
const SETTINGS_TTL_MS = 30_000;
const MAX_PENDING_TEXTS = 10_000;
/**
 * Collected questions are written together: at most this long after the first one waits, or at once when this many
 * wait (one statement and one commit instead of one per question, on the database the chat path shares).
 */
const FLUSH_MS = 500;
const FLUSH_MAX = 500;
/** Clusters are made of at most this many open questions (the newest). */
const CLUSTER_MAX_QUESTIONS = 5000;

/** A calendar day's ISO date (for stepping through days held as UTC midnights). */
const day = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

export class LearningService {
  /** The customer's message of each conversation's current turn, until its nlu.understood event arrives. */
  private texts = new Map<string, string>();
  private bots = new Map<string, { bot: Bot; at: number }>();
  private hot = new Map<string, { ids: string[]; at: number }>();
  private refreshing = new Map<string, Promise<string[]>>();
  /** Questions waiting to be written (see FLUSH_MS). */
  private pending: Omit<LearningQuestion, 'status'>[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private d: Deps) {}

  // ------------------------------------------------------------------ collection (listener)

  /** Collects from this bus. The returned stop function ends collection; idle() then writes what is still waiting. */
  listen(bus: EventBus): () => void {
    const offs = [bus.on(EV.received, (e) => this.onReceived(e)), bus.on(EV.understood, (e) => this.onUnderstood(e))];
    return () => offs.forEach((off) => off());
  }

  /** Writes the questions collected so far (tests, shutdown). */
  async idle(): Promise<void> {
    // Bus listeners run on the next turn of the event loop: let events emitted just before reach the listener.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length || this.flushing) await this.flush();
  }

  private collect(q: Omit<LearningQuestion, 'status'>) {
    this.pending.push(q);
    if (this.pending.length >= FLUSH_MAX) void this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.flushTimer.unref?.();
    }
  }

  /** Writes what waits now; what arrives meanwhile waits for the next round. Never rejects (errors are logged). */
  private flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.flushing) return this.flushing;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.d.repo.insertQuestions(batch)
      .catch((err) => this.d.logger.error({ err, questions: batch.length }, 'learning questions not saved'))
      .finally(() => {
        this.flushing = null;
        if (this.pending.length && !this.flushTimer) {
          this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
          this.flushTimer.unref?.();
        }
      });
    return this.flushing;
  }

  private onReceived(e: DomainEvent) {
    const p = e.payload as { text?: unknown } | undefined;
    if (typeof e.conversationId !== 'string' || typeof p?.text !== 'string') return;
    this.texts.delete(e.conversationId);
    this.texts.set(e.conversationId, p.text);
    if (this.texts.size > MAX_PENDING_TEXTS) this.texts.delete(this.texts.keys().next().value!);
  }

  private async onUnderstood(e: DomainEvent) {
    const conversationId = typeof e.conversationId === 'string' ? e.conversationId : null;
    const botId = typeof e.botId === 'string' ? e.botId : null;
    if (!botId) return;
    const p = (e.payload ?? {}) as { decision?: string; normalized?: string; lang?: string; via?: string; entryId?: string; score?: number; hits?: { id: string; score: number }[] };
    const text = (conversationId && this.texts.get(conversationId)) || p.normalized;
    if (conversationId) this.texts.delete(conversationId);
    const at = new Date(e.at);
    if (!text) return;
    let decision: LearningDecision | null = null;
    const score = typeof p.score === 'number' ? p.score : (p.hits?.[0]?.score ?? null);
    if (p.decision === 'fallback') decision = 'fallback';
    else if (p.decision === 'clarify') decision = 'clarify';
    else if (p.decision === 'answer' && p.via !== 'choice' && score !== null) {
      const bot = await this.botOf(e.tenantId, botId);
      if (score < (bot.settings.learning?.lowConfidence ?? 0.6)) decision = 'low_confidence';
    }
    if (!decision) return;
    this.collect({
      id: newId('lq'), tenantId: e.tenantId, botId, text: text.slice(0, 1000), normalized: normalize(text).slice(0, 1000),
      lang: p.lang ?? detectLang(text), score, decision, conversationId, at,
    });
  }

  private async botOf(tenantId: string, botId: string): Promise<Bot> {
    const c = this.bots.get(botId);
    if (c && Date.now() - c.at < SETTINGS_TTL_MS) return c.bot;
    const bot = await this.d.tenancy.getBot(tenantId, botId);
    this.bots.set(botId, { bot, at: Date.now() });
    return bot;
  }

  // ------------------------------------------------------------------ clusters and actions

  async clusters(tenantId: string, botRef: string, opts: { days?: number; threshold?: number } = {}): Promise<{ questionCount: number; clusters: ClusterView[] }> {
    const bot = await this.d.tenancy.getBot(tenantId, botRef);
    const since = addDays(this.d.clock.now(), -(opts.days ?? 30));
    const qs = await this.d.repo.openQuestions(tenantId, bot.id, { since, limit: CLUSTER_MAX_QUESTIONS });
    const clusters = clusterQuestions(qs.map((q) => ({ id: q.id, text: q.text, at: q.at, score: q.score })), { threshold: opts.threshold });
    return {
      questionCount: qs.length,
      clusters: clusters.map((c) => ({
        ...c, lastAt: c.lastAt.toISOString(),
        members: c.members.map((m) => ({ text: m.text, count: m.count, ids: m.ids, lastAt: m.lastAt.toISOString() })),
      })),
    };
  }

  /** The open questions among the ids, all of them, or a 400 (nothing changes). */
  private async openOf(tenantId: string, botId: string, ids: string[]) {
    const unique = [...new Set(ids)];
    if (!unique.length) throw new AppError('validation_failed', 'no questions given');
    const qs = await this.d.repo.findOpen(tenantId, botId, unique);
    if (qs.length !== unique.length) throw new AppError('conflict', `${unique.length - qs.length} of the questions are not open (handled, dismissed or unknown); reload the list`);
    return qs;
  }

  /** Distinct question texts, most frequent first (ties: first asked). */
  private static distinctTexts(qs: { text: string }[]): string[] {
    const counts = new Map<string, { text: string; n: number; i: number }>();
    qs.forEach((q, i) => {
      const key = normalize(q.text).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { text: q.text.trim(), n: 1, i });
    });
    return [...counts.values()].sort((a, b) => b.n - a.n || a.i - b.i).map((c) => c.text);
  }

  /**
   * A new draft entry from a cluster: the representative (or the given question) as its question, the other
   * questions as similar questions, the given answer or a marker asking for one. The questions are then handled.
   */
  async createEntry(p: Actor, botRef: string, input: { questionIds: string[]; question?: string; answer?: string; categoryId?: string | null }): Promise<{ entry: EntryView; handled: number }> {
    const bot = await this.d.tenancy.getBot(p.tenantId, botRef);
    const qs = await this.openOf(p.tenantId, bot.id, input.questionIds);
    const texts = LearningService.distinctTexts(qs);
    const question = input.question?.trim() || texts[0];
    const lang = detectLang(question);
    const answer = input.answer?.trim() || (lang === 'en' ? '(Answer to be written: created from unanswered customer questions.)' : '（待补充答案：由未解答的客户问题生成）');
    const entry = await this.d.knowledge.createEntry(p, bot.id, {
      question, similar: texts.filter((t) => t !== question).slice(0, 200), answer, status: 'draft',
      tags: [lang === 'en' ? 'from-traffic' : '来自流量'], ...(input.categoryId ? { categoryId: input.categoryId } : {}),
    });
    const handled = await this.d.repo.resolve(p.tenantId, bot.id, qs.map((q) => q.id), 'handled', `new-entry:${entry.externalId}`, p.actor, this.d.clock.now());
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'learning.new_entry', target: entry.id, details: { botId: bot.id, externalId: entry.externalId, questions: handled } });
    return { entry, handled };
  }

  /** Adds a cluster's questions as similar questions of an existing entry; the questions are then handled. */
  async addToEntry(p: Actor, botRef: string, input: { questionIds: string[]; entry: string }): Promise<{ entry: EntryView; added: number; handled: number }> {
    const bot = await this.d.tenancy.getBot(p.tenantId, botRef);
    const qs = await this.openOf(p.tenantId, bot.id, input.questionIds);
    const cur = await this.d.knowledge.getEntry(p.tenantId, bot.id, input.entry);
    if (cur.status === 'archived') throw new AppError('bad_request', 'the entry is archived');
    const known = new Set([cur.question, ...cur.similar].map((t) => normalize(t).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '')));
    const fresh = LearningService.distinctTexts(qs).filter((t) => !known.has(normalize(t).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '')));
    const entry = fresh.length ? await this.d.knowledge.updateEntry(p, bot.id, cur.id, { similar: [...cur.similar, ...fresh] }) : cur;
    const handled = await this.d.repo.resolve(p.tenantId, bot.id, qs.map((q) => q.id), 'handled', `add-to:${cur.externalId}`, p.actor, this.d.clock.now());
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'learning.add_to_entry', target: cur.id, details: { botId: bot.id, externalId: cur.externalId, added: fresh.length, questions: handled } });
    return { entry, added: fresh.length, handled };
  }

  async dismiss(p: Actor, botRef: string, input: { questionIds: string[] }): Promise<{ dismissed: number }> {
    const bot = await this.d.tenancy.getBot(p.tenantId, botRef);
    const qs = await this.openOf(p.tenantId, bot.id, input.questionIds);
    const dismissed = await this.d.repo.resolve(p.tenantId, bot.id, qs.map((q) => q.id), 'dismissed', null, p.actor, this.d.clock.now());
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'learning.dismiss', target: bot.id, details: { questions: dismissed } });
    return { dismissed };
  }

  // ------------------------------------------------------------------ hot questions

  private async questionsOf(tenantId: string, botId: string): Promise<Map<string, string>> {
    const snap = await this.d.knowledge.getPublishedSnapshot(tenantId, botId);
    return new Map((snap?.entries ?? []).map((e) => [e.id, e.question]));
  }

  /** Answered-entry statistics per day or week over the last `days` days (today included). */
  async hotStats(tenantId: string, botRef: string, opts: { period: 'day' | 'week'; days: number; top?: number }): Promise<HotStats> {
    const bot = await this.d.tenancy.getBot(tenantId, botRef);
    const now = this.d.clock.now();
    const to = localDay(now);
    const from = localDay(addDays(now, -(opts.days - 1)));
    const rows = await this.d.repo.answerCounts(tenantId, bot.id, { from, to, period: opts.period });
    const periods: string[] = [];
    const start = new Date(`${from}T00:00:00Z`);
    if (opts.period === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
    for (let d = start; day(d) <= to; d = addDays(d, opts.period === 'week' ? 7 : 1)) periods.push(day(d));
    const idx = new Map(periods.map((p, i) => [p, i]));
    const totals = periods.map(() => 0);
    const byEntry = new Map<string, number[]>();
    for (const r of rows) {
      const i = idx.get(r.period);
      if (i === undefined) continue;
      totals[i] += r.count;
      const s = byEntry.get(r.entryId) ?? byEntry.set(r.entryId, periods.map(() => 0)).get(r.entryId)!;
      s[i] += r.count;
    }
    const questions = await this.questionsOf(tenantId, bot.id);
    const top = [...byEntry].map(([entryId, series]) => ({ entryId, series, count: series.reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.count - a.count || (a.entryId < b.entryId ? -1 : 1)).slice(0, opts.top ?? 10)
      .map((t) => ({ ...t, question: questions.get(t.entryId) ?? t.entryId }));
    return { period: opts.period, from, to, periods, totals, top };
  }

  /**
   * The robot's automatic hot questions (RobotService.setHotQuestions): for a bot with `learning.hotQuestionsAuto`
   * and no manual list, the most answered published entries of the last 7 days. Served from memory; recomputed in
   * the background when older than 10 minutes, so a chat turn never waits for it.
   */
  hotQuestions(bot: Bot): string[] {
    if (!bot.settings.learning?.hotQuestionsAuto) return [];
    const c = this.hot.get(bot.id);
    if (!c || Date.now() - c.at > HOT_TTL_MS) void this.refreshHot(bot).catch((err) => this.d.logger.warn({ err, botId: bot.id }, 'hot questions refresh failed'));
    return c?.ids ?? [];
  }

  /** Recomputes a bot's automatic hot questions now. */
  refreshHot(bot: Pick<Bot, 'id' | 'tenantId'>): Promise<string[]> {
    const inflight = this.refreshing.get(bot.id);
    if (inflight) return inflight;
    const p = (async () => {
      const from = localDay(addDays(this.d.clock.now(), -(HOT_DAYS - 1)));
      const [top, questions] = await Promise.all([this.d.repo.topAnswered(bot.tenantId, bot.id, from, HOT_MAX * 2), this.questionsOf(bot.tenantId, bot.id)]);
      const ids = top.filter((t) => questions.has(t.entryId)).slice(0, HOT_MAX).map((t) => t.entryId);
      this.hot.set(bot.id, { ids, at: Date.now() });
      return ids;
    })().finally(() => this.refreshing.delete(bot.id));
    this.refreshing.set(bot.id, p);
    return p;
  }

  /** The hot-question menu as the robot offers it now: the manual list, or the automatic one. */
  async hotMenu(tenantId: string, botRef: string): Promise<{ source: 'manual' | 'auto' | 'none'; auto: boolean; items: HotEntry[] }> {
    const bot = await this.d.tenancy.getBot(tenantId, botRef);
    const auto = !!bot.settings.learning?.hotQuestionsAuto;
    const questions = await this.questionsOf(tenantId, bot.id);
    if (bot.settings.hotQuestions.length) {
      return { source: 'manual', auto, items: bot.settings.hotQuestions.filter((id) => questions.has(id)).map((id) => ({ entryId: id, question: questions.get(id)!, count: 0 })) };
    }
    if (!auto) return { source: 'none', auto, items: [] };
    const ids = await this.refreshHot(bot);
    const from = localDay(addDays(this.d.clock.now(), -(HOT_DAYS - 1)));
    const counts = new Map((await this.d.repo.topAnswered(tenantId, bot.id, from, HOT_MAX * 2)).map((t) => [t.entryId, t.count]));
    return { source: 'auto', auto, items: ids.map((id) => ({ entryId: id, question: questions.get(id)!, count: counts.get(id) ?? 0 })) };
  }
}
