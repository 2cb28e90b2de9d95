import type { Clock } from '../../platform/clock.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import type { Logger } from '../../platform/logger.ts';
import { backoffMs, signWebhook } from './events.ts';
import { assertResolvesPublic } from './url-guard.ts';
import type { ClaimedDelivery, WebhookRepository } from './webhook-repository.ts';

export type DispatcherOptions = {
  /** How often the poller looks for due deliveries. */
  pollMs?: number;
  batch?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  allowPrivateNetworks?: boolean;
};

const USER_AGENT = 'Lingxi-Webhooks/1.0';

/**
 * Sends due webhook deliveries. Every node may run one: claims are exclusive (see PgWebhookRepository.claimDue),
 * so a delivery is in flight on at most one node. A 2xx within the timeout is success; anything else is retried
 * with exponential backoff until maxAttempts, then the delivery is marked failed (an admin can redeliver it).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private o: Required<DispatcherOptions>;

  constructor(private d: { repo: WebhookRepository; cipher: FieldCipher; clock: Clock; logger: Logger; fetch?: typeof fetch }, opts: DispatcherOptions = {}) {
    this.o = {
      pollMs: opts.pollMs ?? 1000, batch: opts.batch ?? 20, timeoutMs: opts.timeoutMs ?? 10_000, maxAttempts: opts.maxAttempts ?? 10,
      baseBackoffMs: opts.baseBackoffMs ?? 30_000, maxBackoffMs: opts.maxBackoffMs ?? 6 * 3600_000, allowPrivateNetworks: opts.allowPrivateNetworks ?? false,
    };
  }

  start() {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce().then(() => undefined, (err) => this.d.logger.error({ err }, 'webhook dispatch failed'))
        .finally(() => { if (!this.stopped) this.timer = setTimeout(tick, this.o.pollMs); });
    };
    this.timer = setTimeout(tick, this.o.pollMs);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: claim due deliveries and send them concurrently. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    // The lease outlives the request timeout, so a slow receiver is never sent the same delivery twice at once.
    const claimed = await this.d.repo.claimDue(this.o.batch, this.o.timeoutMs * 2 + 5000);
    await Promise.all(claimed.map((c) => this.deliver(c)));
    return claimed.length;
  }

  private async deliver(c: ClaimedDelivery) {
    const body = JSON.stringify(c.payload);
    const t = Math.floor(this.d.clock.now().getTime() / 1000);
    let status: number | null = null;
    let error = '';
    try {
      const url = new URL(c.url);
      await assertResolvesPublic(url, this.o.allowPrivateNetworks);
      const res = await (this.d.fetch ?? fetch)(url, {
        method: 'POST',
        redirect: 'manual', // a redirect could lead to an address the URL guard would refuse
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-lingxi-event': c.eventType,
          'x-lingxi-event-id': c.eventId,
          'x-lingxi-delivery': c.id,
          'x-lingxi-signature': signWebhook(this.d.cipher.decrypt(c.secretEnc), body, t),
        },
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return await this.d.repo.markSucceeded(c.tenantId, c.id, res.status);
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `timeout after ${this.o.timeoutMs} ms` : (err as Error).message;
    }
    const giveUp = c.attempts >= this.o.maxAttempts;
    const next = giveUp ? null : new Date(this.d.clock.now().getTime() + backoffMs(c.attempts, this.o.baseBackoffMs, this.o.maxBackoffMs));
    this.d.logger.warn({ delivery: c.id, attempt: c.attempts, status, error, giveUp }, 'webhook delivery failed');
    await this.d.repo.markFailedAttempt(c.tenantId, c.id, { status, error, nextAttemptAt: next });
  }
}
