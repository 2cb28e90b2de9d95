import type { Coordination } from '../../../platform/coordination.ts';
import { AppError } from '../../../platform/errors.ts';

/** A vendor API failure. `retryable` when trying again may succeed (timeouts, 5xx, rate limits, system busy). */
export class VendorError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly vendorCode?: number) {
    super(message);
    this.name = 'VendorError';
  }
}

export type VendorRequest = { method: 'GET' | 'POST'; url: string; body?: unknown; timeoutMs: number };

/**
 * One JSON request to a vendor API with a hard timeout. Network errors, timeouts and 5xx/429 are retryable
 * VendorErrors; a 2xx with a body that is not JSON is not.
 */
export async function vendorJson<T = Record<string, unknown>>(req: VendorRequest): Promise<T> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
    throw new VendorError(timeout ? `timed out after ${req.timeoutMs} ms` : `request failed: ${e.message}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 500 || res.status === 429) throw new VendorError(`HTTP ${res.status}`, true);
  if (res.status >= 400) throw new VendorError(`HTTP ${res.status}`, false);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new VendorError('response is not JSON', false);
  }
}

export type RetryPolicy = { attempts: number; baseDelayMs: number; maxDelayMs: number };
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000 };

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof VendorError) || !err.retryable || attempt >= policy.attempts) throw err;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}

/**
 * An access token shared by all cluster nodes through the coordination port. Vendors (WeChat, WeCom) invalidate
 * the previous token when a new one is fetched and limit how often one may be fetched, so exactly one node
 * refreshes (a lock) while the others wait for the stored value. The token is kept a margin shorter than its
 * expires_in so that nobody uses one in its last minutes.
 */
export class SharedAccessToken {
  constructor(
    private coordination: Coordination,
    private key: string,
    private fetchToken: () => Promise<{ token: string; expiresInS: number }>,
    private opts: { marginS?: number; waitMs?: number } = {},
  ) {}

  async get(): Promise<string> {
    const cached = await this.coordination.get(this.key);
    if (cached) return cached;
    const deadline = Date.now() + (this.opts.waitMs ?? 10_000);
    for (;;) {
      const release = await this.coordination.tryLock(`${this.key}:refresh`, 15_000);
      if (release) {
        try {
          // Someone may have refreshed between our read and our lock.
          const again = await this.coordination.get(this.key);
          if (again) return again;
          const t = await this.fetchToken();
          const ttlS = Math.max(60, t.expiresInS - (this.opts.marginS ?? 300));
          await this.coordination.set(this.key, t.token, ttlS * 1000);
          return t.token;
        } finally {
          await release();
        }
      }
      await new Promise((r) => setTimeout(r, 50));
      const now = await this.coordination.get(this.key);
      if (now) return now;
      if (Date.now() > deadline) throw new AppError('unavailable', 'access token refresh did not complete in time');
    }
  }

  /** Drops the stored token after the vendor rejected it (expired early, revoked), unless another node replaced it. */
  async invalidate(stale: string): Promise<void> {
    if ((await this.coordination.get(this.key)) === stale) await this.coordination.del(this.key);
  }
}

/**
 * Runs `send` at most once per idempotency key across the cluster: a second call with the same key (a retried job,
 * a webhook retry on another node) returns 'duplicate' without sending. A send that finally fails frees the key so
 * that a later attempt may try again.
 */
export async function sendOnce(coordination: Coordination, key: string, send: () => Promise<void>, ttlMs = 24 * 3600_000): Promise<'sent' | 'duplicate'> {
  const k = `sent:${key}`;
  if (!(await coordination.setIfAbsent(k, 'sending', ttlMs))) return 'duplicate';
  try {
    await send();
  } catch (err) {
    await coordination.del(k);
    throw err;
  }
  await coordination.set(k, 'sent', ttlMs);
  return 'sent';
}

/** Waits for `p` at most `ms`; tells whether it settled in time (its rejection is re-thrown if it did). */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((r) => { timer = setTimeout(() => r({ done: false }), ms); });
  try {
    return await Promise.race([p.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
