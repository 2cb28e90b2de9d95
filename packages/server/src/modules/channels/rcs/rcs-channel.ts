import type { Reply } from '@lingxi/contracts';
import { z } from 'zod';
import type { Coordination } from '../../../platform/coordination.ts';
import { sha256Hex, type FieldCipher } from '../../../platform/crypto.ts';
import type { Logger } from '../../../platform/logger.ts';
import { HttpSmsSettings } from '../../messaging/http-sms-provider.ts';
import type { SmsService } from '../../messaging/sms-service.ts';
import type { ChannelConfigService, ChannelTypeSpec, ResolvedChannelConfig } from '../core/channel-config-service.ts';
import type { ChannelTurns } from '../core/channel-turns.ts';
import type { OutboundRegistry } from '../core/outbound.ts';
import { renderReplyText, replyLang } from '../core/render.ts';
import { sendOnce, VendorError, withRetry } from '../core/vendor-http.ts';
import { UNDELIVERABLE, verifyRcsAuth, type RcsInbound } from './parse.ts';
import { renderRcsReply, type RcsPart } from './render.ts';

export const RCS_CHANNEL = 'rcs';

export const RcsPublic = z.object({
  /** The MaaP platform's API root for this chatbot. */
  apiBase: z.string().url(),
  /** The chatbot's address, e.g. sip:1065xxxx@botplatform.rcs.chinamobile.com. */
  chatbotUri: z.string().min(3).max(200),
  sendPath: z.string().max(200).default('/messages'),
  /** GSMA FNW.11 `GET …/contactCapabilities?userContact=`: 200 = the terminal takes chatbot messages, 404 = it does not. */
  capabilityPath: z.string().max(200).default('/contactCapabilities'),
  inboundAuth: z.enum(['password', 'bearer']).default('password'),
  inboundUsername: z.string().max(200).default(''),
  /** Error codes in a refused send that mean "not a 5G message user": fall back to SMS at once. */
  notRcsErrorCodes: z.array(z.string().max(40)).default(['404', 'SVC4001']),
  /** The SMS gateway for the fallback; absent: the fallback is only recorded. */
  smsFallback: HttpSmsSettings.optional(),
  timeoutMs: z.number().int().min(100).max(30_000).default(5000),
});
export type RcsPublic = z.infer<typeof RcsPublic>;
export const RcsSecrets = z.object({ apiToken: z.string().min(1).max(2000), inboundSecret: z.string().min(8).max(500), smsGatewaySecret: z.string().max(500).optional() });
export const rcsChannelSpec: ChannelTypeSpec = { public: RcsPublic as unknown as z.ZodType<Record<string, unknown>>, secrets: RcsSecrets, secretFields: ['apiToken', 'inboundSecret', 'smsGatewaySecret'] };

type Cfg = ResolvedChannelConfig<RcsPublic, z.infer<typeof RcsSecrets>>;
export type RcsChannelDeps = { configs: ChannelConfigService; turns: ChannelTurns; outbound: OutboundRegistry; sms: SmsService; coordination: Coordination; cipher: FieldCipher; logger: Logger };

const CAPABILITY_TTL_MS = 24 * 3600_000;
const SENT_MEMO_MS = 48 * 3600_000;

/**
 * 5G messages through a MaaP platform: inbound text and tapped suggestions become robot turns (identity `rcs`, the
 * MSISDN); answers go out as rich cards, options as suggested replies. A terminal that cannot take chatbot messages
 * — known from the capability query, a refused send, or a DeliveryImpossible status report — gets the same replies
 * as SMS text instead.
 */
export class RcsChannel {
  constructor(private d: RcsChannelDeps) {}

  register() {
    this.d.configs.registerType(RCS_CHANNEL, rcsChannelSpec);
    this.d.outbound.registerSender(RCS_CHANNEL, ({ config, address, reply, idempotencyKey }) => this.sendReplies(config as Cfg, address, [reply], idempotencyKey));
  }

  async config(id: string): Promise<Cfg> {
    const c = await this.d.configs.getForInbound<Record<string, unknown>, z.infer<typeof RcsSecrets>>(id, RCS_CHANNEL);
    return { ...c, public: RcsPublic.parse(c.public) };
  }

  verify(cfg: Cfg, authorization: string | undefined) {
    return cfg.public.inboundAuth === 'bearer'
      ? verifyRcsAuth(authorization, { mode: 'bearer', token: cfg.secrets.inboundSecret })
      : verifyRcsAuth(authorization, { mode: 'password', username: cfg.public.inboundUsername, password: cfg.secrets.inboundSecret });
  }

  async handle(cfg: Cfg, m: RcsInbound): Promise<void> {
    if (m.kind === 'status') return this.onStatus(cfg, m);
    if (!(await this.d.coordination.setIfAbsent(`rcs:in:${cfg.id}:${m.id}`, '1', SENT_MEMO_MS))) return; // platform retry
    const identity = { kind: 'rcs' as const, value: m.from, verified: false };
    let replies: Reply[];
    if (m.kind === 'unsupported') {
      replies = [{ type: 'text', text: '抱歉，智能客服暂时只能识别文字消息，请用文字描述您的问题。' }];
    } else {
      // A tapped suggestion sends its postback: the option number (or a related question's text).
      const text = m.kind === 'postback' ? m.data : m.text;
      replies = (await this.d.turns.ask(cfg, { channel: RCS_CHANNEL, identity, address: m.from, text, clientMsgId: `rcs:${m.id}` })).replies;
    }
    await this.sendReplies(cfg, m.from, replies, `${cfg.id}:${m.id}`);
  }

  /** Sends each reply as one 5G message, or all of them as SMS text when the terminal cannot take 5G messages. */
  async sendReplies(cfg: Cfg, phone: string, replies: readonly Reply[], keyPrefix: string): Promise<void> {
    if (!replies.length) return;
    if (!(await this.capable(cfg, phone))) return this.fallback(cfg, phone, replies, keyPrefix);
    const titleOf = await this.titles(cfg, replies);
    for (const [i, reply] of replies.entries()) {
      const key = `${keyPrefix}:${i}`;
      const messageId = `lx${sha256Hex(`${cfg.id}:${key}`).slice(0, 30)}`;
      try {
        await sendOnce(this.d.coordination, `rcs:${key}`, () => this.post(cfg, phone, messageId, renderRcsReply(reply, titleOf)));
        // Kept so that a later DeliveryImpossible report can fall back to SMS with the same text.
        const memo = this.d.cipher.encrypt(JSON.stringify({ phone, text: renderReplyText(reply, { lang: replyLang([reply]) }), key }));
        await this.d.coordination.set(`rcs:sent:${cfg.id}:${messageId}`, memo, SENT_MEMO_MS);
      } catch (err) {
        if (err instanceof VendorError && err.message.startsWith('not-rcs')) {
          await this.d.coordination.set(this.capKey(cfg, phone), 'no', CAPABILITY_TTL_MS);
          return this.fallback(cfg, phone, replies.slice(i), keyPrefix, i);
        }
        throw err;
      }
    }
  }

  /** Card titles: the questions of the answered entries, looked up first so that rendering stays pure. */
  private async titles(cfg: Cfg, replies: readonly Reply[]): Promise<(entryId: string) => string | null> {
    const map = new Map<string, string | null>();
    for (const r of replies) if (r.type === 'answer' && r.entryId && !map.has(r.entryId)) map.set(r.entryId, await this.d.turns.entryQuestion(cfg, r.entryId));
    return (id) => map.get(id) ?? null;
  }

  private capKey(cfg: Cfg, phone: string) {
    return `rcs:cap:${cfg.id}:${this.d.sms.phoneHash(phone)}`;
  }

  /** The capability query, cached a day per phone. An unreachable platform counts as capable (the send decides). */
  async capable(cfg: Cfg, phone: string): Promise<boolean> {
    const cached = await this.d.coordination.get(this.capKey(cfg, phone));
    if (cached) return cached === 'yes';
    const u = new URL(cfg.public.apiBase.replace(/\/$/, '') + cfg.public.capabilityPath);
    u.searchParams.set('userContact', `tel:+86${phone}`);
    let verdict: 'yes' | 'no' | null = null;
    try {
      const res = await fetch(u, { headers: { authorization: `Bearer ${cfg.secrets.apiToken}` }, signal: AbortSignal.timeout(cfg.public.timeoutMs) });
      await res.body?.cancel().catch(() => {});
      if (res.status === 404) verdict = 'no';
      else if (res.ok) verdict = 'yes';
    } catch (err) {
      this.d.logger.warn({ err: (err as Error).message, channel: cfg.id }, '5G message capability query failed');
    }
    if (verdict) await this.d.coordination.set(this.capKey(cfg, phone), verdict, CAPABILITY_TTL_MS);
    return verdict !== 'no';
  }

  private async post(cfg: Cfg, phone: string, messageId: string, parts: RcsPart[]) {
    await withRetry(async () => {
      let res: Response;
      try {
        res = await fetch(cfg.public.apiBase.replace(/\/$/, '') + cfg.public.sendPath, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${cfg.secrets.apiToken}` },
          // The same messageId on every attempt: the platform drops a retried duplicate.
          body: JSON.stringify({ messageId, senderAddress: cfg.public.chatbotUri, destinationAddress: [`tel:+86${phone}`], messageList: parts }),
          signal: AbortSignal.timeout(cfg.public.timeoutMs),
        });
      } catch (err) {
        throw new VendorError(`MaaP unreachable: ${(err as Error).message}`, true);
      }
      const text = await res.text().catch(() => '');
      if (res.ok) return;
      let code = String(res.status);
      try { const b = JSON.parse(text); code = String(b.errorCode ?? b.code ?? code); } catch { /* keep the status */ }
      if (cfg.public.notRcsErrorCodes.includes(code)) throw new VendorError(`not-rcs: ${code}`, false);
      throw new VendorError(`MaaP refused the message: ${code}`, res.status >= 500 || res.status === 429);
    }, { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 });
  }

  private async fallback(cfg: Cfg, phone: string, replies: readonly Reply[], keyPrefix: string, from = 0) {
    const provider = this.d.sms.providerFrom(cfg.public.smsFallback, cfg.secrets.smsGatewaySecret);
    for (const [j, reply] of replies.entries()) {
      await this.d.sms.send(cfg.tenantId, provider, { to: phone, text: renderReplyText(reply, { lang: replyLang([reply]) }), idempotencyKey: `${keyPrefix}:${from + j}:sms` });
    }
  }

  private async onStatus(cfg: Cfg, m: Extract<RcsInbound, { kind: 'status' }>) {
    // DeliveredToNetwork / DeliveredToSMS mean the network already fell back to SMS itself: nothing to do.
    if (!UNDELIVERABLE.has(m.status)) return;
    const memo = await this.d.coordination.get(`rcs:sent:${cfg.id}:${m.messageId}`);
    if (!memo) return;
    const { phone, text, key } = JSON.parse(this.d.cipher.decrypt(memo)) as { phone: string; text: string; key: string };
    await this.d.coordination.set(this.capKey(cfg, phone), 'no', CAPABILITY_TTL_MS);
    const provider = this.d.sms.providerFrom(cfg.public.smsFallback, cfg.secrets.smsGatewaySecret);
    await this.d.sms.send(cfg.tenantId, provider, { to: phone, text, idempotencyKey: `${key}:sms` });
  }
}
