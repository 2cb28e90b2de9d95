import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Reply } from '@lingxi/contracts';
import type { Coordination } from '../../../platform/coordination.ts';
import { safeEqual, sha256Hex } from '../../../platform/crypto.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { ChannelConfigService, ChannelTypeSpec, ResolvedChannelConfig } from '../core/channel-config-service.ts';
import { politeReply, type ChannelTurns } from '../core/channel-turns.ts';
import type { ChannelSender } from '../core/outbound.ts';
import { sendOnce, within } from '../core/vendor-http.ts';
import { BackgroundTasks, type WebhookResponse } from '../core/webhook.ts';
import { aesKeyOf, sha1Signature, wechatDecrypt, wechatEncrypt, WechatCryptoError } from '../wechat/crypto.ts';
import { parseWechatMessage, WechatParseError } from '../wechat/parse.ts';
import { encryptedReplyXml, passiveTextXml } from '../wechat/render.ts';
import { parseXml, XmlError } from '../wechat/xml.ts';
import { renderRepliesText, replyLang } from '../core/render.ts';
import type { WecomApi, WecomResult, WecomTarget } from './api.ts';
import { appClarifyCard, appMarkdown, appText, kfMessage } from './render.ts';

export const WECOM_APP_TYPE = 'wecom';
export const WECOM_KF_TYPE = 'wecom_kf';

const common = {
  corpId: z.string().min(1).max(64),
  apiBase: z.string().url().max(200).default('https://qyapi.weixin.qq.com'),
  maxClockSkewS: z.number().int().min(0).max(86_400).default(300),
};
export const WecomAppPublic = z.object({
  ...common,
  agentId: z.coerce.number().int().min(0),
  replyTimeoutMs: z.number().int().min(50).max(4500).default(4000),
  clarifyAs: z.enum(['text', 'card']).default('text'),
  /** Format of messages sent by API (after the passive-reply window, agents' replies). */
  messageFormat: z.enum(['text', 'markdown']).default('text'),
});
export type WecomAppPublic = z.infer<typeof WecomAppPublic>;
export const WecomKfPublic = z.object({ ...common });
export type WecomKfPublic = z.infer<typeof WecomKfPublic>;

export const WecomSecrets = z.object({
  token: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'up to 32 letters and digits'),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9]{43}$/, '43 letters and digits'),
  /** The app's Secret (wecom) or the 微信客服 Secret (wecom_kf): needed to send and to pull messages. */
  secret: z.string().min(1).max(128).optional(),
});
export type WecomSecrets = z.infer<typeof WecomSecrets>;

const spec = (pub: z.ZodType): ChannelTypeSpec => ({
  public: pub as unknown as ChannelTypeSpec['public'],
  secrets: WecomSecrets as unknown as ChannelTypeSpec['secrets'],
  secretFields: ['token', 'encodingAESKey', 'secret'],
});
export const wecomAppSpec = spec(WecomAppPublic);
export const wecomKfSpec = spec(WecomKfPublic);

export type WecomQuery = { msg_signature?: string; timestamp?: string; nonce?: string; echostr?: string };
type AppCfg = ResolvedChannelConfig<WecomAppPublic, WecomSecrets>;
type KfCfg = ResolvedChannelConfig<WecomKfPublic, WecomSecrets>;
type AnyCfg = ResolvedChannelConfig<{ corpId: string; apiBase: string; maxClockSkewS: number }, WecomSecrets>;

const DEDUPE_TTL_MS = 60_000;
const KF_MSG_TTL_MS = 3 * 24 * 3600_000;
const EMPTY: WebhookResponse = { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };

/** A sync_msg item (https://developer.work.weixin.qq.com/document/path/94670). origin 3: sent by the WeChat customer. */
type KfMsg = {
  msgid: string; open_kfid: string; external_userid?: string; send_time?: number; origin?: number; msgtype: string;
  text?: { content?: string; menu_id?: string };
  event?: { event_type?: string; welcome_code?: string; external_userid?: string; open_kfid?: string };
};

/**
 * WeCom (企业微信): the application callback of the internal employee assistant (identity wecom_userid), and
 * WeChat customer service 微信客服 (identity wecom_external), whose callback only says "messages are waiting": we
 * pull them with kf/sync_msg from the cursor stored per config, one puller per config across the cluster.
 * Callback protocol (same encryption as WeChat, receiver id = CorpID): https://developer.work.weixin.qq.com/document/path/90930
 */
export class WecomService {
  readonly background: BackgroundTasks;

  constructor(private d: { configs: ChannelConfigService; turns: ChannelTurns; api: WecomApi; coordination: Coordination; logger: Logger; now?: () => number }) {
    this.background = new BackgroundTasks(d.logger);
  }

  private now() {
    return this.d.now?.() ?? Date.now();
  }

  private async config(type: string, id: string): Promise<AnyCfg> {
    const c = await this.d.configs.getForInbound<Record<string, unknown>, WecomSecrets>(id, type);
    const pub = type === WECOM_APP_TYPE ? WecomAppPublic.parse(c.public) : WecomKfPublic.parse(c.public);
    return { ...c, public: pub };
  }

  private reject(cfg: AnyCfg, reason: string): never {
    this.d.logger.warn({ channel: cfg.id, type: cfg.type, reason }, 'webhook request rejected');
    throw new AppError('unauthorized', 'signature verification failed');
  }

  /** msg_signature over token, timestamp, nonce and the ciphertext; then decryption for the CorpID. */
  private open(cfg: AnyCfg, q: WecomQuery, encrypted: string): string {
    if (!q.msg_signature || !q.timestamp || !q.nonce) this.reject(cfg, 'missing signature parameters');
    if (!safeEqual(sha1Signature(cfg.secrets.token, q.timestamp, q.nonce, encrypted), q.msg_signature.toLowerCase())) this.reject(cfg, 'bad msg_signature');
    const skew = cfg.public.maxClockSkewS;
    if (skew > 0 && Math.abs(this.now() / 1000 - Number(q.timestamp)) > skew) this.reject(cfg, 'timestamp outside the allowed window');
    try {
      return wechatDecrypt(aesKeyOf(cfg.secrets.encodingAESKey), encrypted, cfg.public.corpId).message;
    } catch (err) {
      if (err instanceof WechatCryptoError) this.reject(cfg, `decryption failed: ${err.message}`);
      throw err;
    }
  }

  /** GET: URL verification — the echostr is encrypted; we answer its plaintext. */
  async verifyUrl(type: string, id: string, q: WecomQuery): Promise<WebhookResponse> {
    const cfg = await this.config(type, id);
    if (!q.echostr) throw new AppError('bad_request', 'echostr is required');
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: this.open(cfg, q, q.echostr) };
  }

  async receive(type: string, id: string, q: WecomQuery, body: unknown): Promise<WebhookResponse> {
    const cfg = await this.config(type, id);
    const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
    if (!text.trim()) throw new AppError('bad_request', 'empty body');
    const envelope = xml(text);
    if (!envelope.Encrypt) throw new AppError('bad_request', 'Encrypt is missing');
    const fields = xml(this.open(cfg, q, envelope.Encrypt));
    if (type === WECOM_KF_TYPE) return this.kfCallback(cfg as unknown as KfCfg, fields);
    return this.appMessage(cfg as unknown as AppCfg, fields);
  }

  // ---- the employee assistant (application callback) ----

  private async appMessage(cfg: AppCfg, fields: Record<string, string>): Promise<WebhookResponse> {
    let msg;
    try {
      msg = parseWechatMessage(fields);
    } catch (err) {
      if (err instanceof WechatParseError) throw new AppError('bad_request', err.message);
      throw err;
    }
    const key = `wecom:in:${cfg.id}:${msg.dedupeKey}`;
    const started = this.now();
    if (!(await this.d.coordination.setIfAbsent(key, 'pending', DEDUPE_TTL_MS))) {
      for (;;) {
        const v = await this.d.coordination.get(key);
        if (v?.startsWith('xml:')) return this.passive(cfg, v.slice(4));
        if (v !== 'pending' || this.now() - started > cfg.public.replyTimeoutMs) return EMPTY;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const identity = { kind: 'wecom_userid' as const, value: msg.from };
    const ask = async (text: string) => (await this.d.turns.ask(cfg, { channel: 'wecom', identity, address: msg.from, text, clientMsgId: `wecom:${msg.dedupeKey}`.slice(0, 64) })).replies;
    const work: Promise<Reply[]> = (async () => {
      switch (msg.kind) {
        case 'text': return ask(msg.text);
        case 'voice': return msg.recognition ? ask(msg.recognition) : [politeReply('voiceUnrecognized')];
        case 'image': return [politeReply('image')];
        case 'unsupported': return [politeReply('unsupported')];
        case 'event':
          if (msg.event === 'enter_session') return this.d.turns.greet(cfg, { channel: 'wecom', identity, address: msg.from });
          // A button of our clarification card: `choice:<n>` is answered like the typed number.
          if (msg.event === 'card' && msg.key?.startsWith('choice:')) return ask(msg.key.slice(7));
          if (msg.event === 'click' && msg.key?.startsWith('hot:')) {
            const q = await this.d.turns.entryQuestion(cfg, msg.key.slice(4));
            return q ? ask(q) : [politeReply('unknownMenu')];
          }
          return [];
      }
    })();
    const needsCard = (rs: Reply[]) => cfg.public.clarifyAs === 'card' && rs.some((r) => r.options?.length);
    const r = await within(work, cfg.public.replyTimeoutMs);
    if (r.done && !needsCard(r.value)) {
      if (!r.value.length) {
        await this.d.coordination.set(key, 'none', DEDUPE_TTL_MS);
        return EMPTY;
      }
      const content = renderRepliesText(r.value, { lang: replyLang(r.value) });
      const plain = passiveTextXml({ toUser: msg.from, fromUser: cfg.public.corpId, createTime: Math.floor(this.now() / 1000), content });
      await this.d.coordination.set(key, `xml:${plain}`, DEDUPE_TTL_MS);
      return this.passive(cfg, plain);
    }
    await this.d.coordination.set(key, 'async', DEDUPE_TTL_MS);
    this.background.run(`wecom send ${cfg.id}`, async () => {
      const replies = await work;
      for (const [i, reply] of replies.entries()) await this.sendApp(cfg, msg.from, reply, `wecom:${cfg.id}:${msg.dedupeKey}:${i}`);
    });
    return EMPTY;
  }

  /** WeCom requires passive replies to be encrypted too. */
  private passive(cfg: AnyCfg, plain: string): WebhookResponse {
    const encrypt = wechatEncrypt(aesKeyOf(cfg.secrets.encodingAESKey), plain, cfg.public.corpId);
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = String(randomInt(100_000_000, 999_999_999));
    return { status: 200, contentType: 'text/xml; charset=utf-8', body: encryptedReplyXml({ encrypt, signature: sha1Signature(cfg.secrets.token, timestamp, nonce, encrypt), timestamp, nonce }) };
  }

  private target(cfg: AnyCfg): WecomTarget {
    return { configId: cfg.id, corpId: cfg.public.corpId, secret: cfg.secrets.secret, apiBase: cfg.public.apiBase };
  }

  async sendApp(cfg: ResolvedChannelConfig, userId: string, reply: Reply, idempotencyKey: string) {
    const c = { ...cfg, public: WecomAppPublic.parse(cfg.public), secrets: cfg.secrets as WecomSecrets } as AppCfg;
    const body = c.public.clarifyAs === 'card' && reply.options?.length
      ? appClarifyCard(userId, c.public.agentId, reply, taskId(idempotencyKey))
      : c.public.messageFormat === 'markdown' ? appMarkdown(userId, c.public.agentId, reply) : appText(userId, c.public.agentId, reply);
    await sendOnce(this.d.coordination, idempotencyKey, async () => {
      await this.d.api.call(this.target(c as unknown as AnyCfg), '/cgi-bin/message/send', body);
    });
  }

  // ---- WeChat customer service (微信客服) ----

  private async kfCallback(cfg: KfCfg, fields: Record<string, string>): Promise<WebhookResponse> {
    // The callback carries no message, only "pull now" (Event kf_msg_or_event) with a short-lived Token that lifts
    // sync_msg's rate limit: https://developer.work.weixin.qq.com/document/path/94670
    if (fields.MsgType === 'event' && fields.Event === 'kf_msg_or_event') {
      const token = fields.Token;
      const openKfId = fields.OpenKfId;
      this.background.run(`wecom-kf pull ${cfg.id}`, () => this.pull(cfg, token, openKfId));
    }
    return EMPTY;
  }

  /**
   * Pulls everything after the stored cursor. One node pulls per config (a lock); a callback arriving meanwhile
   * leaves a note, and the puller goes round again, so no wake-up is lost.
   */
  async pull(cfg: KfCfg, callbackToken?: string, openKfId?: string): Promise<void> {
    const again = `kf:again:${cfg.id}`;
    await this.d.coordination.set(again, '1', 120_000);
    do {
      const release = await this.d.coordination.tryLock(`kf:pull:${cfg.id}`, 120_000);
      if (!release) return;
      try {
        while (await this.d.coordination.get(again)) {
          await this.d.coordination.del(again);
          let cursor = await this.d.configs.getCursor(cfg.tenantId, cfg.id, 'kf');
          for (let page = 0; page < 100; page++) {
            const r = (await this.d.api.call(this.target(cfg as unknown as AnyCfg), '/cgi-bin/kf/sync_msg', {
              ...(cursor ? { cursor } : {}), ...(callbackToken ? { token: callbackToken } : {}), ...(openKfId ? { open_kfid: openKfId } : {}), limit: 1000,
            })) as WecomResult & { next_cursor?: string; has_more?: number; msg_list?: KfMsg[] };
            for (const m of r.msg_list ?? []) await this.kfMessage(cfg, m);
            if (r.next_cursor && r.next_cursor !== cursor) {
              cursor = r.next_cursor;
              await this.d.configs.setCursor(cfg.tenantId, cfg.id, 'kf', cursor);
            }
            if (!r.has_more) break;
          }
        }
      } finally {
        await release();
      }
    } while (await this.d.coordination.get(again));
  }

  private async kfMessage(cfg: KfCfg, m: KfMsg) {
    if (!m?.msgid || !(await this.d.coordination.setIfAbsent(`kf:msg:${cfg.id}:${m.msgid}`, '1', KF_MSG_TTL_MS))) return;
    if (m.msgtype === 'event') {
      const ev = m.event ?? {};
      if (ev.event_type === 'enter_session' && ev.welcome_code && ev.external_userid) {
        const identity = { kind: 'wecom_external' as const, value: ev.external_userid };
        const [greeting] = await this.d.turns.greet(cfg, { channel: 'wecom_kf', identity, address: `${ev.open_kfid ?? m.open_kfid}:${ev.external_userid}` });
        const body = kfMessage(ev.external_userid, ev.open_kfid ?? m.open_kfid, kfMsgId(`welcome:${m.msgid}`), greeting);
        const { touser: _t, open_kfid: _o, ...onEvent } = body;
        await this.d.api.call(this.target(cfg as unknown as AnyCfg), '/cgi-bin/kf/send_msg_on_event', { code: ev.welcome_code, ...onEvent });
      }
      return;
    }
    // Only what the customer wrote (origin 3): our own and agents' messages come back through sync_msg too.
    if (m.origin !== 3 || !m.external_userid) return;
    const identity = { kind: 'wecom_external' as const, value: m.external_userid };
    const address = `${m.open_kfid}:${m.external_userid}`;
    const replies = m.msgtype === 'text' && m.text?.content
      ? (await this.d.turns.ask(cfg, { channel: 'wecom_kf', identity, address, text: m.text.content, clientMsgId: `kf:${m.msgid}`.slice(0, 64) })).replies
      : [politeReply(m.msgtype === 'image' ? 'image' : m.msgtype === 'voice' ? 'voiceUnrecognized' : 'unsupported')];
    for (const [i, reply] of replies.entries()) await this.sendKf(cfg, address, reply, `kf:${cfg.id}:${m.msgid}:${i}`);
  }

  /** address = `<open_kfid>:<external_userid>`. The msgid derived from the idempotency key lets WeCom refuse a resend. */
  async sendKf(cfg: ResolvedChannelConfig, address: string, reply: Reply, idempotencyKey: string) {
    const c = { ...cfg, public: WecomKfPublic.parse(cfg.public), secrets: cfg.secrets as WecomSecrets } as unknown as AnyCfg;
    const sep = address.indexOf(':');
    if (sep < 1) throw new AppError('bad_request', 'malformed customer-service address');
    const body = kfMessage(address.slice(sep + 1), address.slice(0, sep), kfMsgId(idempotencyKey), reply);
    await sendOnce(this.d.coordination, idempotencyKey, async () => {
      // send_msg refuses a msgid it has seen (doc: "指定消息ID… 不可重复"): on a retry after a timeout, that refusal
      // means the first attempt got through.
      await this.d.api.call(this.target(c), '/cgi-bin/kf/send_msg', body, { isDelivered: (r) => /msgid/i.test(String(r.errmsg ?? '')) });
    });
  }

  appSender(): ChannelSender {
    return ({ config, address, reply, idempotencyKey }) => this.sendApp(config, address, reply, idempotencyKey);
  }
  kfSender(): ChannelSender {
    return ({ config, address, reply, idempotencyKey }) => this.sendKf(config, address, reply, idempotencyKey);
  }
}

function xml(text: string): Record<string, string> {
  try {
    return parseXml(text);
  } catch (err) {
    if (err instanceof XmlError) throw new AppError('bad_request', `malformed XML: ${err.message}`);
    throw err;
  }
}

/** kf/send_msg msgid: at most 32 characters of [0-9a-zA-Z_-]. */
export const kfMsgId = (key: string) => Buffer.from(sha256Hex(key), 'hex').toString('base64url').slice(0, 32);
const taskId = (key: string) => `lx${sha256Hex(key).slice(0, 30)}`;
