import type { Reply } from '@lingxi/contracts';
import { AppError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Conversation } from '../../conversations/conversation-repository.ts';
import type { ChannelConfigService, ResolvedChannelConfig } from './channel-config-service.ts';

/**
 * Sends one reply to one customer on one channel endpoint. `idempotencyKey` is stable for a given reply: a sender
 * must make a second call with the same key a no-op (or pass it to a vendor that deduplicates), so that retries
 * never reach the customer twice.
 */
export type ChannelSender = (msg: { config: ResolvedChannelConfig; address: string; reply: Reply; idempotencyKey: string }) => Promise<void>;

/**
 * Where replies written outside a customer's turn (an agent's answer, a follow-up) go: each channel type registers
 * its sender, and deliver() finds the conversation's endpoint and address (recorded by the inbound adapter with
 * ChannelConfigService.bind) and calls the sender of that endpoint's type.
 */
export class OutboundRegistry {
  private senders = new Map<string, ChannelSender>();

  constructor(private d: { configs: ChannelConfigService; logger: Logger }) {}

  registerSender(type: string, sender: ChannelSender) {
    if (this.senders.has(type)) throw new Error(`sender for ${type} registered twice`);
    this.senders.set(type, sender);
  }

  hasSender(type: string) {
    return this.senders.has(type);
  }

  /**
   * Delivers a reply to the customer of a conversation on the channel they wrote from. idempotencyKey names this
   * reply for good, e.g. `<conversation id>:<event seq>`: delivering it again (a retried job, a second node) sends
   * nothing more.
   */
  async deliver(conversation: Pick<Conversation, 'id' | 'tenantId'>, reply: Reply, opts: { idempotencyKey: string }): Promise<void> {
    const b = await this.d.configs.binding(conversation.tenantId, conversation.id);
    if (!b) throw new AppError('not_found', 'this conversation has no channel endpoint to deliver to');
    const config = await this.d.configs.resolve(conversation.tenantId, b.configId);
    if (!config) throw new AppError('not_found', 'the conversation\'s channel is deleted or disabled');
    const sender = this.senders.get(config.type);
    if (!sender) throw new AppError('unavailable', `no sender for channel type ${config.type}`);
    await sender({ config, address: b.address, reply, idempotencyKey: opts.idempotencyKey });
  }
}
