import { z } from 'zod';
import { hmacSha256Hex, safeEqual } from '../../platform/crypto.ts';

/**
 * Outgoing webhook events and their payloads. Every delivery body is an envelope
 * `{ id, type, createdAt, tenantId, data }`; `id` is stable across retries and redeliveries, so a receiver
 * deduplicates on it.
 */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.created', 'conversation.handed_off', 'conversation.assigned', 'conversation.closed', 'conversation.rated',
  // Human service (modules/service): entered a skill group's queue; passed to another agent or group.
  'conversation.queued', 'conversation.transferred',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

const ConversationRef = z.object({ conversationId: z.string(), botId: z.string(), channel: z.string() });

/** data of each event type. The last three are defined now so integrators can build against them. */
export const WebhookEventData = {
  'conversation.created': ConversationRef.extend({ startedAt: z.string() }),
  'conversation.handed_off': ConversationRef.extend({ reason: z.string().nullable(), at: z.string() }),
  'conversation.assigned': ConversationRef.extend({ agentId: z.string(), queue: z.string().nullable(), at: z.string() }),
  'conversation.closed': ConversationRef.extend({ closedBy: z.enum(['customer', 'agent', 'bot', 'system']), reason: z.string().nullable(), at: z.string() }),
  'conversation.rated': ConversationRef.extend({
    score: z.number().int().min(1).max(5), comment: z.string().nullable(), at: z.string(),
    /** The agent who served (null: the robot alone); `revision` > 1 when the customer changed an earlier rating. */
    agentId: z.string().nullable().optional(), revision: z.number().int().min(1).optional(),
  }),
  'conversation.queued': ConversationRef.extend({ queue: z.string(), priority: z.number().int(), reason: z.string().nullable(), at: z.string() }),
  'conversation.transferred': ConversationRef.extend({ fromAgentId: z.string(), toAgentId: z.string().nullable(), toQueue: z.string().nullable(), at: z.string() }),
} as const satisfies Record<WebhookEventType, z.ZodType>;

export type WebhookEnvelope = { id: string; type: WebhookEventType; createdAt: string; tenantId: string; data: Record<string, unknown> };

/**
 * Domain event (platform/event-bus.ts) -> webhook event. 'conversation.started' and 'conversation.handoff' are
 * emitted by ConversationService today; the other three names are what the agent-desk module is expected to emit
 * (assigned/closed/rated) and are subscribed already, so they flow as soon as someone emits them.
 */
export const DOMAIN_TO_WEBHOOK: Record<string, { type: WebhookEventType; data(e: Record<string, unknown>): Record<string, unknown> }> = {
  'conversation.started': { type: 'conversation.created', data: (e) => ({ ...ref(e), startedAt: String(e.at) }) },
  'conversation.handoff': { type: 'conversation.handed_off', data: (e) => ({ ...ref(e), reason: str(payload(e).reason), at: String(e.at) }) },
  'conversation.assigned': { type: 'conversation.assigned', data: (e) => ({ ...ref(e), agentId: String(payload(e).agentId ?? e.agentId ?? ''), queue: str(payload(e).queue ?? payload(e).group ?? e.queue), at: String(e.at) }) },
  'conversation.queued': { type: 'conversation.queued', data: (e) => ({ ...ref(e), queue: String(payload(e).group ?? ''), priority: Number(payload(e).priority ?? 0), reason: str(payload(e).reason), at: String(e.at) }) },
  'conversation.transferred': {
    type: 'conversation.transferred',
    data: (e) => ({ ...ref(e), fromAgentId: String(payload(e).fromAgentId ?? ''), toAgentId: str(payload(e).toAgentId), toQueue: str(payload(e).toGroup), at: String(e.at) }),
  },
  'conversation.closed': { type: 'conversation.closed', data: (e) => ({ ...ref(e), closedBy: String(payload(e).closedBy ?? payload(e).by ?? e.closedBy ?? 'system'), reason: str(payload(e).reason ?? e.reason), at: String(e.at) }) },
  'conversation.rated': {
    type: 'conversation.rated',
    data: (e) => ({
      ...ref(e), score: Number(payload(e).score ?? e.score), comment: str(payload(e).comment ?? e.comment), at: String(e.at),
      agentId: str(payload(e).agentId), ...(payload(e).revision !== undefined ? { revision: Number(payload(e).revision) } : {}),
    }),
  },
};
const payload = (e: Record<string, unknown>) => (e.payload && typeof e.payload === 'object' ? (e.payload as Record<string, unknown>) : {});
const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
const ref = (e: Record<string, unknown>) => ({ conversationId: String(e.conversationId), botId: String(e.botId), channel: String(e.channel) });

export const SIGNATURE_HEADER = 'x-lingxi-signature';

/**
 * `X-Lingxi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` — Stripe's scheme: the
 * timestamp is inside the signed string, so a captured request cannot be replayed later with a fresh timestamp.
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`;
}

/** What a receiver does (and our tests do): check the signature in constant time and the timestamp's age. */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()]; }));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return safeEqual(hmacSha256Hex(secret, `${t}.${body}`), parts.v1);
}

/** Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"), capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
