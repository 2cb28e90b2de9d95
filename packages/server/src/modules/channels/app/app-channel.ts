import type { Reply } from '@lingxi/contracts';
import { z } from 'zod';
import type { Coordination } from '../../../platform/coordination.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { ContactService } from '../../contacts/contact-service.ts';
import type { ChatService } from '../../web-channel/chat-service.ts';
import { signWebhook } from '../../webhooks/events.ts';
import { assertResolvesPublic } from '../../webhooks/url-guard.ts';
import type { ChannelConfigService, ChannelTypeSpec, ResolvedChannelConfig } from '../core/channel-config-service.ts';
import type { OutboundRegistry } from '../core/outbound.ts';
import { sendOnce, VendorError, withRetry } from '../core/vendor-http.ts';
import { JwtError, verifyJwt, type JwtKey } from './jwt.ts';

export const APP_CHANNEL = 'app';

export const AppPublic = z.object({
  alg: z.enum(['HS256', 'RS256']),
  /** RS256: the bank's public key (PEM). Public by nature, so not among the secrets. */
  publicKeyPem: z.string().max(10_000).optional(),
  issuer: z.string().max(200).optional(),
  audience: z.string().max(200).optional(),
  maxAgeS: z.number().int().min(30).max(30 * 86400).optional(),
  /** OpenID Connect standard claims (OIDC Core 5.1) for a phone the bank has verified. */
  phoneClaim: z.string().max(60).default('phone_number'),
  phoneVerifiedClaim: z.string().max(60).default('phone_number_verified'),
  /** Where replies are pushed when the customer has no open WebSocket (the bank's push service). */
  pushUrl: z.string().url().optional(),
  /** Allow pushUrl on a private network (banks' push services usually are internal). */
  pushPrivateNetwork: z.boolean().default(true),
}).refine((p) => p.alg !== 'RS256' || !!p.publicKeyPem, { message: 'RS256 needs publicKeyPem' });
export type AppPublic = z.infer<typeof AppPublic>;
export const AppSecrets = z.object({ jwtSecret: z.string().min(32).max(500).optional(), pushSecret: z.string().min(16).max(500).optional() });
export const appChannelSpec: ChannelTypeSpec = { public: AppPublic as unknown as z.ZodType<Record<string, unknown>>, secrets: AppSecrets, secretFields: ['jwtSecret', 'pushSecret'] };

type Cfg = ResolvedChannelConfig<AppPublic, z.infer<typeof AppSecrets>>;
export type AppIdentity = { cfg: Cfg; appUserId: string; verifiedPhone: string | null };
export type AppChannelDeps = { configs: ChannelConfigService; outbound: OutboundRegistry; chat: ChatService; contacts: ContactService; coordination: Coordination; logger: Logger };

/** How long a WebSocket's heartbeat keeps the customer "online" (no push while online). */
export const APP_PRESENCE_TTL_MS = 45_000;
const presenceSet = (cfgId: string) => `app-presence:${cfgId}`;

/**
 * The bank's app / H5 SDK: the customer's identity arrives as a JWT signed by the bank (HS256 secret or RS256 key
 * configured per tenant), so the conversation carries a verified app user and, when the bank vouches for it, a
 * verified phone — later identity checks are skipped. Replies written while the customer is offline are pushed to
 * the bank's push endpoint, HMAC-signed like our outgoing webhooks.
 */
export class AppChannel {
  constructor(private d: AppChannelDeps) {}

  register() {
    this.d.configs.registerType(APP_CHANNEL, appChannelSpec);
    this.d.outbound.registerSender(APP_CHANNEL, ({ config, address, reply, idempotencyKey }) => this.push(config as Cfg, address, reply, idempotencyKey));
  }

  async identify(configId: string, token: string | undefined): Promise<AppIdentity> {
    const c = await this.d.configs.getForInbound<Record<string, unknown>, z.infer<typeof AppSecrets>>(configId, APP_CHANNEL);
    const cfg: Cfg = { ...c, public: AppPublic.parse(c.public) };
    if (!token) throw new AppError('unauthorized', 'customer token required');
    const key: JwtKey | null = cfg.public.alg === 'HS256'
      ? (cfg.secrets.jwtSecret ? { alg: 'HS256', secret: cfg.secrets.jwtSecret } : null)
      : { alg: 'RS256', publicKeyPem: cfg.public.publicKeyPem! };
    if (!key) throw new AppError('unavailable', 'this app channel has no verification key configured');
    try {
      const claims = verifyJwt(token, key, { issuer: cfg.public.issuer, audience: cfg.public.audience, maxAgeS: cfg.public.maxAgeS });
      const phone = claims[cfg.public.phoneClaim];
      const phoneOk = typeof phone === 'string' && /^\+?\d{5,20}$/.test(phone) && claims[cfg.public.phoneVerifiedClaim] === true;
      return { cfg, appUserId: claims.sub, verifiedPhone: phoneOk ? phone : null };
    } catch (err) {
      if (err instanceof JwtError) throw new AppError('unauthorized', `invalid customer token: ${err.message}`);
      throw err;
    }
  }

  /** One turn from the app: verified identity, the bank-verified phone linked to the same contact. */
  async turn(id: AppIdentity, t: { text: string; clientMsgId?: string; sessionId?: string }) {
    const { cfg } = id;
    // Linked once an hour per app user and phone: no contact lookup on every message.
    if (id.verifiedPhone && (await this.d.coordination.setIfAbsent(`app:link:${cfg.id}:${id.appUserId}:${id.verifiedPhone}`, '1', 3600_000))) {
      const contactId = await this.d.contacts.resolve(cfg.tenantId, { kind: 'app_user', value: id.appUserId, verified: true });
      await this.d.contacts.link(cfg.tenantId, contactId, { kind: 'phone', value: id.verifiedPhone, verified: true });
    }
    const r = await this.d.chat.handle({ bot: cfg.botId, sessionId: t.sessionId, text: t.text, channel: APP_CHANNEL, clientMsgId: t.clientMsgId, identity: { kind: 'app_user', value: id.appUserId, verified: true }, ...(id.verifiedPhone ? { verifiedPhone: id.verifiedPhone } : {}) });
    if (await this.d.coordination.setIfAbsent(`chbind:${r.sessionId}:${cfg.id}`, '1', 3600_000)) await this.d.configs.bind(cfg.tenantId, r.sessionId, cfg.id, id.appUserId);
    return r;
  }

  /** Called by the WebSocket gateway while an app customer's socket is open (see the report's proposed hook). */
  heartbeat(cfgId: string, appUserId: string) {
    return this.d.coordination.heartbeat(presenceSet(cfgId), appUserId, APP_PRESENCE_TTL_MS);
  }

  async online(cfgId: string, appUserId: string) {
    return (await this.d.coordination.members(presenceSet(cfgId))).includes(appUserId);
  }

  /** Pushes a reply to the bank's push endpoint unless the customer is online (the WebSocket delivers it then). */
  async push(cfg: Cfg, appUserId: string, reply: Reply, idempotencyKey: string): Promise<void> {
    if (await this.online(cfg.id, appUserId)) return;
    const url = cfg.public.pushUrl;
    if (!url || !cfg.secrets.pushSecret) return void this.d.logger.warn({ channel: cfg.id }, 'app customer offline and no push endpoint configured');
    const body = JSON.stringify({ id: idempotencyKey, type: 'reply', appUserId, reply });
    await sendOnce(this.d.coordination, `app-push:${cfg.id}:${idempotencyKey}`, () => withRetry(async () => {
      await assertResolvesPublic(new URL(url), cfg.public.pushPrivateNetwork);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST', redirect: 'manual', body, signal: AbortSignal.timeout(5000),
          headers: { 'content-type': 'application/json', 'x-lingxi-signature': signWebhook(cfg.secrets.pushSecret!, body, Math.floor(Date.now() / 1000)), 'x-lingxi-delivery': idempotencyKey },
        });
      } catch (err) {
        throw new VendorError(`push endpoint unreachable: ${(err as Error).message}`, true);
      }
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new VendorError(`push endpoint HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    }, { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }));
  }
}
