import { z } from 'zod';
import { hmacSha256Hex, safeEqual } from '../../../platform/crypto.ts';
import { signParams } from '../../messaging/http-sms-provider.ts';

/** How a tenant's SMS gateway pushes customer replies (上行短信) to us: field names and how it signs. */
export const SmsInboundSettings = z.object({
  fields: z.object({
    from: z.string().max(40).default('mobile'),
    text: z.string().max(40).default('content'),
    id: z.string().max(40).default('msgId'),
  }).default({ from: 'mobile', text: 'content', id: 'msgId' }),
  /**
   * 'hmac-body': hex HMAC-SHA256 of the raw body with the inbound secret, in `header`.
   * 'params': a `sign` field over the other fields, same scheme as the outbound gateway (sorted k=v&key=secret, MD5…).
   */
  signature: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('hmac-body'), header: z.string().max(60).default('x-signature') }),
    z.object({ mode: z.literal('params'), field: z.string().max(40).default('sign'), algorithm: z.enum(['md5', 'sha256', 'hmac-sha256']).default('md5'), secretParam: z.string().max(40).default('key'), uppercase: z.boolean().default(true) }),
  ]).default({ mode: 'hmac-body', header: 'x-signature' }),
});
export type SmsInboundSettings = z.infer<typeof SmsInboundSettings>;

export type InboundSms = { id: string; from: string; text: string };

/** Flattens a JSON object or a form body into string fields (gateways send one or the other). */
export function fieldsOf(contentType: string, raw: string): Record<string, string> | null {
  if (/application\/x-www-form-urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(raw));
  try {
    const o = JSON.parse(raw);
    if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && typeof v !== 'object').map(([k, v]) => [k, String(v)]));
  } catch {
    return null;
  }
}

/** Verifies the gateway's signature in constant time. */
export function verifyInboundSms(s: SmsInboundSettings, secret: string, raw: string, fields: Record<string, string>, headers: Record<string, string | string[] | undefined>): boolean {
  if (s.signature.mode === 'hmac-body') {
    const got = headers[s.signature.header.toLowerCase()];
    return typeof got === 'string' && safeEqual(hmacSha256Hex(secret, raw), got.trim().toLowerCase());
  }
  const got = fields[s.signature.field];
  if (!got) return false;
  const { [s.signature.field]: _omit, ...rest } = fields;
  const expected = signParams({ algorithm: s.signature.algorithm, over: 'sorted-params', secretParam: s.signature.secretParam, uppercase: s.signature.uppercase }, rest, secret);
  return safeEqual(expected, got);
}

export function parseInboundSms(s: SmsInboundSettings, fields: Record<string, string>): InboundSms | null {
  const from = fields[s.fields.from]?.trim();
  const text = fields[s.fields.text];
  const id = fields[s.fields.id]?.trim();
  if (!from || !/^\+?\d{5,20}$/.test(from) || text === undefined || !id) return null;
  return { id: id.slice(0, 64), from, text };
}

// Carrier rules (工信部《通信短信息服务管理规定》 art. 18 and the carriers' marketing-SMS rules) require honouring
// a reply of 退订/TD; T, STOP and UNSUBSCRIBE are the international conventions (CTIA). Matched on the whole message.
const UNSUBSCRIBE = new Set(['退订', 'td', 't', 'n', '取消订阅', '取消', 'stop', 'unsubscribe', '退订短信']);
const RESUBSCRIBE = new Set(['订阅', '重新订阅', 'start', 'subscribe', 'unstop']);
// Replies that are not a person writing: handset auto-replies, out-of-office notices, delivery receipts. Answering
// them would start a loop between two machines.
const AUTO_REPLY = [/自动回复/, /auto[- ]?repl/i, /out of (the )?office/i, /^\s*\[?(自动|auto)/i, /DELIVRD|UNDELIV|状态报告|已送达|短信已(读|送达)/i, /此(号码|用户).*(空号|停机|关机)/];

export type InboundKind = 'unsubscribe' | 'resubscribe' | 'auto_reply' | 'message';
export function classifyInboundSms(text: string): InboundKind {
  const t = text.trim().replace(/[。.!！]+$/, '').toLowerCase();
  if (UNSUBSCRIBE.has(t)) return 'unsubscribe';
  if (RESUBSCRIBE.has(t)) return 'resubscribe';
  if (AUTO_REPLY.some((re) => re.test(text))) return 'auto_reply';
  return 'message';
}
