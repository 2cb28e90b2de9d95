import pino from 'pino';
import { maskPii } from './pii.ts';

export type Logger = pino.Logger;

/** Masks personal data in every string of a log object (card, phone, ID numbers, e-mail), keys left as they are. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPii(value.message), stack: value.stack && maskPii(value.stack) };
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redactDeep(v, depth + 1);
  return out;
}

// Keys whose values are secrets whatever they look like.
const SECRET_KEYS = /^(password|passwd|secret|token|authorization|cookie|apiKey|api_key|otp|code_hash)$/i;

/**
 * The structured logger. Every line goes through PII redaction, so a customer's card number typed into the chat
 * never reaches a log file in clear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { svc: 'lingxi' },
      formatters: { log: (obj) => redactDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPii(a) : a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
      },
      serializers: {
        req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, url: req.url.split('?')[0], id: req.id }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}
