import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Reply } from '@lingxi/contracts';
import type { Coordination } from '../../../platform/coordination.ts';
import { safeEqual } from '../../../platform/crypto.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { ChannelConfigService, ChannelTypeSpec, ResolvedChannelConfig } from '../core/channel-config-service.ts';
import type { ChannelTurns } from '../core/channel-turns.ts';
import { politeReply } from '../core/channel-turns.ts';
import type { ChannelSender } from '../core/outbound.ts';
import { sendOnce, within } from '../core/vendor-http.ts';
import { BackgroundTasks, type WebhookResponse } from '../core/webhook.ts';
import type { WechatApi } from './api.ts';
import { aesKeyOf, sha1Signature, wechatDecrypt, wechatEncrypt, WechatCryptoError } from './crypto.ts';
import { parseWechatMessage, WechatParseError, type WechatInbound } from './parse.ts';
import { customSendBody, encryptedReplyXml, passiveTextXml, wechatText } from './render.ts';
import { parseXml, XmlError } from './xml.ts';

export const WECHAT_TYPE = 'wechat';
/** Conversation channel name (also the key of per-channel answers in the knowledge base). */
export const WECHAT_CHANNEL = 'wechat';

export const WechatPublic = z.object({
  /** Official account (公众号) or mini-program customer service (小程序客服). */
  kind: z.enum(['official_account', 'mini_program']).default('official_account'),
  appId: z.string().min(1).max(64),
  /** 明文 plain, 兼容 compatible (both accepted), 安全 safe (encrypted only). */
  encryptMode: z.enum(['plain', 'compatible', 'safe']).default('safe'),
  /** Mini-programs may push JSON instead of XML (消息推送 数据格式). */
  format: z.enum(['xml', 'json']).default('xml'),
  apiBase: z.string().url().max(200).default('https://api.weixin.qq.com'),
  /** WeChat waits 5 s for a passive reply, then retries; past this budget we answer `success` and send later. */
  replyTimeoutMs: z.number().int().min(50).max(4500).default(4000),
  clickableMenus: z.boolean().default(true),
  /** Requests whose timestamp is further than this from our clock are refused (0: no check). */
  maxClockSkewS: z.number().int().min(0).max(86_400).default(300),
});
export type WechatPublic = z.infer<typeof WechatPublic>;

export const WechatSecrets = z.object({
  /** Token of the server configuration: 3–32 letters and digits (服务器配置 令牌). */
  token: z.string().regex(/^[A-Za-z0-9]{3,32}$/, '3 to 32 letters and digits'),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9]{43}$/, '43 letters and digits').optional(),
  /** AppSecret: needed to send customer-service messages (replies after the 5 s window, agents' replies). */
  appSecret: z.string().min(1).max(128).optional(),
});
export type WechatSecrets = z.infer<typeof WechatSecrets>;

export const wechatSpec: ChannelTypeSpec = {
  public: WechatPublic as unknown as ChannelTypeSpec['public'],
  secrets: WechatSecrets as unknown as ChannelTypeSpec['secrets'],
  secretFields: ['token', 'encodingAESKey', 'appSecret'],
  refine: (pub, secrets) => {
    const p = pub as WechatPublic;
    if (p.encryptMode !== 'plain' && !secrets.encodingAESKey) return 'encodingAESKey is required unless encryptMode is plain';
    return null;
  },
};

export type WechatQuery = { signature?: string; timestamp?: string; nonce?: string; echostr?: string; openid?: string; encrypt_type?: string; msg_signature?: string };
type Cfg = ResolvedChannelConfig<WechatPublic, WechatSecrets>;

const DEDUPE_TTL_MS = 60_000;
const SUCCESS: WebhookResponse = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' };

/**
 * WeChat official accounts and mini-program customer service
 * (https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html): URL verification,
 * signature and msg_signature checks, safe-mode decryption, one robot turn per message, the passive reply within
 * WeChat's 5 seconds or `success` and a customer-service message afterwards, and deduplication of WeChat's retries.
 */
export class WechatService {
  readonly background: BackgroundTasks;

  constructor(private d: { configs: ChannelConfigService; turns: ChannelTurns; api: WechatApi; coordination: Coordination; logger: Logger; now?: () => number }) {
    this.background = new BackgroundTasks(d.logger);
  }

  private now() {
    return this.d.now?.() ?? Date.now();
  }

  private config(id: string): Promise<Cfg> {
    return this.d.configs.getForInbound<WechatPublic, WechatSecrets>(id, WECHAT_TYPE).then((c) => ({ ...c, public: WechatPublic.parse(c.public) }));
  }

  private reject(cfg: Cfg, reason: string): never {
    // Logged through the redacting logger; the response says nothing about which check failed.
    this.d.logger.warn({ channel: cfg.id, type: WECHAT_TYPE, reason }, 'webhook request rejected');
    throw new AppError('unauthorized', 'signature verification failed');
  }

  /** The plain signature over token, timestamp and nonce, compared in constant time, and the timestamp window. */
  private verifySignature(cfg: Cfg, q: WechatQuery) {
    if (!q.signature || !q.timestamp || !q.nonce) this.reject(cfg, 'missing signature parameters');
    const expected = sha1Signature(cfg.secrets.token, q.timestamp, q.nonce);
    if (!safeEqual(expected, q.signature.toLowerCase())) this.reject(cfg, 'bad signature');
    const skew = cfg.public.maxClockSkewS;
    if (skew > 0 && Math.abs(this.now() / 1000 - Number(q.timestamp)) > skew) this.reject(cfg, 'timestamp outside the allowed window');
  }

  /** GET: WeChat checks the server URL by asking us to echo echostr when the signature is right. */
  async verifyUrl(id: string, q: WechatQuery): Promise<WebhookResponse> {
    const cfg = await this.config(id);
    this.verifySignature(cfg, q);
    if (!q.echostr) throw new AppError('bad_request', 'echostr is required');
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: q.echostr };
  }

  /** POST: one message or event. `body` is the raw text (XML) or the parsed JSON of a mini-program push. */
  async receive(id: string, q: WechatQuery, body: unknown): Promise<WebhookResponse> {
    const cfg = await this.config(id);
    this.verifySignature(cfg, q);
    const encrypted = q.encrypt_type === 'aes';
    if (cfg.public.encryptMode === 'safe' && !encrypted) throw new AppError('bad_request', 'this channel accepts encrypted (safe mode) messages only');
    if (cfg.public.encryptMode === 'plain' && encrypted) throw new AppError('bad_request', 'this channel is configured for plaintext messages');
    let fields = this.envelope(cfg, body);
    if (encrypted) {
      const enc = typeof fields.Encrypt === 'string' ? fields.Encrypt : '';
      if (!enc) throw new AppError('bad_request', 'Encrypt is missing');
      if (!q.msg_signature || !safeEqual(sha1Signature(cfg.secrets.token, q.timestamp!, q.nonce!, enc), q.msg_signature.toLowerCase())) this.reject(cfg, 'bad msg_signature');
      let plain: string;
      try {
        plain = wechatDecrypt(aesKeyOf(cfg.secrets.encodingAESKey!), enc, cfg.public.appId).message;
      } catch (err) {
        if (err instanceof WechatCryptoError) this.reject(cfg, `decryption failed: ${err.message}`);
        throw err;
      }
      fields = this.envelope(cfg, cfg.public.format === 'json' ? safeJson(plain) : plain);
    }
    let msg: WechatInbound;
    try {
      msg = parseWechatMessage(fields);
    } catch (err) {
      if (err instanceof WechatParseError) throw new AppError('bad_request', err.message);
      throw err;
    }
    return this.handle(cfg, msg, encrypted);
  }

  private envelope(cfg: Cfg, body: unknown): Record<string, unknown> {
    if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body as Record<string, unknown>;
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
    if (!text.trim()) throw new AppError('bad_request', 'empty body');
    if (cfg.public.format === 'json' && text.trim().startsWith('{')) return safeJson(text);
    try {
      return parseXml(text);
    } catch (err) {
      if (err instanceof XmlError) throw new AppError('bad_request', `malformed XML: ${err.message}`);
      throw err;
    }
  }

  private async handle(cfg: Cfg, msg: WechatInbound, encrypted: boolean): Promise<WebhookResponse> {
    const key = `wx:in:${cfg.id}:${msg.dedupeKey}`;
    const started = this.now();
    if (!(await this.d.coordination.setIfAbsent(key, 'pending', DEDUPE_TTL_MS))) return this.retried(cfg, key, started, encrypted);

    const work = this.turn(cfg, msg);
    // Mini-program customer service has no passive reply: always `success`, then the customer-service API.
    if (cfg.public.kind === 'official_account') {
      const r = await within(work, cfg.public.replyTimeoutMs);
      if (r.done) {
        if (!r.value.length) {
          await this.d.coordination.set(key, 'none', DEDUPE_TTL_MS);
          return SUCCESS;
        }
        const xml = passiveTextXml({ toUser: msg.from, fromUser: msg.to, createTime: Math.floor(this.now() / 1000), content: wechatText(r.value, this.renderOpts(cfg)) });
        await this.d.coordination.set(key, `xml:${xml}`, DEDUPE_TTL_MS);
        return this.reply(cfg, xml, encrypted);
      }
    }
    await this.d.coordination.set(key, 'async', DEDUPE_TTL_MS);
    this.background.run(`wechat send ${cfg.id}`, async () => {
      const replies = await work;
      for (const [i, reply] of replies.entries()) await this.send(cfg, msg.from, reply, `wx:${cfg.id}:${msg.dedupeKey}:${i}`);
    });
    return SUCCESS;
  }

  /**
   * A retry of a message we already took: the same passive reply if we gave one, `success` if the answer goes by
   * the customer-service API; while the first delivery is still being answered, wait for it within the budget.
   */
  private async retried(cfg: Cfg, key: string, started: number, encrypted: boolean): Promise<WebhookResponse> {
    for (;;) {
      const v = await this.d.coordination.get(key);
      if (v?.startsWith('xml:')) return this.reply(cfg, v.slice(4), encrypted);
      if (v !== 'pending' || this.now() - started > cfg.public.replyTimeoutMs) return SUCCESS;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private reply(cfg: Cfg, xml: string, encrypted: boolean): WebhookResponse {
    if (!encrypted) return { status: 200, contentType: 'text/xml; charset=utf-8', body: xml };
    const encrypt = wechatEncrypt(aesKeyOf(cfg.secrets.encodingAESKey!), xml, cfg.public.appId);
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = String(randomInt(100_000_000, 999_999_999));
    const signature = sha1Signature(cfg.secrets.token, timestamp, nonce, encrypt);
    return { status: 200, contentType: 'text/xml; charset=utf-8', body: encryptedReplyXml({ encrypt, signature, timestamp, nonce }) };
  }

  private renderOpts(cfg: Cfg) {
    const oa = cfg.public.kind === 'official_account';
    return { clickableMenus: oa && cfg.public.clickableMenus, linkify: oa };
  }

  /** What the robot says to one message or event; empty when nothing is to be said (unsubscribe, VIEW…). */
  async turn(cfg: Cfg, msg: WechatInbound): Promise<Reply[]> {
    const identity = { kind: 'wechat_openid' as const, value: msg.from };
    const ask = async (text: string, clientMsgId?: string) =>
      (await this.d.turns.ask(cfg, {
        channel: WECHAT_CHANNEL, identity, address: msg.from, text, clientMsgId,
        ...(msg.unionId ? { extraIdentity: { kind: 'wechat_unionid' as const, value: msg.unionId } } : {}),
      })).replies;
    const clientMsgId = `wx:${msg.dedupeKey}`.slice(0, 64);
    switch (msg.kind) {
      case 'text':
        return ask(msg.text, clientMsgId);
      case 'voice':
        return msg.recognition ? ask(msg.recognition, clientMsgId) : [politeReply('voiceUnrecognized')];
      case 'image':
        return [politeReply('image')];
      case 'unsupported':
        return [politeReply('unsupported')];
      case 'event':
        if (msg.event === 'subscribe' || msg.event === 'enter_session') return this.d.turns.greet(cfg, { channel: WECHAT_CHANNEL, identity, address: msg.from });
        if (msg.event === 'click') {
          // Menu keys `hot:<entryId>` ask that knowledge entry's question; `ask:<text>` asks the text itself.
          const key = msg.key ?? '';
          if (key.startsWith('hot:')) {
            const q = await this.d.turns.entryQuestion(cfg, key.slice(4));
            return q ? ask(q, clientMsgId) : [politeReply('unknownMenu')];
          }
          if (key.startsWith('ask:') && key.length > 4) return ask(key.slice(4), clientMsgId);
          return [politeReply('unknownMenu')];
        }
        return [];
    }
  }

  /** One reply by the customer-service API, at most once per idempotency key across the cluster. */
  async send(cfg: ResolvedChannelConfig, openid: string, reply: Reply, idempotencyKey: string) {
    const c = { ...cfg, public: WechatPublic.parse(cfg.public), secrets: cfg.secrets as WechatSecrets };
    const body = customSendBody(openid, reply, { ...this.renderOpts(c as Cfg), menuMessages: c.public.kind === 'official_account' });
    await sendOnce(this.d.coordination, idempotencyKey, async () => {
      await this.d.api.customSend({ configId: c.id, appId: c.public.appId, appSecret: c.secrets.appSecret, apiBase: c.public.apiBase }, body);
    });
  }

  /** The outbound sender for agents' replies (OutboundRegistry). */
  sender(): ChannelSender {
    return ({ config, address, reply, idempotencyKey }) => this.send(config, address, reply, idempotencyKey);
  }
}


function safeJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AppError('bad_request', 'malformed JSON');
}
