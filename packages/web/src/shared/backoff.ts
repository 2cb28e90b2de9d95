/**
 * Reconnect delay: exponential, capped, with "equal jitter" (half fixed, half random) — the widget's rule
 * (packages/widget/src/backoff.ts): after a deploy every open workbench reconnects, and jitter spreads them out.
 */
export type BackoffOptions = { baseMs: number; capMs: number };

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 20_000 };

export function backoffDelay(attempt: number, random: () => number = Math.random, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(Math.max(attempt, 0), 20));
  const half = exp / 2;
  return Math.round(half + random() * half);
}
