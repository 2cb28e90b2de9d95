import type { Reply, ReplyOption } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { NewEvent } from '../conversations/conversation-repository.ts';
import { EV } from '../conversations/conversation-service.ts';
import type { BotSettings } from '../tenancy/bot-settings.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import { isValidAt, type SnapshotEntry } from '../knowledge/knowledge-snapshot.ts';
import { detectLang, normalize, parseChoice, type Lang } from '../text/index.ts';

export { parseChoice };
import type { FaqHit } from '../nlu/index.ts';
import type { BotModelRegistry, LoadedBot } from './bot-model-registry.ts';
import { resolveFollowUp } from './follow-up.ts';
import type { FlowTurns, TurnContext } from './flow-turn.ts';

/** The robot's state between turns. Derived from the event log (see replayState), stored for speed. */
export type RobotState = {
  /** Fallbacks in a row; reset by any answer. */
  failures?: number;
  /** Options of the last clarifying question, answerable by number or text in the next turn. */
  pending?: { n: number; entryId: string; text: string }[];
  lastEntryId?: string;
  /** The last question that was answered, as matched (follow-ups like "那信用卡呢" are resolved against it). */
  lastQuestion?: string;
  lang?: Lang;
  /** The business robot's part (running flow, session slots, identity check), sealed: see flow-turn.ts. */
  secure?: string;
};

export type TurnResult = {
  replies: Reply[];
  /** Events of this turn after message.received: nlu.understood, reply.sent…, conversation.handoff. */
  events: NewEvent[];
  state: RobotState;
  handoff: boolean;
  /** The message starts this flow (the flow's turn runs next, see FlowTurns). */
  startFlow?: string;
  /** Time this turn spent waiting on connectors (not the robot's own work). */
  connectorMs?: number;
};

const EN: Pick<BotSettings, 'greeting' | 'fallback' | 'handoffText' | 'thanksReply'> & { clarify: string; bye: string; noneOfThese: string; noKnowledge: string } = {
  greeting: "Hello, I'm the virtual assistant. How can I help you?",
  fallback: "Sorry, I didn't quite get that. Could you rephrase it, or pick one of these popular questions:",
  handoffText: 'Transferring you to a customer-service agent. An agent will follow up with you shortly.',
  thanksReply: "You're welcome! Ask me anytime if there's anything else.",
  clarify: 'Did you mean one of these? Tap one or reply with its number:',
  bye: 'Thank you for contacting us. Goodbye!',
  noneOfThese: 'OK. Could you describe your question in other words?',
  noKnowledge: 'This assistant has no published knowledge yet.',
};
const ZH = {
  clarify: '您是想问以下哪个问题？请点击或回复序号：',
  bye: '感谢您的咨询，再见！',
  noneOfThese: '好的，请换个说法描述一下您的问题。',
  noKnowledge: '该机器人还没有发布知识，暂时无法回答。',
};

const GREETING = /^(你好|您好|你好呀|您好呀|hi|hello|hey|hiya|在吗|在不在|在么|哈喽|嗨|早上好|中午好|下午好|晚上好|good (morning|afternoon|evening))[啊呀吗哈么\s!！。.~～,，?？]*$/i;
const THANKS = /^(好的)?[,，\s]*(谢谢|多谢|感谢|谢啦|谢了|thx|thanks|thank you|ok thanks)(你|您|啦|了)?(的帮助)?[啊呀了哈\s!！。.~～]*$/i;
// "谢谢，再见" / "thanks, bye" are goodbyes too (issue 5: a goodbye ends the conversation with a rating card).
const BYE = /^((好的)?[,，\s]*(谢谢|多谢|感谢|谢啦|thx|thanks|thank you)(你|您|啦|了)?(的帮助)?[,，\s!！。.~～]*)?(再见|拜拜|bye|goodbye|bye bye|see you)[啊呀了哈\s!！。.~～]*$/i;
const NONE_OF_THESE = /^(都不是|都不对|没有|不是|none( of (these|them))?|neither)[啊呀了哈\s!！。.~～]*$/i;

/** Where the robot finds automatic hot questions (modules/learning: the most answered entries of the last days). */
export type HotQuestionSource = { hotQuestions(bot: Bot): string[] };

export class RobotService {
  private hot?: HotQuestionSource;
  constructor(private d: { models: BotModelRegistry; clock: Clock; flows?: FlowTurns }) {}

  /** Automatic hot questions, offered when a bot's manual list is empty (and the source says the bot wants them). */
  setHotQuestions(src: HotQuestionSource) {
    this.hot = src;
  }

  /** The bot with its hot-question menu filled in from traffic when its own list is empty. */
  withHotQuestions(bot: Bot): Bot {
    if (bot.settings.hotQuestions.length || !this.hot) return bot;
    const ids = this.hot.hotQuestions(bot);
    return ids.length ? { ...bot, settings: { ...bot.settings, hotQuestions: ids } } : bot;
  }

  /**
   * One robot turn: understand the message and decide to answer, clarify, fall back or hand off — or start or
   * continue a business flow. Flows need the conversation (`ctx`); without it the robot answers knowledge only.
   */
  async respond(bot: Bot, state: RobotState, text: string, channel: string, ctx?: TurnContext): Promise<TurnResult> {
    bot = this.withHotQuestions(bot);
    const loaded = await this.d.models.get(bot);
    const now = this.d.clock.now();
    const flows = this.d.flows;
    if (!flows || !ctx || !loaded) return decide(bot.settings, loaded, state, text, channel, now);
    const sec = flows.unseal(state);
    if (flows.busy(sec)) {
      const lang = sec.flowLang ?? detectLang(text);
      const base: TurnResult = {
        replies: [], handoff: false, state: { ...state, lang, pending: undefined, lastQuestion: undefined },
        events: [{ type: EV.understood, payload: { lang, decision: 'flow_input', flowId: sec.flow!.flowId } }],
      };
      return flows.continue(base, loaded, bot.settings, sec, text, ctx, () => decide(bot.settings, loaded, { ...state, pending: undefined }, text, channel, now));
    }
    const r = decide(bot.settings, loaded, state, text, channel, now);
    return r.startFlow ? flows.start(r.startFlow, r, loaded, sec, text, ctx) : r;
  }
}

/** The flow a hit or a menu option stands for (`flow:<id>` ids are the flows' trigger phrases in the model). */
export const FLOW_PREFIX = 'flow:';
export const flowIdOf = (id: string | undefined) => (id?.startsWith(FLOW_PREFIX) ? id.slice(FLOW_PREFIX.length) : undefined);

/** Pure decision function, so that the same input always gives the same turn (and tests need no server). */
export function decide(settings: BotSettings, loaded: LoadedBot | null, state: RobotState, text: string, channel: string, now: Date): TurnResult {
  const lang = detectLang(text);
  const t = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const normalized = normalize(text);
  /** The question as answered: the message, or the full question a follow-up stands for. */
  let query = normalized;
  const events: NewEvent[] = [];
  const replies: Reply[] = [];
  const next: RobotState = { ...state, lang, pending: undefined, lastQuestion: undefined };
  const valid = (e: SnapshotEntry | undefined): e is SnapshotEntry => !!e && isValidAt(e, now);
  const entry = (id: string) => {
    const e = loaded?.entries.get(id);
    return valid(e) ? e : undefined;
  };
  const say = (r: Reply) => {
    replies.push(r);
    events.push({ type: EV.replied, payload: { reply: r } });
  };
  const understood = (decision: string, extra: Record<string, unknown> = {}) =>
    events.push({ type: EV.understood, payload: { lang, normalized, decision, ...extra } });

  const flowOf = (id: string | undefined) => {
    const f = flowIdOf(id);
    return f !== undefined && loaded?.flows?.has(f) ? f : undefined;
  };
  const flowName = (id: string) => {
    const n = loaded!.flows!.get(id)!.name;
    return typeof n === 'string' ? n : lang === 'en' ? (n.en ?? n.zh) : n.zh;
  };
  /** A business flow takes the turn (its first replies come from the flow). */
  const start = (flowId: string, extra: Record<string, unknown>): TurnResult => {
    next.failures = 0;
    understood('flow', { flowId, ...extra });
    return { ...result(), startFlow: flowId };
  };
  const answer = (e: SnapshotEntry, via: string, hits?: FaqHit[]) => {
    next.failures = 0;
    next.lastEntryId = e.id;
    next.lastQuestion = query;
    const related = relatedOf(e, hits);
    say({
      type: 'answer',
      text: e.channelAnswers[channel] ?? e.answer,
      entryId: e.id,
      ...(e.answerHtml && (channel === 'web' || channel === 'app') ? { html: e.answerHtml } : {}),
      ...(related.length ? { related } : {}),
    });
    return via;
  };
  const relatedOf = (e: SnapshotEntry, hits?: FaqHit[]): ReplyOption[] => {
    const ids = e.related.length ? e.related : (hits ?? []).slice(1).filter((h) => h.score >= settings.thresholds.clarify).map((h) => h.id);
    return ids.map(entry).filter(valid).filter((r) => r.id !== e.id).slice(0, settings.relatedQuestions)
      .map((r, i) => ({ n: i + 1, text: r.question, entryId: r.id }));
  };
  const handoff = (reason: string) => {
    say({ type: 'handoff', text: lang === 'en' ? EN.handoffText : settings.handoffText });
    events.push({ type: EV.handoff, payload: { reason } });
    next.failures = 0;
  };
  const hotQuestions = (): ReplyOption[] => {
    if (!loaded) return [];
    return settings.hotQuestions.map(entry).filter(valid).filter((e) => detectLang(e.question) === lang)
      .slice(0, 6).map((e, i) => ({ n: i + 1, text: e.question, entryId: e.id }));
  };
  const fallback = (hits: FaqHit[]) => {
    next.failures = (state.failures ?? 0) + 1;
    understood('fallback', { hits: top(hits), failures: next.failures });
    if (next.failures >= settings.handoffAfterFailures) {
      handoff('repeated_fallback');
      return result();
    }
    const options = hotQuestions();
    next.pending = options.map((o) => ({ n: o.n, entryId: o.entryId!, text: o.text }));
    say({ type: 'fallback', text: lang === 'en' ? EN.fallback : settings.fallback, ...(options.length ? { options } : {}) });
    return result();
  };
  const result = (): TurnResult => ({ replies, events, state: next, handoff: events.some((e) => e.type === EV.handoff) });

  // 1. The customer asks for a person.
  const lower = normalized.toLowerCase();
  if (settings.handoffKeywords.some((k) => lower.includes(k.toLowerCase()))) {
    // One step to a person, always (一键转人工): the hand-off flow is for requests that do not say it outright.
    understood('handoff_request');
    handoff('customer_request');
    return result();
  }
  // 2. Answering the last clarifying question (or hot-question menu) by number or by the option's text.
  if (state.pending?.length) {
    const n = parseChoice(text);
    const chosen = state.pending.find((o) => o.n === n) ?? state.pending.find((o) => normalize(o.text) === normalized);
    const chosenFlow = flowOf(chosen?.entryId);
    if (chosenFlow) return start(chosenFlow, { via: 'choice', choice: chosen!.n });
    const e = chosen && entry(chosen.entryId);
    if (e) {
      const f = loaded?.flowByEntry?.get(e.id);
      if (f && loaded?.flows?.has(f)) return start(f, { via: 'choice', choice: chosen!.n, entryId: e.id });
      query = normalize(e.question);
      understood('answer', { via: 'choice', choice: chosen!.n, entryId: e.id, query });
      answer(e, 'choice');
      return result();
    }
    if (NONE_OF_THESE.test(normalized)) {
      understood('none_of_these');
      say({ type: 'text', text: t(ZH.noneOfThese, EN.noneOfThese) });
      return result();
    }
  }
  // 3. Small talk.
  if (GREETING.test(normalized)) {
    understood('greeting');
    say({ type: 'text', text: lang === 'en' ? EN.greeting : settings.greeting });
    return result();
  }
  if (THANKS.test(normalized)) {
    understood('thanks');
    // Thanks after an answer usually ends a robot conversation: ask for a rating (satisfaction, issue 5).
    say({ type: 'text', text: lang === 'en' ? EN.thanksReply : settings.thanksReply, ...(state.lastEntryId ? ratingCard(channel) : {}) });
    return result();
  }
  if (BYE.test(normalized)) {
    understood('bye');
    say({ type: 'text', text: t(ZH.bye, EN.bye), ...ratingCard(channel) });
    return result();
  }
  if (!loaded) {
    understood('no_knowledge');
    say({ type: 'fallback', text: t(ZH.noKnowledge, EN.noKnowledge) });
    return result();
  }
  // 4. Knowledge and business flows. Expired or not-yet-valid entries are never served.
  const th = settings.thresholds;
  const matchOf = (q: string) => loaded.model.match(q, 8).filter((h) => entry(h.id) || flowOf(h.id));
  const confident = (hs: FaqHit[]) => !!hs[0] && hs[0].score >= th.answer && hs[0].score - (hs[1]?.score ?? 0) >= th.margin;
  let hits = matchOf(text);
  // A follow-up that leaves out its subject ("那信用卡呢" after "借记卡年费多少") is read as the full question it
  // stands for, unless it is understood well on its own.
  let rewritten: string | undefined;
  if (!confident(hits) && state.lastQuestion) {
    const last = state.lastEntryId ? entry(state.lastEntryId) : undefined;
    const fu = resolveFollowUp(text, { question: state.lastQuestion, ...(last ? { entryQuestion: last.question } : {}) }, lang, { terms: loaded.synonyms });
    if (fu) {
      // A substituted follow-up asks about something other than what was just answered: that entry is not offered again.
      const again = matchOf(fu.text).filter((h) => fu.kind !== 'substitute' || h.id !== state.lastEntryId);
      if (again[0] && (!hits[0] || again[0].score > hits[0].score)) {
        hits = again;
        rewritten = fu.text;
        query = normalize(fu.text);
      }
    }
  }
  const [best, second] = hits;
  const follow = rewritten ? { rewritten } : {};
  const bestFlow = flowOf(best?.id);
  if (bestFlow && confident(hits)) return start(bestFlow, { score: best.score, hits: top(hits), ...follow });
  // An underspecified question ("卡丢了", "年费多少") that several entries' questions contain, each with its own
  // qualifier (信用卡 / 储蓄卡 / 房贷扣款卡), is asked back rather than guessed, however confident the matcher is.
  const covering = rewritten ? [] : underspecifiedAmong(normalized, lang, hits.filter((h) => !flowOf(h.id) && h.score >= th.clarify / 2).slice(0, 5), (id) => entry(id));
  if (covering.length >= 2) {
    const options = covering.slice(0, settings.maxClarifyOptions).map((h, i) => ({ n: i + 1, text: entry(h.id)!.question, entryId: h.id }));
    next.pending = options.map((o) => ({ n: o.n, entryId: o.entryId, text: o.text }));
    understood('clarify', { reason: 'underspecified', hits: top(hits) });
    say({ type: 'clarify', text: t(ZH.clarify, EN.clarify), options });
    return result();
  }
  if (confident(hits)) {
    const f = loaded.flowByEntry?.get(best.id);
    if (f && loaded.flows?.has(f)) return start(f, { entryId: best.id, score: best.score, hits: top(hits), ...follow });
    understood('answer', { entryId: best.id, score: best.score, hits: top(hits), query, ...follow });
    answer(entry(best.id)!, 'match', hits.filter((h) => entry(h.id)));
    return result();
  }
  const candidates = hits.filter((h) => h.score >= th.clarify).slice(0, settings.maxClarifyOptions);
  if (candidates.length >= 1) {
    // A lone weak candidate is still offered (with the runner-up when it is close), rather than guessed.
    if (candidates.length === 1 && second && second.score >= th.clarify / 2) candidates.push(second);
    const options = candidates.map((h, i) => ({ n: i + 1, text: flowOf(h.id) ? flowName(flowOf(h.id)!) : entry(h.id)!.question, entryId: h.id }));
    next.pending = options.map((o) => ({ n: o.n, entryId: o.entryId, text: o.text }));
    understood('clarify', { hits: top(hits), ...follow });
    say({ type: 'clarify', text: t(ZH.clarify, EN.clarify), options });
    return result();
  }
  return fallback(hits);
}

const PUNCT = /[\s\p{P}\p{S}]+/gu;
/** Questions this short (characters for Chinese, words for English) may be underspecified. */
const SHORT = { zh: 6, en: 2 };

/** True when every unit of `q` occurs in `s` in order. */
function isSubsequence(q: string[], s: string[]): boolean {
  let i = 0;
  for (const c of s) if (c === q[i]) i++;
  return i === q.length;
}

/**
 * The hits whose entry has a question that contains the whole (short) query plus a qualifier of its own.
 * Empty when the query is long, matches a question of some entry exactly, or only one entry contains it.
 */
export function underspecifiedAmong(normalized: string, lang: Lang, hits: FaqHit[], entryOf: (id: string) => SnapshotEntry | undefined): FaqHit[] {
  const units = (s: string) => (lang === 'en' ? s.toLowerCase().split(/[^a-z0-9']+/).filter(Boolean) : [...s.replace(PUNCT, '')]);
  const q = units(normalized);
  if (q.length < (lang === 'en' ? 1 : 2) || q.length > SHORT[lang]) return [];
  const out: FaqHit[] = [];
  for (const h of hits) {
    const e = entryOf(h.id);
    if (!e) continue;
    const qs = [e.question, ...e.similar].map((x) => units(normalize(x)));
    if (qs.some((x) => x.length === q.length && isSubsequence(q, x))) return [];
    if (qs.some((x) => x.length >= q.length + (lang === 'en' ? 1 : 2) && isSubsequence(q, x))) out.push(h);
  }
  return out.length >= 2 ? out : [];
}

/** The rating card (1–5) on channels that can show one: the web widget, the app SDK and the chat API. */
const ratingCard = (channel: string): Pick<Reply, 'rating'> => (channel === 'web' || channel === 'app' || channel === 'api' ? { rating: { scale: 5 } } : {});

const top = (hits: FaqHit[]) => hits.slice(0, 5).map((h) => ({ id: h.id, score: Math.round(h.score * 1000) / 1000 }));

/**
 * Rebuilds the robot's state from a conversation's events alone (the log is the truth; the stored state is a cache).
 * Must agree with what decide() stored: tested in robot-service.test.ts.
 */
export function replayState(events: { type: string; payload: Record<string, unknown> }[]): RobotState {
  const s: RobotState = {};
  for (const e of events) {
    if (e.type === EV.received) s.pending = undefined;
    if (e.type === EV.understood) {
      const p = e.payload as { decision: string; lang?: Lang; failures?: number; entryId?: string; query?: string; normalized?: string };
      s.lang = p.lang;
      s.lastQuestion = p.decision === 'answer' ? (p.query ?? p.normalized) : undefined;
      if (p.decision === 'fallback') s.failures = p.failures;
      if (p.decision === 'flow') s.failures = 0;
    }
    if (e.type === EV.replied) {
      const r = (e.payload as { reply: Reply }).reply;
      if (r.type === 'answer') { s.failures = 0; s.lastEntryId = r.entryId; }
      // Any reply with options (clarification, hot questions, a channel's greeting menu) can be answered by number;
      // a flow's choices (options without entries) are the flow's.
      if (r.options?.length && r.options.every((o) => o.entryId)) {
        s.pending = r.options.map((o) => ({ n: o.n, entryId: o.entryId!, text: o.text }));
      }
    }
    if (e.type === EV.handoff) s.failures = 0;
  }
  return s;
}
