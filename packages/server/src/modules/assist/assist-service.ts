import type { AssistSuggestion } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { DomainEvent, EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/logger.ts';
import { findPii } from '../../platform/pii.ts';
import type { Conversation } from '../conversations/conversation-repository.ts';
import { EV, type ConversationService } from '../conversations/conversation-service.ts';
import { isValidAt } from '../knowledge/knowledge-snapshot.ts';
import type { BotModelRegistry, LoadedBot } from '../robot/bot-model-registry.ts';
import { flowIdOf } from '../robot/robot-service.ts';
import type { BotSettings } from '../tenancy/bot-settings.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import { detectLang } from '../text/index.ts';
import { scoreSentiment } from './sentiment.ts';

/** Written by modules/service (docs/HUMAN-SERVICE.md). */
const ASSIGNED = 'conversation.assigned';
/** The assigned agent's live channel on the coordination port; the agent WebSocket forwards what arrives there. */
export const agentChannel = (tenantId: string, userId: string) => `agent:${tenantId}:${userId}`;

/** Knowledge answers offered to the agent. */
export const ASSIST_ANSWERS = 3;
/** Conversations whose latest suggestion a node keeps (the rest are computed again on demand). */
const CACHE_SIZE = 5000;
/** Bot records (settings, published version) are re-read at most this often. */
const BOT_CACHE_MS = 5000;

type Thresholds = Pick<BotSettings['thresholds'], 'clarify'>;

/**
 * The suggestion for one customer message: the top knowledge answers from the bot's published model (valid entries
 * only, the same matcher the robot uses), the detected intent (the top hit, flows included), sentiment and the kinds
 * of personal data in it. Pure: the listener and the on-demand route share it, and tests call it with a fake model.
 */
export function composeSuggestion(input: {
  conversationId: string; forSeq: number; text: string; loaded: Pick<LoadedBot, 'model' | 'entries' | 'flows'> | null; thresholds: Thresholds; now: Date;
}): AssistSuggestion {
  const { loaded, text, now } = input;
  const mood = scoreSentiment(text);
  const pii = [...new Set(findPii(text).map((m) => m.type))];
  const base = { conversationId: input.conversationId, forSeq: input.forSeq, sentiment: mood.sentiment, angry: mood.angry, pii };
  if (!loaded || !text.trim()) return { ...base, answers: [], intent: null };
  const lang = detectLang(text);
  const entry = (id: string) => {
    const e = loaded.entries.get(id);
    return e && isValidAt(e, now) ? e : undefined;
  };
  const flow = (id: string) => {
    const f = flowIdOf(id);
    return f !== undefined ? loaded.flows?.get(f) : undefined;
  };
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const hits = loaded.model.match(text, 10).filter((h) => entry(h.id) || flow(h.id));
  // Weak candidates are still worth a glance for an agent (they are one click, never sent on their own), but noise
  // is not: half the robot's clarify threshold, as for the robot's runner-up option.
  const answers = hits
    .filter((h) => entry(h.id) && h.score >= input.thresholds.clarify / 2)
    .slice(0, ASSIST_ANSWERS)
    .map((h) => {
      const e = entry(h.id)!;
      return { entryId: e.id, question: e.question, answer: e.answer, score: round(h.score) };
    });
  const top = hits[0];
  let intent: AssistSuggestion['intent'] = null;
  if (top && top.score >= input.thresholds.clarify) {
    const f = flow(top.id);
    const label = !f ? entry(top.id)!.question : typeof f.name === 'string' ? f.name : lang === 'en' ? (f.name.en ?? f.name.zh) : f.name.zh;
    intent = { id: top.id, label, score: round(top.score) };
  }
  return { ...base, answers, intent };
}

/** Conversation statuses in which a person is involved (waiting for one, or served by one): assist works there. */
const PERSON_STATUSES = new Set<string>(['handoff', 'agent']);

/** A small LRU: Map keeps insertion order, so the first key is the least recently used. */
class Lru<V> {
  private m = new Map<string, V>();
  constructor(private max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V) {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
  }
}

/**
 * Agent assist (坐席辅助) as a listener on conversation events, never on the customer's path: a customer message of a
 * conversation waiting for or with a person gets a suggestion, kept per conversation (LRU, per node) and published to
 * the assigned agent's channel (`agent:<tenantId>:<userId>`, message `{type:'assist', suggestion}`). A conversation
 * just assigned gets the suggestion for its latest customer message, so the agent sees it on accepting.
 */
export class AssistService {
  private latest = new Lru<AssistSuggestion>(CACHE_SIZE);
  private bots = new Map<string, { bot: Bot; at: number }>();

  constructor(private d: { conversations: ConversationService; tenancy: TenancyService; models: BotModelRegistry; coordination: Coordination; clock: Clock; logger: Logger }) {}

  /** Subscribes to the bus; returns the unsubscribe. Failures are logged, never thrown at the bus. */
  listen(bus: EventBus): () => void {
    const guard = (what: string, fn: (e: DomainEvent) => Promise<void>) => async (e: DomainEvent) => {
      try {
        await fn(e);
      } catch (err) {
        this.d.logger.warn({ err, conversationId: e.conversationId, event: e.type }, `assist: ${what} failed`);
      }
    };
    const offs = [
      bus.on(EV.received, guard('suggestion', (e) => this.onMessage(e))),
      bus.on(ASSIGNED, guard('publish on assignment', (e) => this.onAssigned(e))),
    ];
    return () => offs.forEach((off) => off());
  }

  /** The latest suggestion for a conversation, computed from its last customer message if this node has none. */
  async forConversation(tenantId: string, conversationId: string): Promise<AssistSuggestion | null> {
    const conv = await this.d.conversations.get(tenantId, conversationId);
    const cached = this.latest.get(conv.id);
    if (cached) return cached;
    const msgs = await this.d.conversations.events(tenantId, conv.id, { types: [EV.received], limit: 5000 });
    const last = msgs[msgs.length - 1];
    if (!last) return null;
    return this.store(await this.compute(conv, last.seq, String(last.payload.text ?? '')));
  }

  private async onMessage(e: DomainEvent) {
    // The conversation's status after the message comes with the event: a robot conversation (most of the traffic)
    // costs no read. Events without it (or with a person involved) read the conversation.
    if (typeof e.status === 'string' && !PERSON_STATUSES.has(e.status)) return;
    const conv = await this.d.conversations.get(e.tenantId, String(e.conversationId));
    if (!PERSON_STATUSES.has(conv.status)) return;
    const payload = (e.payload ?? {}) as { text?: unknown };
    const s = this.store(await this.compute(conv, Number(e.seq), String(payload.text ?? '')));
    if (s.forSeq !== Number(e.seq)) return; // a later message's suggestion got in first
    const agentId = conv.status === 'agent' ? await this.assignedAgent(conv) : undefined;
    if (agentId) await this.publish(conv.tenantId, agentId, s);
  }

  private async onAssigned(e: DomainEvent) {
    const p = (e.payload ?? {}) as { agentId?: unknown };
    const agentId = typeof p.agentId === 'string' ? p.agentId : typeof e.agentId === 'string' ? e.agentId : undefined;
    if (!agentId) return;
    const s = await this.forConversation(e.tenantId, String(e.conversationId));
    if (s) await this.publish(e.tenantId, agentId, s);
  }

  private publish(tenantId: string, agentId: string, suggestion: AssistSuggestion) {
    return this.d.coordination.publish(agentChannel(tenantId, agentId), { type: 'assist', suggestion });
  }

  /** Keeps the suggestion unless a newer message's is already there; returns the one kept. */
  private store(s: AssistSuggestion): AssistSuggestion {
    const cur = this.latest.get(s.conversationId);
    if (cur && cur.forSeq > s.forSeq) return cur;
    this.latest.set(s.conversationId, s);
    return s;
  }

  /** The agent of the conversation's last assignment (the service module's log event). */
  private async assignedAgent(conv: Conversation): Promise<string | undefined> {
    const evs = await this.d.conversations.events(conv.tenantId, conv.id, { types: [ASSIGNED], limit: 5000 });
    const p = evs[evs.length - 1]?.payload as { agentId?: unknown } | undefined;
    return typeof p?.agentId === 'string' ? p.agentId : undefined;
  }

  private async compute(conv: Conversation, forSeq: number, text: string): Promise<AssistSuggestion> {
    const bot = await this.bot(conv.tenantId, conv.botId);
    const loaded = await this.d.models.get(bot);
    return composeSuggestion({ conversationId: conv.id, forSeq, text, loaded, thresholds: bot.settings.thresholds, now: this.d.clock.now() });
  }

  private async bot(tenantId: string, botId: string): Promise<Bot> {
    const c = this.bots.get(botId);
    if (c && Date.now() - c.at < BOT_CACHE_MS) return c.bot;
    const bot = await this.d.tenancy.getBot(tenantId, botId);
    this.bots.set(botId, { bot, at: Date.now() });
    return bot;
  }
}
