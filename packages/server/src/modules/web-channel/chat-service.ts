import { MAX_MESSAGE_CHARS, type Reply } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Conversation, StoredEvent } from '../conversations/conversation-repository.ts';
import { EV, type ConversationService } from '../conversations/conversation-service.ts';
import type { BotModelRegistry } from '../robot/bot-model-registry.ts';
import type { RobotService, RobotState } from '../robot/robot-service.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { ContactService } from '../contacts/contact-service.ts';
import type { IdentityKind } from '../contacts/contact-repository.ts';
import { isLeaveRequest } from '../service/texts.ts';

/**
 * What ChatService needs from the human service (modules/service ServiceDesk): while a conversation waits for or is
 * with a person, the customer's messages go to the agents instead of the robot, and a waiting customer may leave a
 * message (a work order) instead.
 */
export type HumanDesk = {
  customerMessage(conv: Conversation, stored: StoredEvent[]): Promise<{ replies: Reply[] }>;
  leaveMessage(conv: Conversation, text: string, opts?: { contact?: string; record?: { text: string; channel: string; clientMsgId?: string } }): Promise<{ workOrderId: string; replies: Reply[] }>;
  waitingText(conv: Conversation): Promise<string>;
};

/** Satisfaction (满意度): where a customer's rating goes (modules/satisfaction, wired in compose.ts). */
export type CustomerRatings = {
  rate(tenantId: string, conversationId: string, score: number, comment?: string): Promise<void>;
};
const noRatings: CustomerRatings = {
  async rate() {
    throw new AppError('unavailable', 'rating is not available on this installation');
  },
};

/** Who is writing, as the channel knows it (WeChat openid, verified app user, e-mail address…). */
export type SenderIdentity = { kind: IdentityKind; value: string; verified?: boolean; displayName?: string };
export type ChatTurn = {
  bot: string; sessionId?: string; text: string; channel: string; clientMsgId?: string; identity?: SenderIdentity;
  /** A mobile number the channel has verified (an app's signed token): the business robot skips the one-time code. */
  verifiedPhone?: string;
};

/** A message on an asynchronous channel continues the sender's open conversation if it moved within this time. */
const CHANNEL_SESSION_IDLE_MS = 24 * 3600_000;
export type ChatTurnResult = {
  sessionId: string; replies: Reply[]; duplicate?: boolean;
  /** Where the turn's time went: the robot's own work and the waits on connectors (Server-Timing). */
  timing?: { robotMs: number; connectorMs: number };
};

/** The Server-Timing header of a turn: the robot's own work and the wait on the bank's systems. */
export const serverTiming = (t: { robotMs: number; connectorMs: number }) => `robot;dur=${t.robotMs.toFixed(2)}, connector;dur=${t.connectorMs.toFixed(2)}`;

const MAX_RACE_RETRIES = 5;
/** Bot records (settings) are re-read at most this often: edits take effect within half a second on every node. */
const BOT_CACHE_MS = 500;
/** Conversations kept in memory per node. A stale copy is harmless: the append's sequence check rejects it. */
const CONVERSATION_CACHE_SIZE = 20_000;
// Control characters other than tab/newline, and lone surrogates (invalid UTF-16 that JSON can still carry).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Cleans a customer's message; rejects what no channel should store. */
export function cleanMessage(raw: string): string {
  const text = raw.replace(LONE_SURROGATE, '').replace(CONTROL, '').trim();
  if (!text) throw new AppError('bad_request', 'message is empty');
  if ([...text].length > MAX_MESSAGE_CHARS) throw new AppError('bad_request', `message is too long (at most ${MAX_MESSAGE_CHARS} characters)`);
  return text;
}

/**
 * One customer turn on any text channel: find or start the session, record the message, let the robot decide,
 * record its replies — all as events of the append-only conversation log — and hand the replies back.
 */
export class ChatService {
  private bots = new Map<string, { bot: Bot; at: number }>();
  private convs = new Map<string, Conversation>();
  /** Channel sender → their current conversation on this node (saves the contact lookups on every message). */
  private senders = new Map<string, string>();
  private human?: HumanDesk;
  private ratings: CustomerRatings = noRatings;

  constructor(private d: { tenancy: TenancyService; conversations: ConversationService; contacts: ContactService; robot: RobotService; models: BotModelRegistry; logger: Logger; clock: Clock; coordination: Coordination }) {}

  /** The human service takes customers' messages while they wait for or talk to a person (compose.ts). */
  setHumanDesk(desk: HumanDesk) {
    this.human = desk;
  }

  setRatings(ratings: CustomerRatings) {
    this.ratings = ratings;
  }

  /** Public bots by id or slug, cached for BOT_CACHE_MS (no invalidation: an edited setting takes effect within it). */
  async publicBot(ref: string): Promise<Bot> {
    const c = this.bots.get(ref);
    if (c && Date.now() - c.at < BOT_CACHE_MS) return c.bot;
    const bot = await this.d.tenancy.getPublicBot(ref);
    this.bots.set(ref, { bot, at: Date.now() });
    return bot;
  }

  /** Any bot by id or slug, for channel adapters that authenticated the request themselves (signature checks). */
  async botForChannel(ref: string): Promise<Bot> {
    const key = `any:${ref}`;
    const c = this.bots.get(key);
    if (c && Date.now() - c.at < BOT_CACHE_MS) return c.bot;
    const bot = await this.d.tenancy.findBotAnyTenant(ref);
    if (!bot) throw new AppError('not_found', `unknown bot: ${ref}`);
    this.bots.set(key, { bot, at: Date.now() });
    return bot;
  }

  /** The session for a turn: an existing one of this bot, else a new one (an unknown or foreign id is never reused). */
  async session(bot: Bot, sessionId: string | undefined, channel: string, identity?: SenderIdentity): Promise<Conversation> {
    if (sessionId) {
      const cached = this.convs.get(sessionId);
      if (cached && cached.botId === bot.id) return cached;
      const c = await this.d.conversations.findForBot(bot.id, sessionId);
      if (c) return c;
    }
    if (!identity) return this.d.conversations.start(bot.tenantId, bot.id, channel);
    const senderKey = `${bot.id}\u0000${channel}\u0000${identity.kind}\u0000${identity.value}`;
    const known = this.senders.get(senderKey);
    const cached = known ? this.convs.get(known) : undefined;
    if (cached && cached.status !== 'closed' && this.d.clock.now().getTime() - cached.updatedAt.getTime() < CHANNEL_SESSION_IDLE_MS) return cached;
    const contactId = await this.d.contacts.resolve(bot.tenantId, identity);
    const open = await this.d.contacts.latestOpenConversation(bot.tenantId, contactId, bot.id, channel, new Date(this.d.clock.now().getTime() - CHANNEL_SESSION_IDLE_MS));
    const existing = open && (await this.d.conversations.findForBot(bot.id, open));
    const c = existing || (await this.d.conversations.start(bot.tenantId, bot.id, channel));
    if (!existing) await this.d.contacts.setConversationContact(bot.tenantId, c.id, contactId);
    this.senders.delete(senderKey);
    this.senders.set(senderKey, c.id);
    if (this.senders.size > CONVERSATION_CACHE_SIZE) this.senders.delete(this.senders.keys().next().value!);
    this.remember(c);
    return c;
  }

  async handle(turn: ChatTurn): Promise<ChatTurnResult> {
    const text = cleanMessage(turn.text);
    // Channels with their own credentials (WeChat, SMS…) serve bots that need not be public: they pass the bot id.
    const bot = turn.identity ? await this.botForChannel(turn.bot) : await this.publicBot(turn.bot);
    let conv = await this.session(bot, turn.sessionId, turn.channel, turn.identity);
    // A closed conversation that the customer writes to again starts a new one (the reply carries its session id).
    if (conv.status === 'closed') conv = await this.session(bot, undefined, turn.channel, turn.identity);
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const t0 = performance.now();
      if (this.human && (conv.status === 'handoff' || conv.status === 'agent')) {
        const r = await this.humanTurn(this.human, conv, text, turn, t0);
        if (r) return r;
        this.convs.delete(conv.id);
        conv = (await this.d.conversations.findForBot(bot.id, conv.id))!;
        if (conv.status === 'closed') conv = await this.session(bot, undefined, turn.channel, turn.identity);
        continue;
      }
      const result = await this.d.robot.respond(bot, conv.state as RobotState, text, turn.channel, {
        tenantId: conv.tenantId, conversationId: conv.id,
        ...(turn.verifiedPhone ? { verifiedPhone: turn.verifiedPhone } : {}),
        ...(turn.identity?.kind === 'phone' ? { senderPhone: turn.identity.value } : {}),
      });
      const connectorMs = result.connectorMs ?? 0;
      let stored;
      try {
        stored = await this.d.conversations.append(
          conv,
          [{ type: EV.received, payload: { text, channel: turn.channel }, clientMsgId: turn.clientMsgId }, ...result.events],
          { state: result.state as Record<string, unknown>, status: result.handoff ? 'handoff' : conv.status },
        );
      } catch (err) {
        // A re-sent message (same clientMsgId) hits the unique index: answer it from the stored turn, once.
        const seq = turn.clientMsgId ? await this.d.conversations.findSeqByClientMsgId(conv.id, turn.clientMsgId) : null;
        if (seq === null) throw err;
        return { sessionId: conv.id, replies: await this.repliesAfter(conv, seq), duplicate: true };
      }
      if (stored) {
        this.remember({ ...conv, lastSeq: stored[stored.length - 1].seq, state: result.state as Record<string, unknown>, status: result.handoff ? 'handoff' : conv.status, updatedAt: stored[0].createdAt });
        // The robot's own work includes recording the turn; the connectors' latency is the bank's systems'.
        return { sessionId: conv.id, replies: result.replies, timing: { robotMs: performance.now() - t0 - connectorMs, connectorMs } };
      }
      // Another turn of this session (maybe on another node) was stored first: decide again from the fresh state.
      this.convs.delete(conv.id);
      conv = (await this.d.conversations.findForBot(bot.id, conv.id))!;
      // A channel sender whose conversation was closed meanwhile starts a new one.
      if (conv.status === 'closed' && turn.identity && !turn.sessionId) conv = await this.session(bot, undefined, turn.channel, turn.identity);
    }
    throw new AppError('conflict', 'this conversation is busy, please send again');
  }

  /**
   * A customer turn while the conversation waits for or is with a person: the message is recorded and goes to the
   * agents; the robot does not answer. A waiting customer who asks to stop waiting (留言, 不等了) leaves a message.
   * Null when another turn got in first (the caller reloads and decides again).
   */
  private async humanTurn(human: HumanDesk, conv: Conversation, text: string, turn: ChatTurn, t0: number): Promise<ChatTurnResult | null> {
    if (conv.status === 'handoff' && isLeaveRequest(text)) {
      try {
        const r = await human.leaveMessage(conv, await human.waitingText(conv), { record: { text, channel: turn.channel, clientMsgId: turn.clientMsgId } });
        this.convs.delete(conv.id);
        return { sessionId: conv.id, replies: r.replies };
      } catch (err) {
        // No work orders here (or a race): the message is recorded and forwarded like any other, so nothing is lost.
        if (!(err instanceof AppError) || !['unavailable', 'conflict'].includes(err.code)) throw err;
      }
    }
    let stored;
    try {
      stored = await this.d.conversations.append(conv, [{ type: EV.received, payload: { text, channel: turn.channel }, clientMsgId: turn.clientMsgId }], { state: conv.state, status: conv.status });
    } catch (err) {
      const seq = turn.clientMsgId ? await this.d.conversations.findSeqByClientMsgId(conv.id, turn.clientMsgId) : null;
      if (seq === null) throw err;
      return { sessionId: conv.id, replies: await this.repliesAfter(conv, seq), duplicate: true };
    }
    if (!stored) return null;
    this.remember({ ...conv, lastSeq: stored[stored.length - 1].seq, updatedAt: stored[0].createdAt });
    const r = await human.customerMessage(conv, stored);
    return { sessionId: conv.id, replies: r.replies, timing: { robotMs: performance.now() - t0, connectorMs: 0 } };
  }

  /** The widget's leave-message form (WebSocket `leave-message`): a work order instead of waiting. */
  async leaveMessage(conv: Conversation, text: string, contact?: string): Promise<Reply[]> {
    if (!this.human) throw new AppError('unavailable', 'leaving a message is not available on this installation');
    const clean = cleanMessage(text);
    const fresh = (await this.d.conversations.findForBot(conv.botId, conv.id)) ?? conv;
    const r = await this.human.leaveMessage(fresh, clean, { contact, record: { text: clean, channel: conv.channel } });
    this.convs.delete(conv.id);
    return r.replies;
  }

  /** The widget's rating card (WebSocket `rate`), for the conversation it is on. */
  async rate(conv: Conversation, score: number, comment?: string): Promise<void> {
    await this.ratings.rate(conv.tenantId, conv.id, score, comment);
  }

  private remember(c: Conversation) {
    this.convs.delete(c.id);
    this.convs.set(c.id, c);
    if (this.convs.size > CONVERSATION_CACHE_SIZE) this.convs.delete(this.convs.keys().next().value!);
  }

  /** The replies stored right after a customer message (answers a re-sent message without asking the robot twice). */
  private async repliesAfter(conv: Conversation, seq: number): Promise<Reply[]> {
    const evs = await this.d.conversations.events(conv.tenantId, conv.id, { afterSeq: seq, limit: 50 });
    const out: Reply[] = [];
    for (const e of evs) {
      if (e.type === EV.received) break;
      if (e.type === EV.replied) out.push(e.payload.reply as Reply);
    }
    return out;
  }
}
