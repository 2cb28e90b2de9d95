import type { Logger } from '../../../platform/logger.ts';

/** What a webhook handler answers, without Fastify: routes copy it onto the reply. */
export type WebhookResponse = { status: number; contentType: string; body: string };

/**
 * Work that continues after a webhook was answered (a reply sent by API after WeChat's 5 s, a WeCom pull). Errors
 * are logged, never thrown at nobody; idle() lets tests and shutdown wait for it.
 */
export class BackgroundTasks {
  private running = new Set<Promise<void>>();

  constructor(private logger: Logger) {}

  run(what: string, fn: () => Promise<void>): void {
    const p = fn()
      .catch((err) => this.logger.error({ err, what }, 'background channel task failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Resolves when every task started so far (and any they started) has finished. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}
