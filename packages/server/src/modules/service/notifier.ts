import type { AgentConversation, AgentServerMessage, Reply } from '@lingxi/contracts';
import type { Coordination } from '../../platform/coordination.ts';
import type { Logger } from '../../platform/logger.ts';
import { redactDeep } from '../../platform/logger.ts';
import { maskName, maskPii } from '../../platform/pii.ts';
import type { OutboundRegistry } from '../channels/core/outbound.ts';
import type { Conversation, StoredEvent } from '../conversations/conversation-repository.ts';
import { EV, type ConversationService, type LiveFrame } from '../conversations/conversation-service.ts';
import type { ConversationLine, ServiceRepository } from './service-repository.ts';
import { transcriptItem } from './transcript.ts';

/**
 * The coordination channel of one agent (`agent:<tenant>:<userId>`): the node that holds any of the agent's
 * workbench sockets subscribes and forwards each message, an AgentServerMessage, to them. Other modules publish
 * `notification` frames here (work orders: modules/work-orders/notifications.ts uses the same name).
 */
export const agentChannel = (tenantId: string, userId: string) => `agent:${tenantId}:${userId}`;

/** Channels whose customer is reached through the session's WebSocket only (no vendor to push to). */
const SOCKET_CHANNELS = new Set(['web', 'api']);

type ConvRef = Pick<Conversation, 'id' | 'tenantId' | 'botId' | 'channel'>;

/** Everything the human service tells people: agents' sockets, customers' sessions and their channels. */
export class ServiceNotifier {
  constructor(private d: { coordination: Coordination; conversations: ConversationService; repo: ServiceRepository; logger: Logger; outbound?: OutboundRegistry }) {}

  setOutbound(outbound: OutboundRegistry) {
    this.d.outbound = outbound;
  }

  async toAgent(tenantId: string, userId: string, msg: AgentServerMessage): Promise<void> {
    try {
      await this.d.coordination.publish(agentChannel(tenantId, userId), msg);
    } catch (err) {
      // Live frames are best effort: the workbench re-reads its list over REST after a reconnect.
      this.d.logger.warn({ err, userId }, 'agent frame not published');
    }
  }

  async toCustomer(conversationId: string, frames: LiveFrame[]): Promise<void> {
    try {
      await this.d.conversations.publishLive(conversationId, frames);
    } catch (err) {
      this.d.logger.warn({ err, conversationId }, 'customer frame not published');
    }
  }

  /**
   * After a change of the service's own tables wrote events in the same transaction (repository results): announce
   * them like any append (customer frames, domain events for webhooks and listeners), then eventsAppended.
   */
  async committed(a: { conversation: Conversation; stored: StoredEvent[] }, opts: { agents?: string[]; outbound?: boolean } = {}): Promise<void> {
    await this.d.conversations.announce(a.conversation, a.stored);
    await this.eventsAppended(a.conversation, a.stored, opts);
  }

  /**
   * After events were appended: `event` frames (masked) to the conversation's agents, and the replies among them to
   * the customer's channel when it is not the WebSocket (WeChat, SMS, app push…). The session's own sockets got the
   * reply frames from ConversationService.announce already.
   */
  async eventsAppended(conv: ConvRef, stored: StoredEvent[], opts: { agents?: string[]; outbound?: boolean } = {}): Promise<void> {
    const agents = opts.agents ?? (await this.d.repo.active(conv.tenantId, conv.id)).map((a) => a.agentId);
    if (agents.length) {
      const frames = stored.map((e) => eventFrame(conv.id, e)).filter((f): f is AgentServerMessage => f !== null);
      for (const u of agents) for (const f of frames) await this.toAgent(conv.tenantId, u, f);
    }
    if (opts.outbound !== false && !SOCKET_CHANNELS.has(conv.channel)) {
      for (const e of stored) {
        if (e.type !== EV.replied && e.type !== EV.agentMessage) continue;
        const reply = e.payload.reply as Reply;
        void this.deliver(conv, reply, e.seq);
      }
    }
  }

  private async deliver(conv: ConvRef, reply: Reply, seq: number) {
    if (!this.d.outbound) return;
    try {
      await this.d.outbound.deliver(conv, reply, { idempotencyKey: `${conv.id}:${seq}` });
    } catch (err) {
      this.d.logger.warn({ err, conversationId: conv.id, channel: conv.channel }, 'reply not delivered to the customer\'s channel');
    }
  }
}

/** A log event as the `event` frame of an agent's socket; personal data masked (the REST transcript may unmask). */
export function eventFrame(conversationId: string, e: StoredEvent): AgentServerMessage | null {
  const item = transcriptItem(e);
  if (!item) return null;
  return {
    type: 'event', conversationId, seq: item.seq, kind: item.kind, text: maskPii(item.text),
    ...(item.reply ? { reply: redactDeep(item.reply) as Reply } : {}), at: item.at,
  };
}

/** The customer's name as staff see it: masked (张**) unless the role may view personal data. */
export function customerName(line: Pick<ConversationLine, 'id' | 'contactName' | 'channel'>, clear: boolean): string {
  if (line.contactName) return clear ? line.contactName : maskName(line.contactName);
  return `访客 ${line.id.slice(-4)}`;
}

/** The text of a line's last message, masked unless clear. */
export function lastTextOf(line: ConversationLine, clear: boolean): string | null {
  if (!line.last) return null;
  const p = line.last.payload as Record<string, any>;
  const text = line.last.type === EV.received ? String(p.text ?? '') : String(p.reply?.text ?? '');
  return clear ? text : maskPii(text);
}

export function agentConversation(line: ConversationLine, clear = false): AgentConversation {
  return {
    id: line.id,
    botId: line.botId,
    channel: line.channel,
    status: line.status === 'handoff' || line.status === 'agent' ? line.status : 'closed',
    group: line.groupId,
    customer: { contactId: line.contactId, displayName: customerName(line, clear) },
    lastText: lastTextOf(line, clear),
    lastAt: (line.last?.at ?? line.updatedAt).toISOString(),
    unread: line.unread,
    queuedAt: line.queuedAt?.toISOString() ?? null,
    assignedAt: line.assignedAt?.toISOString() ?? null,
  };
}
