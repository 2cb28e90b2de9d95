import type { ConversationServiceStatus, Reply } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination, Unsubscribe } from '../../platform/coordination.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import type { Conversation, ConversationRepository, ConversationStatus, NewEvent, StoredEvent } from './conversation-repository.ts';

/** Event types of the conversation log. */
export const EV = {
  started: 'conversation.started',
  received: 'message.received',
  understood: 'nlu.understood',
  replied: 'reply.sent',
  handoff: 'conversation.handoff',
  /** Human service (modules/service, docs/HUMAN-SERVICE.md). */
  queued: 'conversation.queued',
  assigned: 'conversation.assigned',
  unassigned: 'conversation.unassigned',
  agentMessage: 'agent.message',
  transferred: 'conversation.transferred',
  wrapup: 'conversation.wrapup',
  closed: 'conversation.closed',
  outOfHours: 'conversation.out_of_hours',
  messageLeft: 'conversation.message_left',
  joined: 'conversation.joined',
} as const;

/** What a session's clients see, in order: the customer's messages, the robot's replies and the agents' replies. */
export const CUSTOMER_VISIBLE: string[] = [EV.received, EV.replied, EV.agentMessage];

export type SessionFrame =
  | { type: 'message'; seq: number; clientMsgId?: string; text: string; at: string }
  | { type: 'reply'; seq: number; reply: Reply; at: string };

/**
 * Frames about a session that are not in its log and carry no seq: queue position, service status, an agent
 * typing. Published on the same channel as SessionFrames; a reconnecting client gets the current ones afresh.
 */
export type LiveFrame =
  | { type: 'queue'; position: number; etaSeconds: number | null; group: string }
  | { type: 'status'; status: ConversationServiceStatus; agentName?: string }
  | { type: 'typing'; on: boolean };

export function frameOf(e: StoredEvent): SessionFrame | null {
  const at = e.createdAt.toISOString();
  if (e.type === EV.received) return { type: 'message', seq: e.seq, clientMsgId: e.clientMsgId, text: String(e.payload.text), at };
  if (e.type === EV.replied || e.type === EV.agentMessage) return { type: 'reply', seq: e.seq, reply: e.payload.reply as Reply, at };
  return null;
}

const channelOf = (conversationId: string) => `conv:${conversationId}`;

export class ConversationService {
  constructor(
    private repo: ConversationRepository,
    private coordination: Coordination,
    private bus: EventBus,
    private clock: Clock,
  ) {}

  async start(tenantId: string, botId: string, channel: string): Promise<Conversation> {
    const c = await this.repo.create({ id: newId('cv'), tenantId, botId, channel }, { type: EV.started, payload: { botId, channel } });
    this.bus.emit({ type: EV.started, tenantId, at: this.clock.now().toISOString(), conversationId: c.id, botId, channel });
    return c;
  }

  findForBot(botId: string, id: string) {
    return this.repo.findById(id).then((c) => (c && c.botId === botId ? c : null));
  }

  async get(tenantId: string, id: string) {
    const c = await this.repo.find(tenantId, id);
    if (!c) throw new AppError('not_found', 'conversation not found');
    return c;
  }

  list(tenantId: string, opts: { botId?: string; status?: ConversationStatus; limit?: number; before?: Date }) {
    return this.repo.list(tenantId, opts);
  }

  /**
   * Appends a turn's events atomically. Returns null when another turn of the same session got in first (the caller
   * recomputes from fresh state and retries). After the write, the customer-visible frames are fanned out to every
   * node (WebSocket clients may be connected anywhere) and domain events go to listeners.
   */
  async append(c: Conversation, events: NewEvent[], next: { state: Record<string, unknown>; status: ConversationStatus }): Promise<StoredEvent[] | null> {
    const stored = await this.repo.append(c.tenantId, c.id, c.lastSeq, events, next);
    if (!stored) return null;
    await this.announce({ ...c, status: next.status }, stored);
    return stored;
  }

  /**
   * Appends events after whatever the log holds now (no sequence check; see ConversationRepository.appendUnchecked),
   * then announces them. For service events that do not depend on the robot's state.
   */
  async record(tenantId: string, id: string, events: NewEvent[], opts?: { status?: ConversationStatus; onlyIf?: ConversationStatus[] }) {
    const r = await this.repo.appendUnchecked(tenantId, id, events, opts);
    if (r) await this.announce(r.conversation, r.stored);
    return r;
  }

  /**
   * Fans stored events out: customer-visible frames to every node's sockets, domain events to listeners. Given the
   * conversation's status after these events, the domain events carry it (`status`), so a listener that only cares
   * about some states need not read the conversation for every message.
   */
  async announce(c: Pick<Conversation, 'id' | 'tenantId' | 'botId' | 'channel'> & { status?: ConversationStatus }, stored: StoredEvent[]) {
    const frames = stored.map(frameOf).filter((f): f is SessionFrame => f !== null);
    if (frames.length) await this.coordination.publish(channelOf(c.id), frames);
    for (const e of stored) {
      this.bus.emit({
        type: e.type, tenantId: c.tenantId, at: e.createdAt.toISOString(), conversationId: c.id, botId: c.botId, channel: c.channel, seq: e.seq, payload: e.payload,
        ...(c.status ? { status: c.status } : {}),
      });
    }
  }

  /** Queue position, status or typing to a session's clients on every node (not stored). */
  publishLive(conversationId: string, frames: LiveFrame[]) {
    return this.coordination.publish(channelOf(conversationId), frames);
  }

  events(tenantId: string, id: string, opts?: { afterSeq?: number; types?: string[]; limit?: number }) {
    return this.repo.events(tenantId, id, opts);
  }

  /** Frames after a sequence number: what a reconnecting client missed. */
  async framesAfter(c: Conversation, afterSeq: number): Promise<SessionFrame[]> {
    const evs = await this.repo.events(c.tenantId, c.id, { afterSeq, types: CUSTOMER_VISIBLE, limit: 5000 });
    return evs.map(frameOf).filter((f): f is SessionFrame => f !== null);
  }

  findSeqByClientMsgId(id: string, clientMsgId: string) {
    return this.repo.findSeqByClientMsgId(id, clientMsgId);
  }

  /** Live frames of one session, from whichever node produced them. */
  subscribe(conversationId: string, handler: (frames: (SessionFrame | LiveFrame)[]) => void): Promise<Unsubscribe> {
    return this.coordination.subscribe(channelOf(conversationId), (m) => handler(m as (SessionFrame | LiveFrame)[]));
  }

  async close() {}
}
