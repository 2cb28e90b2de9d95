import type { RatingRequest } from '@lingxi/contracts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Conversation, StoredEvent } from '../conversations/conversation-repository.ts';
import type { ConversationService } from '../conversations/conversation-service.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import { ASSIGNED, QUEUED, RATED, type RatedPayload } from './events.ts';
import type { Rating, RatingFilter, RatingGroup, RatingRepository, SummaryBy } from './rating-repository.ts';

export const MAX_COMMENT_CHARS = 500;
/** Ratings one session may send per window: a customer changing their mind is fine, a script hammering is not. */
export const RATING_LIMIT = { max: 5, windowMs: 10 * 60_000 };
const MAX_RACE_RETRIES = 5;

// Control characters other than tab/newline, lone surrogates, and bidirectional overrides (a comment shown in a
// report must read the way it is stored: "Trojan Source", CVE-2021-42574).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
const TAG = /<\/?[A-Za-z!][^<>]*>/g;

/**
 * A rating comment as plain text: markup tags, control characters and bidi overrides removed, blank runs collapsed,
 * at most 500 characters. Empty becomes null.
 */
export function cleanComment(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const text = raw
    .replace(LONE_SURROGATE, '').replace(CONTROL, '').replace(BIDI, '').replace(TAG, ' ')
    .replace(/[ \t\u3000]+/g, ' ').replace(/ *\n[ \n]*/g, '\n').trim();
  if (!text) return null;
  if ([...text].length > MAX_COMMENT_CHARS) throw new AppError('bad_request', `comment is too long (at most ${MAX_COMMENT_CHARS} characters)`);
  return text;
}

export function checkScore(score: unknown): number {
  if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5) throw new AppError('bad_request', 'score must be an integer from 1 to 5');
  return score;
}

/** Who served a conversation, from its log: the last assignment's agent and group, else the last queue's group. */
export function servedBy(events: Pick<StoredEvent, 'type' | 'payload'>[]): { agentId?: string; agentName?: string; group?: string } {
  let out: { agentId?: string; agentName?: string; group?: string } = {};
  for (const e of events) {
    const p = e.payload as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    if (e.type === ASSIGNED && str(p.agentId)) out = { agentId: str(p.agentId), agentName: str(p.agentName), group: str(p.group) ?? out.group };
    else if (e.type === QUEUED && !out.agentId && str(p.group)) out = { group: str(p.group) };
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

export type RatingResult = { sessionId: string; score: number; comment: string | null; revision: number; replaced: boolean; ratedAt: string };

export type RatingSummaryRow = {
  key: string | null;
  label: string | null;
  count: number;
  average: number;
  /** Counts of 1, 2, 3, 4 and 5. */
  distribution: { 1: number; 2: number; 3: number; 4: number; 5: number };
  /** Share of ratings of 4 or 5 (满意率). */
  satisfactionRate: number;
};

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function summarize(g: Omit<RatingGroup, 'key' | 'label'> & Partial<Pick<RatingGroup, 'key' | 'label'>>): RatingSummaryRow {
  const [a, b, c, d, e] = g.distribution;
  return {
    key: g.key ?? null,
    label: g.label ?? null,
    count: g.count,
    average: g.count ? round(g.sum / g.count, 2) : 0,
    distribution: { 1: a, 2: b, 3: c, 4: d, 5: e },
    satisfactionRate: g.count ? round((d + e) / g.count, 4) : 0,
  };
}

/**
 * Satisfaction (满意度): customers rate a conversation 1–5 with an optional comment, once per conversation (a second
 * rating replaces the first and is audited as a change). Each rating is a `conversation.rated` event of the
 * conversation's log (so the EventBus and webhooks see it) and a row of the `ratings` projection for reports.
 */
export class SatisfactionService {
  constructor(private d: { repo: RatingRepository; conversations: ConversationService; tenancy: TenancyService; coordination: Coordination; audit: AuditLog; clock: Clock }) {}

  /** POST /api/v1/chat/rating: the session must be one of this public bot's; an unknown one is not found. */
  async rateSession(req: Pick<RatingRequest, 'bot' | 'sessionId' | 'score' | 'comment'>): Promise<RatingResult> {
    const bot = await this.d.tenancy.getPublicBot(req.bot);
    const conv = await this.d.conversations.findForBot(bot.id, req.sessionId);
    if (!conv) throw notFound('session');
    return this.rate(conv, req);
  }

  /**
   * Rates a conversation the caller has already resolved: the WebSocket `rate` message (the socket knows its session)
   * and channel adapters. Throws bad_request (score, comment), rate_limited, or conflict after repeated races.
   */
  async rate(conv: Pick<Conversation, 'id' | 'tenantId'>, input: { score: number; comment?: string | null }): Promise<RatingResult> {
    const score = checkScore(input.score);
    const comment = cleanComment(input.comment);
    if ((await this.d.coordination.incr(`rating-limit:${conv.id}`, RATING_LIMIT.windowMs)) > RATING_LIMIT.max) {
      throw new AppError('rate_limited', 'too many ratings for this conversation, please try again later');
    }
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const fresh = await this.d.conversations.get(conv.tenantId, conv.id);
      const history = await this.d.conversations.events(fresh.tenantId, fresh.id, { types: [ASSIGNED, QUEUED, RATED], limit: 5000 });
      const rated = history.filter((e) => e.type === RATED);
      const previous = rated.length ? (rated[rated.length - 1].payload as RatedPayload) : undefined;
      const served = servedBy(history);
      const payload: RatedPayload = { score, comment, ...served, revision: rated.length + 1, ...(previous ? { previousScore: previous.score } : {}) };
      // The robot's state and the service status are untouched: a rating is a fact about the conversation, not a turn.
      const stored = await this.d.conversations.append(fresh, [{ type: RATED, payload }], { state: fresh.state, status: fresh.status });
      if (!stored) continue; // a turn of this conversation got in first: read again
      const ev = stored[0];
      await this.d.repo.upsert({
        conversationId: fresh.id, tenantId: fresh.tenantId, botId: fresh.botId, channel: fresh.channel,
        agentId: served.agentId ?? null, agentName: served.agentName ?? null, group: served.group ?? null,
        score, comment, revision: payload.revision, eventSeq: ev.seq, ratedAt: ev.createdAt,
      });
      if (previous) {
        await this.d.audit.record({
          tenantId: fresh.tenantId, actor: 'customer', action: 'rating.change', target: fresh.id,
          details: { fromScore: previous.score, toScore: score, revision: payload.revision },
        });
      }
      return { sessionId: fresh.id, score, comment, revision: payload.revision, replaced: !!previous, ratedAt: ev.createdAt.toISOString() };
    }
    throw new AppError('conflict', 'this conversation is busy, please rate again');
  }

  find(tenantId: string, conversationId: string): Promise<Rating | null> {
    return this.d.repo.find(tenantId, conversationId);
  }

  /** Filters name the bot by id or slug (resolved in the caller's tenant: another tenant's bot is not found). */
  private async resolve(tenantId: string, f: RatingFilter): Promise<RatingFilter> {
    return f.botId ? { ...f, botId: (await this.d.tenancy.getBot(tenantId, f.botId)).id } : f;
  }

  async list(tenantId: string, f: RatingFilter & { limit: number; before?: Date }): Promise<Rating[]> {
    return this.d.repo.list(tenantId, { ...(await this.resolve(tenantId, f)), limit: f.limit, before: f.before });
  }

  async summary(tenantId: string, by: SummaryBy, f: RatingFilter): Promise<{ by: SummaryBy; total: RatingSummaryRow; items: RatingSummaryRow[] }> {
    const groups = await this.d.repo.summary(tenantId, by, await this.resolve(tenantId, f));
    const total = groups.reduce(
      (acc, g) => ({ count: acc.count + g.count, sum: acc.sum + g.sum, distribution: acc.distribution.map((n, i) => n + g.distribution[i]) as RatingGroup['distribution'] }),
      { count: 0, sum: 0, distribution: [0, 0, 0, 0, 0] as RatingGroup['distribution'] },
    );
    return { by, total: summarize(total), items: groups.map(summarize) };
  }
}
