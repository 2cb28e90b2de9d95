/**
 * Reconnect delay: exponential growth, capped, with "equal jitter" (half fixed, half random).
 * Jitter matters for a bank: after a deploy or a network blip thousands of open widgets reconnect at once, and
 * without it they all hit the server on the same tick (AWS Architecture Blog, "Exponential Backoff And Jitter").
 * Keeping half the delay fixed means a flapping connection never retries in a tight loop.
 */
export type BackoffOptions = { baseMs: number; capMs: number };

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 400, capMs: 15_000 };

export function backoffDelay(attempt: number, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(Math.max(attempt, 0), 20));
  const half = exp / 2;
  return Math.round(half + random() * half);
}
