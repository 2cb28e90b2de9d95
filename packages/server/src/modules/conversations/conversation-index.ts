import type { DomainEvent, EventBus } from '../../platform/event-bus.ts';
import { maskPii } from '../../platform/pii.ts';
import type { StoredEvent } from './conversation-repository.ts';
import { EV } from './conversation-service.ts';
import type { ConversationSearchRepository, SearchRow } from './search-repository.ts';

/** `conversation.rated` (modules/satisfaction/events.ts; not imported to keep this module free of that one). */
const RATED = 'conversation.rated';
/** Most characters of message text kept per conversation for verification of a term match. */
const MAX_BODY = 20_000;
/** Most distinct terms indexed per conversation. */
const MAX_TERMS = 4_000;
const MAX_TERM_LEN = 40;

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const SEGMENT = /[\u3400-\u9fff\uf900-\ufaff]+|(?:(?![\u3400-\u9fff\uf900-\ufaff])[\p{L}\p{N}])+/gu;

/** Lower-cased, full-width folded (ＡＢＣ１２ → abc12), so a query matches however it was typed. */
export const foldText = (s: string) => s.normalize('NFKC').toLowerCase();

/** Indexed terms of a text: Latin words and numbers whole, Chinese runs as character bigrams (a lone character alone). */
export function termsOf(text: string): string[] {
  const out = new Set<string>();
  for (const m of foldText(text).matchAll(SEGMENT)) {
    const seg = m[0];
    if (CJK.test(seg[0])) {
      const chars = [...seg];
      if (chars.length === 1) out.add(chars[0]);
      for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
    } else if (seg.length <= MAX_TERM_LEN) out.add(seg);
  }
  return [...out];
}

/**
 * What a query must find in the term index: Chinese bigrams (exact) and Latin words (as prefixes), plus the
 * pieces the body must contain. A one-character Chinese query has no bigram: only the body check applies.
 */
export function queryTerms(q: string): { exact: string[]; prefix: string[]; pieces: string[] } {
  const pieces = foldText(q).split(/\s+/).filter(Boolean).slice(0, 8);
  const exact = new Set<string>();
  const prefix = new Set<string>();
  for (const piece of pieces) {
    for (const m of piece.matchAll(SEGMENT)) {
      const seg = m[0];
      if (CJK.test(seg[0])) {
        const chars = [...seg];
        for (let i = 0; i + 1 < chars.length; i++) exact.add(chars[i] + chars[i + 1]);
      } else if (seg.length <= MAX_TERM_LEN) prefix.add(seg);
    }
  }
  // The rarest terms narrow best; a handful is enough (the body check does the rest).
  const byLength = (a: string, b: string) => b.length - a.length;
  return { exact: [...exact].slice(0, 6), prefix: [...prefix].sort(byLength).slice(0, 4), pieces };
}

const textOfReply = (r: unknown): string => {
  if (!r || typeof r !== 'object') return '';
  const reply = r as { text?: unknown; options?: { text?: unknown }[] };
  return typeof reply.text === 'string' ? reply.text : '';
};

/**
 * The search projection of one conversation: from its whole log, or continued from the row already indexed (`prev`,
 * built from the events up to prev.indexedSeq) with the events after it. Message texts are masked before they are
 * kept. Returns the terms of the new texts only (the terms of earlier ones are already indexed).
 */
export function summarize(
  conv: { id: string; tenantId: string; botId: string; channel: string; createdAt: Date }, events: StoredEvent[], prev?: SearchRow | null,
): { row: SearchRow; terms: string[]; answers: { entryId: string; text: string }[] } {
  const texts: string[] = [];
  /** Indexes in `texts` of knowledge answers (not indexed per conversation). */
  const skip = new Set<number>();
  const answerTexts: { entryId: string; text: string }[] = [];
  const agents = new Set<string>(prev?.agentIds ?? []);
  const entries = new Set<string>(prev?.entryIds ?? []);
  let firstQuestion: string | null = prev?.firstQuestion ?? null;
  let messages = prev?.messages ?? 0;
  let handoff = prev?.handoff ?? false;
  let fallback = prev?.fallback ?? false;
  let clarify = prev?.clarify ?? false;
  let rating: number | null = prev?.rating ?? null;
  let lastAt = prev?.lastAt ?? conv.createdAt;
  let lastSeq = prev?.indexedSeq ?? 0;
  for (const e of events) {
    if (e.seq <= (prev?.indexedSeq ?? 0)) continue;
    if (e.createdAt > lastAt) lastAt = e.createdAt;
    if (e.seq > lastSeq) lastSeq = e.seq;
    const p = e.payload ?? {};
    switch (e.type) {
      case EV.received: {
        const t = maskPii(String(p.text ?? ''));
        texts.push(t);
        messages++;
        if (firstQuestion === null && t) firstQuestion = t.slice(0, 200);
        break;
      }
      case EV.replied: {
        const t = textOfReply(p.reply);
        const entryId = (p.reply as { entryId?: unknown } | undefined)?.entryId;
        if (typeof entryId === 'string') {
          // A knowledge answer: in the body, but its terms are indexed once per entry (see entryTerms).
          entries.add(entryId);
          if (t) {
            const masked = maskPii(t);
            texts.push(masked);
            answerTexts.push({ entryId, text: masked });
            skip.add(texts.length - 1);
          }
        } else if (t) texts.push(maskPii(t));
        messages++;
        break;
      }
      case EV.agentMessage: {
        const t = textOfReply(p.reply);
        if (t) texts.push(maskPii(t));
        if (typeof p.agentId === 'string') agents.add(p.agentId);
        messages++;
        break;
      }
      case EV.understood: {
        if (p.decision === 'fallback') fallback = true;
        if (p.decision === 'clarify') clarify = true;
        if (typeof p.entryId === 'string') entries.add(p.entryId);
        if (typeof p.flowId === 'string') entries.add(`flow:${p.flowId}`);
        break;
      }
      case EV.handoff:
        handoff = true;
        break;
      case EV.assigned:
      case EV.wrapup:
        if (typeof p.agentId === 'string') agents.add(p.agentId);
        break;
      case EV.transferred:
        if (typeof p.toAgentId === 'string') agents.add(p.toAgentId);
        break;
      case RATED:
        if (typeof p.score === 'number') rating = p.score;
        break;
    }
  }
  const added = foldText(texts.join('\n'));
  const body = (prev?.body ? (added ? `${prev.body}\n${added}` : prev.body) : added).slice(0, MAX_BODY);
  // Terms of the new text that still fits in the body (a term the body check could not confirm is of no use).
  const room = Math.max(0, MAX_BODY - (prev?.body.length ?? 0));
  // Terms the earlier text already gave are indexed: a robot repeating itself costs no writes.
  // A Chinese bigram already in the body is already found (its own term, or a term of an answer in entry_ids): a
  // customer repeating words costs no writes. (A Latin word could be a mere substring there: always written.)
  const seen = prev?.body ?? '';
  const own = foldText(texts.filter((_, i) => !skip.has(i)).join('\n'));
  const terms = termsOf(own.slice(0, room)).filter((t) => !(CJK.test(t[0]) && seen.includes(t))).slice(0, MAX_TERMS);
  return {
    row: {
      conversationId: conv.id, tenantId: conv.tenantId, botId: conv.botId, channel: conv.channel, startedAt: conv.createdAt, lastAt,
      firstQuestion, body, messages, handoff, fallback, clarify, agentIds: [...agents], entryIds: [...entries], rating, indexedSeq: lastSeq,
    },
    terms,
    answers: answerTexts,
  };
}

/** How long events are gathered before they are indexed together (one batch of queries for all of them). */
const BATCH_MS = 2000;
/**
 * Most conversations indexed per batch. Smaller batches keep each burst of index work short next to the chat path's
 * queries (chat bench on PostgreSQL at 1,000 turns/s offered: p99 about 190 ms with 500, 86 ms with 100; 43 ms with
 * no index at all), at the same total throughput.
 */
const BATCH_MAX = 100;
/** The catch-up sweep: first run this long after listen() (startup is not slowed), then every SWEEP_MS. */
const SWEEP_DELAY_MS = 10_000;
const SWEEP_MS = 60_000;
/**
 * A recent sweep reads conversations with events since the start of the last complete one minus this overlap: appends
 * committed late (created_at is their transaction's start) and clocks a little apart between servers and database.
 */
const SWEEP_OVERLAP_MS = 120_000;
/** Conversations read per sweep page (one query through an index). */
const SWEEP_SCAN = 1_000;

/**
 * Keeps conversation_search up to date off the hot path: a conversation event only marks its conversation; every
 * BATCH_MS the marked ones are indexed together in three queries (their rows and the events after what each row
 * already holds; the new rows; the new terms), continuing each row from where it was (see summarize). Idempotent
 * and order-independent: a row only ever moves forward in the log.
 *
 * Marks live in memory only, so a catch-up sweep (see sweep) finds in the database what they missed: a process that
 * died before its flush, a batch that failed (it is dropped; the next sweep retries it), a conversation written by
 * something that never told this bus.
 */
export class ConversationIndexer {
  private dirty = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private answersSeen = new Set<string>();
  /** Batches that failed so far (a sweep only moves its window on when none failed while it ran). */
  private failures = 0;
  private sweeping: Promise<number> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private halted = false;
  /** Where the next recent sweep starts (ms); null until a whole sweep completed without a failure. */
  private sweepSince: number | null = null;

  constructor(private repo: ConversationSearchRepository, private onError: (err: unknown, conversationIds: string[]) => void = () => {}) {}

  /** Indexes this bus's conversation events, and sweeps in the background (see sweep). Returns the stop function. */
  listen(bus: EventBus): () => void {
    const off = bus.on('*', (e: DomainEvent) => {
      const id = e.conversationId;
      if (typeof id === 'string' && typeof e.type === 'string' && (e.type.startsWith('conversation.') || e.type.startsWith('message.') || e.type.startsWith('reply.') || e.type.startsWith('nlu.') || e.type.startsWith('agent.'))) {
        this.schedule(e.tenantId, id);
      }
    });
    this.halted = false;
    this.armSweep(SWEEP_DELAY_MS);
    return () => {
      off();
      // A sweep under way ends after its current page (idle() waits for it).
      this.halted = true;
      if (this.sweepTimer) clearTimeout(this.sweepTimer);
      this.sweepTimer = null;
    };
  }

  private armSweep(ms: number) {
    if (this.halted || this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      void this.sweep().then(() => this.armSweep(SWEEP_MS));
    }, ms);
    this.sweepTimer.unref?.();
  }

  /**
   * Catch-up sweep: indexes conversations whose search row is missing or behind their log, found in keyset pages of
   * SWEEP_SCAN conversations by id. The first sweep (or `full`) reads every conversation; later ones only those with
   * events since SWEEP_OVERLAP_MS before the start of the last complete sweep. The window moves on only when no batch
   * failed while a sweep ran, so the next sweep retries failed batches (of the 2 s flush too). Conversations found go
   * through the flush (never indexed twice at once); sweeps run one after another. Never rejects (errors go to
   * onError). Resolves to the number of conversations found missing or behind.
   */
  sweep(opts: { full?: boolean } = {}): Promise<number> {
    const before = this.sweeping;
    const run: Promise<number> = (async () => {
      if (before) await before;
      return this.runSweep(opts.full === true);
    })().finally(() => {
      if (this.sweeping === run) this.sweeping = null;
    });
    this.sweeping = run;
    return run;
  }

  private async runSweep(full: boolean): Promise<number> {
    const startedAt = Date.now();
    const failuresBefore = this.failures;
    const since = full || this.sweepSince === null ? null : new Date(this.sweepSince);
    let found = 0;
    try {
      for (let after: string | null = ''; after !== null;) {
        if (this.halted) return found;
        const page: { items: { tenantId: string; id: string }[]; next: string | null } = await this.repo.behind({ after, since, scan: SWEEP_SCAN });
        found += page.items.length;
        await this.indexNow(page.items);
        after = page.next;
      }
    } catch (err) {
      this.failures++;
      this.onError(err, []);
      return found;
    }
    if (this.failures === failuresBefore) this.sweepSince = startedAt - SWEEP_OVERLAP_MS;
    return found;
  }

  /** Indexes these conversations now, through the flush (so never at the same time as the flush indexes them). */
  private async indexNow(batch: { tenantId: string; id: string }[]): Promise<void> {
    for (const b of batch) this.dirty.set(b.id, b.tenantId);
    // A flush under way took its marks before these: wait for it, then the next one takes these.
    while (batch.some((b) => this.dirty.has(b.id))) await this.flush();
  }

  schedule(tenantId: string, conversationId: string): void {
    this.dirty.set(conversationId, tenantId);
    this.arm();
  }

  private arm() {
    if (this.timer || this.flushing || !this.dirty.size) return;
    this.timer = setTimeout(() => void this.flush(), BATCH_MS);
    this.timer.unref?.();
  }

  /** Indexes what is marked now (in batches of BATCH_MAX); what is marked meanwhile waits for the next round. */
  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        const all = [...this.dirty].map(([id, tenantId]) => ({ id, tenantId }));
        this.dirty.clear();
        for (let i = 0; i < all.length; i += BATCH_MAX) {
          const batch = all.slice(i, i + BATCH_MAX);
          await this.indexBatch(batch).catch((err) => {
            // Dropped here; the next sweep finds these rows missing or behind and retries them.
            this.failures++;
            this.onError(err, batch.map((b) => b.id));
          });
        }
      } finally {
        this.flushing = null;
        this.arm();
      }
    })();
    return this.flushing;
  }

  /** Indexes the events of these conversations that their rows do not hold yet. */
  async indexBatch(batch: { tenantId: string; id: string }[]): Promise<void> {
    if (!batch.length) return;
    const sources = await this.repo.sources(batch);
    const out = sources.map((src) => summarize(src.conversation, src.events, src.prev));
    // Knowledge answers: their terms once per entry and text (remembered here, so a repeated answer costs nothing).
    const entryTerms: { tenantId: string; entryId: string; terms: string[] }[] = [];
    for (const o of out) {
      for (const a of o.answers) {
        const key = `${o.row.tenantId}\u0000${a.entryId}\u0000${a.text}`;
        if (this.answersSeen.has(key)) continue;
        if (this.answersSeen.size > 20_000) this.answersSeen.clear();
        this.answersSeen.add(key);
        entryTerms.push({ tenantId: o.row.tenantId, entryId: a.entryId, terms: termsOf(a.text) });
      }
    }
    await this.repo.saveMany(out.filter((o, i) => o.row.indexedSeq > (sources[i].prev?.indexedSeq ?? -1)), entryTerms);
  }

  /** Indexes conversations that have no row yet (written before this index existed, or bulk-loaded), oldest first. */
  async backfill(batch = 200): Promise<number> {
    let done = 0;
    for (;;) {
      const ids = await this.repo.unindexed(batch);
      if (!ids.length) return done;
      await this.indexBatch(ids);
      done += ids.length;
    }
  }

  /** Indexes what is pending now, waits for a sweep under way, and resolves when done (tests, shutdown). */
  async idle(): Promise<void> {
    // Bus listeners start on the next turn of the event loop: let events emitted just before reach schedule().
    await new Promise((r) => setImmediate(r));
    while (this.sweeping) await this.sweeping;
    while (this.dirty.size || this.flushing) await this.flush();
  }
}
