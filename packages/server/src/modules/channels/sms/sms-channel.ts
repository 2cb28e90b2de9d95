import type { Reply } from '@lingxi/contracts';
import { z } from 'zod';
import type { Coordination } from '../../../platform/coordination.ts';
import type { Logger } from '../../../platform/logger.ts';
import { HttpSmsSettings } from '../../messaging/http-sms-provider.ts';
import type { SmsProvider } from '../../messaging/sms-provider.ts';
import type { SmsService } from '../../messaging/sms-service.ts';
import { splitLongSms } from '../../messaging/sms-segments.ts';
import type { ChannelConfigService, ChannelTypeSpec, ResolvedChannelConfig } from '../core/channel-config-service.ts';
import type { ChannelTurns } from '../core/channel-turns.ts';
import type { OutboundRegistry } from '../core/outbound.ts';
import { renderRepliesText, replyLang } from '../core/render.ts';
import { classifyInboundSms, parseInboundSms, SmsInboundSettings, verifyInboundSms, type InboundSms } from './inbound.ts';

export const SMS_CHANNEL = 'sms';

export const SmsChannelPublic = z.object({
  /** The tenant's SMS gateway; absent: messages are only recorded (console, tests). */
  gateway: HttpSmsSettings.optional(),
  inbound: SmsInboundSettings.default(SmsInboundSettings.parse({})),
  /** Inbound messages one phone may send per hour before it is ignored (SMS bombing, loops). */
  maxInboundPerHour: z.number().int().min(1).max(1000).default(20),
  /** A reply longer than this many concatenated parts is sent as several numbered messages. */
  maxPartsPerMessage: z.number().int().min(1).max(10).default(5),
  unsubscribedText: z.string().max(200).default('您已成功退订，将不再收到本服务的短信。如需恢复，请回复“订阅”。'),
  resubscribedText: z.string().max(200).default('您已重新订阅，欢迎回来。请直接回复您的问题。'),
  /** What the gateway expects as the HTTP response body of an inbound push. */
  ack: z.string().max(200).default('{"code":"0","msg":"ok"}'),
});
export type SmsChannelPublic = z.infer<typeof SmsChannelPublic>;
export const SmsChannelSecrets = z.object({ gatewaySecret: z.string().max(500).optional(), inboundSecret: z.string().min(8).max(500) });

export const smsChannelSpec: ChannelTypeSpec = {
  public: SmsChannelPublic as unknown as z.ZodType<Record<string, unknown>>,
  secrets: SmsChannelSecrets,
  secretFields: ['gatewaySecret', 'inboundSecret'],
};

export type SmsChannelDeps = { configs: ChannelConfigService; turns: ChannelTurns; outbound: OutboundRegistry; sms: SmsService; coordination: Coordination; logger: Logger };
type Cfg = ResolvedChannelConfig<SmsChannelPublic, z.infer<typeof SmsChannelSecrets>>;
export type InboundOutcome = 'answered' | 'duplicate' | 'rate_limited' | 'auto_reply' | 'opted_out' | 'unsubscribed' | 'resubscribed' | 'ignored';

/**
 * The SMS channel: a gateway pushes a customer's SMS to /api/v1/channels/<id>/sms; it becomes a robot turn with the
 * phone as an unverified identity, and the replies go back as text (numbered menus, split when long) through the
 * tenant's SMS provider. Honours 退订 (remembered per tenant and phone), limits each phone's rate, and never answers
 * auto-replies or delivery receipts.
 */
export class SmsChannel {
  constructor(private d: SmsChannelDeps) {}

  register() {
    this.d.configs.registerType(SMS_CHANNEL, smsChannelSpec);
    this.d.outbound.registerSender(SMS_CHANNEL, ({ config, address, reply, idempotencyKey }) => this.sendReplies(config as Cfg, address, [reply], idempotencyKey).then(() => undefined));
  }

  async config(id: string): Promise<Cfg> {
    const c = await this.d.configs.getForInbound<Record<string, unknown>, z.infer<typeof SmsChannelSecrets>>(id, SMS_CHANNEL);
    // Parse through the schema so defaults apply to configs saved before a setting existed.
    return { ...c, public: SmsChannelPublic.parse(c.public) };
  }

  verify(cfg: Cfg, raw: string, fields: Record<string, string>, headers: Record<string, string | string[] | undefined>) {
    return !!cfg.secrets.inboundSecret && verifyInboundSms(cfg.public.inbound, cfg.secrets.inboundSecret, raw, fields, headers);
  }

  parse(cfg: Cfg, fields: Record<string, string>): InboundSms | null {
    return parseInboundSms(cfg.public.inbound, fields);
  }

  provider(cfg: Cfg): SmsProvider {
    return this.d.sms.providerFrom(cfg.public.gateway, cfg.secrets.gatewaySecret);
  }

  /**
   * The tenant's SMS gateway for messages outside a conversation on this channel (one-time codes): the first enabled
   * SMS channel endpoint's provider, or null when the tenant has none (the recording provider is used then).
   */
  async providerForTenant(tenantId: string): Promise<SmsProvider | null> {
    const [first] = (await this.d.configs.list(tenantId, { type: SMS_CHANNEL })).filter((c) => c.enabled);
    if (!first) return null;
    const resolved = await this.d.configs.resolve(tenantId, first.id);
    if (!resolved) return null;
    const cfg = { ...resolved, public: SmsChannelPublic.parse(resolved.public) } as Cfg;
    return this.provider(cfg);
  }

  /** Handles one verified inbound SMS. Replies are sent before this resolves. */
  async handle(cfg: Cfg, m: InboundSms): Promise<InboundOutcome> {
    // Gateways retry pushes they think failed: one message id is handled once.
    if (!(await this.d.coordination.setIfAbsent(`sms:in:${cfg.id}:${m.id}`, '1', 48 * 3600_000))) return 'duplicate';
    const kind = classifyInboundSms(m.text);
    if (kind === 'auto_reply') return 'auto_reply';
    const hour = Math.floor(Date.now() / 3600_000);
    const count = await this.d.coordination.incr(`sms:rate:${cfg.id}:${this.d.sms.phoneHash(m.from)}:${hour}`, 3600_000);
    if (count > cfg.public.maxInboundPerHour) {
      if (count === cfg.public.maxInboundPerHour + 1) this.d.logger.warn({ channel: cfg.id }, 'SMS rate limit reached for a phone; ignoring it for the rest of the hour');
      return 'rate_limited';
    }
    const provider = this.provider(cfg);
    if (kind === 'unsubscribe') {
      // One confirmation only: repeating the keyword changes nothing and sends nothing.
      if (await this.d.sms.optOut(cfg.tenantId, m.from)) {
        await this.d.sms.send(cfg.tenantId, provider, { to: m.from, text: cfg.public.unsubscribedText, idempotencyKey: `${cfg.id}:${m.id}:unsub` });
      }
      return 'unsubscribed';
    }
    if (kind === 'resubscribe') {
      if (await this.d.sms.optIn(cfg.tenantId, m.from)) {
        await this.d.sms.send(cfg.tenantId, provider, { to: m.from, text: cfg.public.resubscribedText, idempotencyKey: `${cfg.id}:${m.id}:resub` });
        return 'resubscribed';
      }
    }
    const r = await this.d.turns.ask(cfg, { channel: SMS_CHANNEL, identity: { kind: 'phone', value: m.from, verified: false }, address: m.from, text: m.text, clientMsgId: `sms:${m.id}` });
    const sent = await this.sendReplies(cfg, m.from, r.replies, `${cfg.id}:${m.id}`);
    return sent ? 'answered' : 'opted_out';
  }

  /** Renders replies as text and sends them, unless the phone opted out. False when nothing was sent for that reason. */
  async sendReplies(cfg: Cfg, phone: string, replies: readonly Reply[], keyPrefix: string): Promise<boolean> {
    if (await this.d.sms.isOptedOut(cfg.tenantId, phone)) return false;
    const text = renderRepliesText(replies, { lang: replyLang(replies) });
    if (!text) return true;
    const provider = this.provider(cfg);
    const pieces = splitLongSms(text, cfg.public.maxPartsPerMessage);
    for (const [i, piece] of pieces.entries()) {
      await this.d.sms.send(cfg.tenantId, provider, { to: phone, text: piece, idempotencyKey: `${keyPrefix}:${i}` });
    }
    return true;
  }
}
