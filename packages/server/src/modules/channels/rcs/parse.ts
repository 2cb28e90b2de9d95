import { safeEqual } from '../../../platform/crypto.ts';
import { CT } from './render.ts';

/**
 * Normalizes what a MaaP platform posts to a chatbot into one shape. Three dialects are accepted:
 * 1. Chinese CSP: `{messageId, senderAddress: "tel:+86…", conversationId, contributionId, messageList: [{contentType, contentText}]}`
 *    (easydoc CSP format; a tapped suggestion arrives as application/vnd.gsma.botsuggestion.response.v1.0+json).
 * 2. MaaP notification (Huawei 5G message / China Mobile openchatbot v2): `{inboundMessage: {messageId, senderAddress,
 *    contentType, bodyText}}` and status reports `{deliveryInfo: {address, messageId, deliveryStatus, description}}`
 *    (support.huaweicloud.com/api-messageover5g, DeliveryInfoNotification).
 * 3. GSMA MaaP chatbot API (FNW.11): `{event: "message"|"response"|"messageStatus", messageContact: {userContact},
 *    RCSMessage: {msgId, textMessage | suggestedResponse: {response: {reply: {displayText, postback: {data}}}}, status}}`.
 */
export type RcsInbound =
  | { kind: 'text'; id: string; from: string; text: string }
  | { kind: 'postback'; id: string; from: string; data: string; displayText?: string }
  | { kind: 'status'; messageId: string; to: string; status: string; description?: string }
  | { kind: 'unsupported'; id: string; from: string; contentType: string };

/** "tel:+8613800138000" / "sip:+86…@…" / "+86…" -> "13800138000" (mainland numbers lose +86, as contacts store them). */
export function msisdnOf(address: string): string {
  const m = /(?:tel:|sip:)?\+?([0-9]{5,20})/.exec(address.trim());
  if (!m) return '';
  return m[1].replace(/^86(?=1\d{10}$)/, '');
}

function suggestionResponse(v: unknown): { data: string; displayText?: string } | null {
  let o = v;
  if (typeof o === 'string') { try { o = JSON.parse(o); } catch { return null; } }
  const reply = (o as { response?: { reply?: { displayText?: string; postback?: { data?: unknown } } } })?.response?.reply;
  const data = reply?.postback?.data;
  return typeof data === 'string' || typeof data === 'number' ? { data: String(data), displayText: reply?.displayText } : null;
}

const part = (id: string, from: string, contentType: string, content: unknown): RcsInbound => {
  if (contentType.startsWith(CT.text) && typeof content === 'string') {
    // A "geo:" text is a shared location (fallback format), not a question.
    if (/^geo:/i.test(content)) return { kind: 'unsupported', id, from, contentType: 'geo' };
    return { kind: 'text', id, from, text: content };
  }
  if (contentType.startsWith(CT.suggestionResponse)) {
    const r = suggestionResponse(content);
    if (r) return { kind: 'postback', id, from, ...r };
  }
  return { kind: 'unsupported', id, from, contentType };
};

export function parseRcsInbound(body: unknown): RcsInbound | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, any>;
  if (b.deliveryInfo && typeof b.deliveryInfo === 'object') {
    const d = b.deliveryInfo;
    if (typeof d.messageId !== 'string' || typeof d.deliveryStatus !== 'string') return null;
    return { kind: 'status', messageId: d.messageId, to: msisdnOf(String(d.address ?? '')), status: d.deliveryStatus, description: d.description ? String(d.description) : undefined };
  }
  if (b.inboundMessage && typeof b.inboundMessage === 'object') {
    const m = b.inboundMessage;
    const from = msisdnOf(String(m.senderAddress ?? ''));
    if (!from || typeof m.messageId !== 'string') return null;
    return part(m.messageId, from, String(m.contentType ?? ''), m.bodyText);
  }
  if (Array.isArray(b.messageList)) {
    const from = msisdnOf(String(b.senderAddress ?? ''));
    const id = String(b.messageId ?? b.contributionId ?? '');
    if (!from || !id) return null;
    const first = b.messageList.find((p: unknown) => p && typeof p === 'object') as { contentType?: string; contentText?: unknown } | undefined;
    if (!first) return null;
    return part(id, from, String(first.contentType ?? ''), first.contentText);
  }
  if (typeof b.event === 'string' && b.RCSMessage && typeof b.RCSMessage === 'object') {
    const from = msisdnOf(String(b.messageContact?.userContact ?? ''));
    const msg = b.RCSMessage;
    const id = String(msg.msgId ?? '');
    if (b.event === 'messageStatus') return id ? { kind: 'status', messageId: id, to: from, status: String(msg.status ?? '') } : null;
    if (!from || !id) return null;
    if (typeof msg.textMessage === 'string') return { kind: 'text', id, from, text: msg.textMessage };
    const r = suggestionResponse(msg.suggestedResponse);
    if (r) return { kind: 'postback', id, from, ...r };
    return { kind: 'unsupported', id, from, contentType: Object.keys(msg).join(',') };
  }
  return null;
}

/**
 * The MaaP platform authenticates its notifications with `Authorization: Username="<chatbot account>",Password="<…>"`
 * (China Mobile / Huawei openchatbot v2 notification samples), or with a bearer token on FNW.11 platforms.
 * Both compared in constant time.
 */
export function verifyRcsAuth(header: string | undefined, expected: { mode: 'password'; username: string; password: string } | { mode: 'bearer'; token: string }): boolean {
  if (!header) return false;
  if (expected.mode === 'bearer') return header.startsWith('Bearer ') && safeEqual(header.slice(7).trim(), expected.token);
  const u = /Username="([^"]*)"/.exec(header)?.[1];
  const p = /Password="([^"]*)"/.exec(header)?.[1];
  if (u === undefined || p === undefined) return false;
  // Both compared, whatever the first result, so timing does not tell which one was wrong.
  const okU = safeEqual(u, expected.username);
  const okP = safeEqual(p, expected.password);
  return okU && okP;
}

/** Status reports that mean the message will not reach the terminal as a 5G message and the network did not fall back. */
export const UNDELIVERABLE = new Set(['DeliveryImpossible', 'DeliveredToSMSFailed', 'DeliverdToSMSFailed', 'failed', 'FAILED']);
