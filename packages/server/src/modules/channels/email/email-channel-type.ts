import { z } from 'zod';
import type { Logger } from '../../../platform/logger.ts';
import type { ChannelConfigService, ChannelTypeSpec, ResolvedChannelConfig } from '../core/channel-config-service.ts';
import type { ChannelSender, OutboundRegistry } from '../core/outbound.ts';
import { EmailChannelConfig, type EmailChannel, type EmailChannelSource } from './email-config.ts';
import type { EmailRepository } from './email-repository.ts';
import type { EmailService } from './email-service.ts';

export const EMAIL_TYPE = 'email';

/**
 * How the e-mail channel is stored by the channel config store: everything but the two passwords is a public
 * setting; the passwords are secrets (encrypted, never returned by the API).
 */
const EmailSecrets = z.object({ imapPassword: z.string().max(500).optional(), smtpPassword: z.string().max(500).optional() }).strict();

/** Public settings: the config without passwords; completeness (which needs the secrets) is checked when used. */
export const EmailPublicSettings = z.looseObject({}).superRefine((v, ctx) => {
  const r = EmailChannelConfig.safeParse(withPlaceholders(v));
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  if ((v as { imap?: { password?: unknown } }).imap?.password !== undefined || (v as { smtp?: { password?: unknown } }).smtp?.password !== undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'passwords go in secrets (imapPassword, smtpPassword), not in public settings' });
  }
});

export const EMAIL_CHANNEL_SPEC: ChannelTypeSpec = {
  public: EmailPublicSettings as unknown as z.ZodType<Record<string, unknown>>,
  secrets: EmailSecrets,
  secretFields: ['imapPassword', 'smtpPassword'],
};

// Validating public settings alone: passwords arrive separately as secrets, so stand-ins take their place here.
function withPlaceholders(v: Record<string, unknown>) {
  const imap = v.imap as Record<string, unknown> | undefined;
  const smtp = v.smtp as Record<string, unknown> | undefined;
  return { ...v, ...(imap ? { imap: { ...imap, password: 'x' } } : {}), ...(smtp?.user ? { smtp: { ...smtp, password: 'x' } } : {}) };
}

/** The runtime view of a stored e-mail config: public settings with the passwords put back, validated. */
export function emailChannelOf(c: ResolvedChannelConfig): EmailChannel {
  const pub = c.public as Record<string, unknown> & { imap?: Record<string, unknown>; smtp?: Record<string, unknown> };
  const config = EmailChannelConfig.parse({
    ...pub,
    ...(pub.imap ? { imap: { ...pub.imap, password: c.secrets.imapPassword } } : {}),
    ...(pub.smtp ? { smtp: { ...pub.smtp, ...(c.secrets.smtpPassword ? { password: c.secrets.smtpPassword } : {}) } } : {}),
  });
  return { id: c.id, tenantId: c.tenantId, botId: c.botId, config };
}

/** Every enabled e-mail channel of every tenant, from the channel config store (an invalid one is logged and skipped). */
export function coreEmailSource(d: { repo: EmailRepository; configs: ChannelConfigService; logger: Logger }): EmailChannelSource {
  return {
    async list() {
      const out: EmailChannel[] = [];
      for (const id of await d.repo.enabledChannelIds()) {
        try {
          out.push(emailChannelOf(await d.configs.getForInbound(id, EMAIL_TYPE)));
        } catch (err) {
          d.logger.warn({ err, channel: id }, 'email: channel config unusable, skipped');
        }
      }
      return out;
    },
  };
}

/**
 * The e-mail sender of the outbound registry: an agent's reply goes to the customer in the thread of their latest
 * mail. The registry passes no conversation id; its documented idempotency key starts with it
 * ("<conversation id>:<event seq>"), which is where we take it from.
 */
export function registerEmailSender(outbound: OutboundRegistry, service: EmailService) {
  const sender: ChannelSender = async (msg) => {
    const conversationId = (msg as { conversationId?: string }).conversationId ?? msg.idempotencyKey.split(':')[0];
    await service.sendReply(emailChannelOf(msg.config), conversationId, msg.reply, msg.idempotencyKey, msg.address);
  };
  outbound.registerSender(EMAIL_TYPE, sender);
}
