import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { VendorError, withRetry, type RetryPolicy } from '../channels/core/vendor-http.ts';
import type { SmsProvider, SmsSendRequest } from './sms-provider.ts';

/**
 * A generic HTTP SMS gateway, configured rather than coded, because Chinese SMS gateways (and banks' own SMS
 * platforms) differ only in field names and in how they sign. Field values are templates with placeholders:
 *   {{to}} {{text}} {{timestamp}} (unix s) {{timestampMs}} {{nonce}} {{idempotencyKey}} {{signName}} {{appKey}} {{sign}}
 * The idempotency key goes in every attempt (header and/or a field such as `outId`/`extend`), so a gateway that
 * deduplicates never sends a retried request twice.
 */
export const HttpSmsSettings = z.object({
  url: z.string().url(),
  method: z.enum(['POST', 'GET']).default('POST'),
  /** Request body encoding for POST; GET sends the params in the query string. */
  format: z.enum(['json', 'form']).default('json'),
  headers: z.record(z.string(), z.string().max(1000)).default({}),
  params: z.record(z.string(), z.string().max(2000)).default({ to: '{{to}}', text: '{{text}}' }),
  signature: z.object({
    algorithm: z.enum(['md5', 'sha256', 'hmac-sha256']),
    /**
     * 'sorted-params': the non-empty params other than the signature itself, sorted by name (ASCII), joined as
     * k1=v1&k2=v2, then `&<secretParam>=<secret>` appended (md5/sha256) or the secret used as the HMAC key — the
     * scheme of WeChat Pay v2 and most domestic SMS gateways. 'template': the rendered `template` ({{secret}} allowed).
     */
    over: z.enum(['sorted-params', 'template']).default('sorted-params'),
    template: z.string().max(1000).optional(),
    secretParam: z.string().max(40).default('key'),
    /** Append `&<secretParam>=<secret>` to the sorted string; default yes for md5/sha256, no for hmac (WeChat Pay's HMAC mode appends it too). */
    appendSecret: z.boolean().optional(),
    uppercase: z.boolean().default(true),
  }).optional(),
  idempotencyHeader: z.string().max(60).nullable().default('Idempotency-Key'),
  /** Dot path into the JSON response and the value meaning success, e.g. {field: "code", equals: "0"}; absent: any 2xx. */
  success: z.object({ field: z.string().max(100), equals: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
  providerIdField: z.string().max(100).optional(),
  messageField: z.string().max(100).optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** Attempts in all (1 = no retry). Only timeouts, network errors, 429 and 5xx are retried. */
  attempts: z.number().int().min(1).max(6).default(3),
  retryBaseMs: z.number().int().min(0).max(10_000).default(300),
  /** The carrier-registered signature, e.g. 【灵犀银行】, for gateways that take it as a field. */
  signName: z.string().max(30).optional(),
  appKey: z.string().max(200).optional(),
});
export type HttpSmsSettings = z.infer<typeof HttpSmsSettings>;

export type BuiltRequest = { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;
export const renderTemplate = (t: string, vars: Record<string, string>) => t.replace(PLACEHOLDER, (_m, k: string) => vars[k] ?? '');

/** The signature over a set of params, per the configured scheme (pure; tested against published vectors). */
export function signParams(sig: NonNullable<HttpSmsSettings['signature']>, params: Record<string, string>, secret: string, vars: Record<string, string> = {}): string {
  let base: string;
  if (sig.over === 'template') {
    base = renderTemplate(sig.template ?? '', { ...vars, secret });
  } else {
    base = Object.keys(params).filter((k) => params[k] !== '').sort().map((k) => `${k}=${params[k]}`).join('&');
    if (sig.appendSecret ?? sig.algorithm !== 'hmac-sha256') base += `&${sig.secretParam}=${secret}`;
  }
  const hex = sig.algorithm === 'hmac-sha256'
    ? createHmac('sha256', secret).update(base, 'utf8').digest('hex')
    : createHash(sig.algorithm).update(base, 'utf8').digest('hex');
  return sig.uppercase ? hex.toUpperCase() : hex;
}

/** Builds one attempt's HTTP request (fresh timestamp and nonce, same idempotency key). */
export function buildSmsRequest(s: HttpSmsSettings, secret: string | undefined, req: SmsSendRequest, now: Date, nonce = randomBytes(8).toString('hex')): BuiltRequest {
  const vars: Record<string, string> = {
    to: req.to, text: req.text, idempotencyKey: req.idempotencyKey, nonce,
    timestamp: String(Math.floor(now.getTime() / 1000)), timestampMs: String(now.getTime()),
    signName: s.signName ?? '', appKey: s.appKey ?? '',
  };
  const usesSign = (v: string) => /\{\{\s*sign\s*\}\}/.test(v);
  const unsigned: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.params)) if (!usesSign(v)) unsigned[k] = renderTemplate(v, vars);
  if (s.signature) {
    if (!secret) throw new VendorError('the SMS gateway signs requests but no secret is configured', false);
    vars.sign = signParams(s.signature, unsigned, secret, vars);
  }
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.params)) params[k] = unsigned[k] ?? renderTemplate(v, vars);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers)) headers[k.toLowerCase()] = renderTemplate(v, vars);
  if (s.idempotencyHeader) headers[s.idempotencyHeader.toLowerCase()] = req.idempotencyKey;
  if (s.method === 'GET') {
    const u = new URL(s.url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return { url: u.toString(), method: 'GET', headers };
  }
  if (s.format === 'form') {
    headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    return { url: s.url, method: 'POST', headers, body: new URLSearchParams(params).toString() };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { url: s.url, method: 'POST', headers, body: JSON.stringify(params) };
}

export const getPath = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** Reads the gateway's answer: success per the mapping, and its message id. */
export function interpretSmsResponse(s: HttpSmsSettings, status: number, text: string, fallbackId: string): { providerId: string } {
  if (status === 429 || status >= 500) throw new VendorError(`SMS gateway HTTP ${status}`, true);
  if (status >= 400) throw new VendorError(`SMS gateway HTTP ${status}`, false);
  let body: unknown = undefined;
  try { body = JSON.parse(text); } catch { /* not JSON: only acceptable when no mapping is configured */ }
  if (s.success) {
    if (body === undefined) throw new VendorError('SMS gateway answered with something other than JSON', false);
    const got = getPath(body, s.success.field);
    if (String(got) !== String(s.success.equals)) {
      const msg = s.messageField ? getPath(body, s.messageField) : undefined;
      throw new VendorError(`SMS gateway refused: ${s.success.field}=${String(got)}${msg ? ` (${String(msg).slice(0, 200)})` : ''}`, false);
    }
  }
  const id = s.providerIdField ? getPath(body, s.providerIdField) : undefined;
  return { providerId: id === undefined || id === null || id === '' ? fallbackId : String(id) };
}

export class HttpSmsProvider implements SmsProvider {
  readonly kind = 'http';
  constructor(private s: HttpSmsSettings, private secret: string | undefined, private clock: { now(): Date } = { now: () => new Date() }) {}

  async send(req: SmsSendRequest): Promise<{ providerId: string }> {
    const policy: RetryPolicy = { attempts: this.s.attempts, baseDelayMs: this.s.retryBaseMs, maxDelayMs: Math.max(this.s.retryBaseMs, this.s.retryBaseMs * 8) };
    return withRetry(async () => {
      const r = buildSmsRequest(this.s, this.secret, req, this.clock.now());
      let res: Response;
      try {
        res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(this.s.timeoutMs), redirect: 'error' });
      } catch (err) {
        const e = err as Error;
        // A timeout is ambiguous (the gateway may have sent it): retry with the same idempotency key.
        throw new VendorError(e.name === 'TimeoutError' ? `SMS gateway timed out after ${this.s.timeoutMs} ms` : `SMS gateway unreachable: ${e.message}`, true);
      }
      return interpretSmsResponse(this.s, res.status, await res.text().catch(() => ''), req.idempotencyKey);
    }, policy);
  }
}
