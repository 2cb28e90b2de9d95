import type { Coordination } from '../../../platform/coordination.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FieldCipher } from '../../../platform/crypto.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Db } from '../../../storage/db.ts';
import type { ContactService } from '../../contacts/contact-service.ts';
import type { ConversationService } from '../../conversations/conversation-service.ts';
import type { RobotService } from '../../robot/robot-service.ts';
import type { TenancyService } from '../../tenancy/tenancy-service.ts';
import type { ChannelConfigService } from '../core/channel-config-service.ts';
import type { OutboundRegistry } from '../core/outbound.ts';
import { coreEmailSource, EMAIL_CHANNEL_SPEC, EMAIL_TYPE, registerEmailSender } from './email-channel-type.ts';
import { EmailRuntime } from './email-runtime.ts';
import { EmailService } from './email-service.ts';
import { ImapPoller } from './imap-poller.ts';
import { PgEmailRepository } from './pg-email-repository.ts';
import { NodemailerTransport, type EmailTransport } from './smtp-transport.ts';

export { EMAIL_TYPE } from './email-channel-type.ts';
export type { EmailService } from './email-service.ts';

export type EmailChannelDeps = {
  db: Db; tenancy: TenancyService; conversations: ConversationService; contacts: ContactService; robot: RobotService;
  coordination: Coordination; cipher: FieldCipher; logger: Logger; clock: Clock;
};

export type EmailModule = { service: EmailService; runtime: EmailRuntime; poller: ImapPoller; close(): Promise<void> };

/**
 * Wires the e-mail channel (compose.ts): registers the "email" type with the channel config store and its sender
 * with the outbound registry. `runtime.start()` begins polling mailboxes and opens the SMTP listeners; call it
 * only in a serving process (not in one-off CLIs).
 */
export function createEmailChannel(deps: EmailChannelDeps, channels: { configs: ChannelConfigService; outbound: OutboundRegistry }, opts: { transport?: EmailTransport } = {}): EmailModule {
  const repo = new PgEmailRepository(deps.db);
  const transport = opts.transport ?? new NodemailerTransport();
  const service = new EmailService({ ...deps, repo, transport, bindings: channels.configs });
  const poller = new ImapPoller({ repo, service, coordination: deps.coordination, logger: deps.logger });
  const runtime = new EmailRuntime({ source: coreEmailSource({ repo, configs: channels.configs, logger: deps.logger }), service, poller, logger: deps.logger });
  channels.configs.registerType(EMAIL_TYPE, EMAIL_CHANNEL_SPEC);
  registerEmailSender(channels.outbound, service);
  return {
    service, runtime, poller,
    async close() {
      await runtime.stop();
      await transport.close();
    },
  };
}
