import { createHash } from 'node:crypto';
import type { ConsoleVersion, Reply, TraceHit, TraceReason, TurnTrace } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { FlowRepository } from '../flows/flow-repository.ts';
import { ENTRY_STATUSES, type KnowledgeRepository } from '../knowledge/knowledge-repository.ts';
import { buildSnapshot, categoryPaths } from '../knowledge/knowledge-service.ts';
import { EV } from '../conversations/conversation-service.ts';
import type { BotSettings } from '../tenancy/bot-settings.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import { trainSnapshot, type BotModelRegistry, type LoadedBot } from './bot-model-registry.ts';
import { decide, flowIdOf, type RobotService, type RobotState, type TurnResult } from './robot-service.ts';

/**
 * The test console: chat with a bot's working copy (draft, submitted and approved entries too) or with any published
 * version, and see per turn what the robot understood and why it decided as it did.
 *
 * Stateless: the robot's state between turns travels with the client (it holds nothing secret: pending options,
 * the last answered question, the fallback count), so multi-turn clarification choices and follow-ups work and
 * nothing is kept on the server. Test turns write no conversation and emit no event: analytics and learning never
 * see them. A business flow the message would start is reported in the trace, not run (flows call the bank's
 * systems and send one-time codes; their dry run with mocks is in the flow editor).
 */

export type ConsoleTurn = { replies: Reply[]; state: RobotState; trace: TurnTrace };

type Deps = {
  tenancy: TenancyService;
  knowledge: KnowledgeRepository;
  flows?: FlowRepository;
  models: BotModelRegistry;
  robot: RobotService;
  /** A cheap fingerprint of the working copy (see pg-working-copy.ts); without it the whole copy is hashed. */
  fingerprint?: { of(tenantId: string, botId: string): Promise<string> };
  clock: Clock;
  logger: Logger;
};

type DraftModel = { fingerprint: string; model: Promise<LoadedBot> };

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export class TestConsoleService {
  private drafts = new Map<string, DraftModel>();
  constructor(private d: Deps) {}

  async turn(tenantId: string, botRef: string, input: { version: ConsoleVersion; text: string; state?: RobotState; channel?: string }): Promise<ConsoleTurn> {
    const bot = this.d.robot.withHotQuestions(await this.d.tenancy.getBot(tenantId, botRef));
    const loaded = input.version === 'draft' ? await this.draftModel(bot) : await this.d.models.forVersion(tenantId, bot.id, input.version);
    if (!loaded) throw notFound(`version ${input.version}`);
    const text = input.text.trim();
    if (!text) throw new AppError('validation_failed', 'the message is empty');
    const t0 = performance.now();
    const state: RobotState = { ...input.state };
    delete state.secure;
    const r = decide(bot.settings, loaded, state, text, input.channel ?? 'web', this.d.clock.now());
    const trace = explain(r, loaded, bot.settings, input.version, performance.now() - t0);
    return { replies: r.replies, state: r.state, trace };
  }

  /** The working copy's model: trained on demand, reused until the working copy changes. */
  async draftModel(bot: Bot): Promise<LoadedBot> {
    // The fingerprint is checked on every turn, so an edit is tested at once; the copy is read only when it changed.
    const cur = this.drafts.get(bot.id);
    let fingerprint = this.d.fingerprint ? await this.d.fingerprint.of(bot.tenantId, bot.id) : null;
    if (cur && fingerprint !== null && cur.fingerprint === fingerprint) return cur.model;
    const snapshot = await this.workingCopy(bot);
    fingerprint ??= createHash('sha1').update(JSON.stringify(snapshot)).digest('base64url');
    if (cur && cur.fingerprint === fingerprint) return cur.model;
    const t0 = Date.now();
    const model = trainSnapshot(bot.id, snapshot, this.d.clock.now());
    const entry: DraftModel = { fingerprint, model };
    this.drafts.set(bot.id, entry);
    model.then(
      () => this.d.logger.info({ botId: bot.id, entries: snapshot.entries.length, ms: Date.now() - t0 }, 'test console: draft model trained'),
      () => this.drafts.get(bot.id) === entry && this.drafts.delete(bot.id),
    );
    return model;
  }

  private async workingCopy(bot: Bot) {
    const k = this.d.knowledge;
    const [entries, cats, syns, flows] = await Promise.all([
      k.entriesWithStatus(bot.tenantId, bot.id, ENTRY_STATUSES.filter((s) => s !== 'archived')),
      k.listCategories(bot.tenantId, bot.id),
      k.listSynonyms(bot.tenantId, bot.id),
      this.d.flows ? this.d.flows.list(bot.tenantId, bot.id, { enabledOnly: true }) : Promise.resolve([]),
    ]);
    return buildSnapshot(0, entries, categoryPaths(cats), syns, flows.map((f) => f.definition));
  }
}

/** What the turn's nlu.understood event says, in the console's terms. */
export function explain(r: TurnResult, loaded: LoadedBot, settings: BotSettings, version: ConsoleVersion, ms: number): TurnTrace {
  const th = settings.thresholds;
  const u = (r.events.find((e) => e.type === EV.understood)?.payload ?? {}) as {
    decision?: string; lang?: string; normalized?: string; reason?: string; via?: string; choice?: number; entryId?: string; flowId?: string;
    hits?: { id: string; score: number }[]; rewritten?: string;
  };
  const hitOf = (id: string, score: number): TraceHit => {
    const f = flowIdOf(id);
    if (f !== undefined) {
      const n = loaded.flows?.get(f)?.name;
      return { id, kind: 'flow', question: typeof n === 'string' ? n : (n?.zh ?? f), score };
    }
    return { id, kind: 'entry', question: loaded.entries.get(id)?.question ?? id, score };
  };
  const hits = (u.hits ?? []).map((h) => hitOf(h.id, h.score));
  const best = hits[0]?.score ?? 0;
  const second = hits[1]?.score ?? 0;
  const margin = r3(best - second);
  const nums = { score: best, second, margin };
  const raw = u.decision ?? 'fallback';
  let decision: TurnTrace['decision'];
  let reason: TraceReason;
  const handoff = r.events.some((e) => e.type === EV.handoff);
  const flowId = r.startFlow ?? u.flowId;
  if (raw === 'handoff_request') {
    decision = 'handoff';
    reason = { rule: 'handoff_keyword', text: 'the message asks for a person (a hand-off keyword) → handoff' };
  } else if (u.via === 'choice') {
    decision = flowId ? 'flow' : 'answer';
    reason = { rule: 'choice', text: `option ${u.choice} of the previous menu was chosen → ${decision}` };
  } else if (raw === 'greeting' || raw === 'thanks' || raw === 'bye') {
    decision = 'smalltalk';
    reason = { rule: 'smalltalk', text: `small talk (${raw}) → fixed reply` };
  } else if (raw === 'none_of_these') {
    decision = 'smalltalk';
    reason = { rule: 'none_of_these', text: 'none of the offered options → ask to rephrase' };
  } else if (raw === 'no_knowledge') {
    decision = 'no_knowledge';
    reason = { rule: 'no_knowledge', text: 'no knowledge to answer from' };
  } else if (raw === 'answer' || raw === 'flow') {
    decision = raw;
    reason = { rule: 'confident', ...nums, text: `score ${best} ≥ answer threshold ${th.answer}; margin ${margin} ≥ ${th.margin} → ${raw}` };
  } else if (raw === 'clarify') {
    decision = 'clarify';
    if (u.reason === 'underspecified') {
      reason = { rule: 'underspecified', ...nums, text: 'a short question that several entries contain, each with its own qualifier → clarify' };
    } else {
      const parts = [best < th.answer ? `score ${best} < answer threshold ${th.answer}` : `score ${best} ≥ answer threshold ${th.answer}`];
      if (margin < th.margin) parts.push(`margin ${margin} < ${th.margin}`);
      reason = { rule: best < th.answer ? 'low_score' : 'low_margin', ...nums, text: `${parts.join('; ')}; ≥ clarify threshold ${th.clarify} → clarify` };
    }
  } else {
    decision = handoff ? 'handoff' : 'fallback';
    const why = hits.length ? `best score ${best} < clarify threshold ${th.clarify}` : 'no candidate entry';
    reason = handoff
      ? { rule: 'repeated_fallback', ...nums, text: `${why}; ${settings.handoffAfterFailures} fallbacks in a row → handoff` }
      : { rule: 'below_clarify', ...nums, text: `${why} → fallback` };
  }
  const intentId = u.entryId ?? (flowId ? `flow:${flowId}` : undefined) ?? (decision === 'answer' || decision === 'clarify' || decision === 'flow' ? hits[0]?.id : undefined);
  const intent = intentId ? (hits.find((h) => h.id === intentId) ?? hitOf(intentId, u.via === 'choice' ? 1 : best)) : null;
  const flowName = flowId ? loaded.flows?.get(flowId)?.name : undefined;
  return {
    version, trainedAt: loaded.loadedAt.toISOString(), entryCount: loaded.entries.size,
    lang: u.lang ?? 'zh', normalized: u.normalized ?? null, ...(u.rewritten ? { rewritten: u.rewritten } : {}),
    decision, intent, hits, thresholds: th, reason,
    ...(flowId ? { flow: { id: flowId, name: typeof flowName === 'string' ? flowName : (flowName?.zh ?? flowId) } } : {}),
    ms: Math.round(ms * 10) / 10,
  };
}
