import { MAX_MESSAGE_CHARS, type Reply } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Conversation } from '../conversations/conversation-repository.ts';
import { EV, type ConversationService } from '../conversations/conversation-service.ts';
import type { BotModelRegistry } from '../robot/bot-model-registry.ts';
import type { RobotService, RobotState } from '../robot/robot-service.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { ContactService } from '../contacts/contact-service.ts';
import type { IdentityKind } from '../contacts/contact-repository.ts';

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

  constructor(private d: { tenancy: TenancyService; conversations: ConversationService; contacts: ContactService; robot: RobotService; models: BotModelRegistry; logger: Logger; clock: Clock; coordination: Coordination }) {}

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
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const t0 = performance.now();
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
