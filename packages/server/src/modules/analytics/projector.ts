import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsRepository } from './analytics-repository.ts';

export type ProjectorOptions = {
  /** Events per transaction. */
  batchSize: number;
  /** Conversations touched this long before the checkpoint are re-read (appends that committed late). */
  overlapMs: number;
  /** A pass starts this long after the last conversation event seen on this node's bus. */
  debounceMs: number;
  /** And at least this often (events written by other nodes, SLA due times passing). 0: never (tests). */
  intervalMs: number;
  /** The cluster lock's lifetime; the checkpoint's row lock keeps passes ordered even beyond it. */
  lockTtlMs: number;
};

export const DEFAULT_PROJECTOR_OPTIONS: ProjectorOptions = { batchSize: 20_000, overlapMs: 60_000, debounceMs: 1_000, intervalMs: 30_000, lockTtlMs: 120_000 };

export type PassResult = { events: number; conversations: number; days: number; slaDays: number; ms: number };

/**
 * Folds the conversation log into the analytics tables (a listener, never called from message handling). A pass
 * runs under a cluster lock, so one node projects at a time; each batch recomputes whole conversations from their
 * logs and moves the checkpoint in the same transaction, so a crash, a restart or a second pass never counts twice.
 */
export class AnalyticsProjector {
  private timer?: ReturnType<typeof setTimeout>;
  private interval?: ReturnType<typeof setInterval>;
  private off?: () => void;
  private running: Promise<PassResult | null> | null = null;
  private stopped = false;

  constructor(private d: { repo: AnalyticsRepository; coordination: Coordination; clock: Clock; logger: Logger; options?: Partial<ProjectorOptions> }) {}

  private get o(): ProjectorOptions {
    return { ...DEFAULT_PROJECTOR_OPTIONS, ...this.d.options };
  }

  /** Debounced passes after conversation events on this node's bus, and a pass every intervalMs. */
  start(bus: EventBus) {
    this.stopped = false;
    this.off = bus.on('*', (e) => {
      if (typeof e.conversationId === 'string') this.schedule();
    });
    if (this.o.intervalMs > 0) {
      this.interval = setInterval(() => this.schedule(0), this.o.intervalMs);
      this.interval.unref?.();
    }
    this.schedule(0);
  }

  async stop() {
    this.stopped = true;
    this.off?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.interval) clearInterval(this.interval);
    await this.running?.catch(() => null);
  }

  private schedule(ms = this.o.debounceMs) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runOnce().catch((err) => this.d.logger.error({ err }, 'analytics projection failed'));
    }, ms);
    this.timer.unref?.();
  }

  /**
   * One pass until caught up (null when another node holds the lock). A call during a pass on this node waits for it
   * and then runs its own, so events appended before the call are projected when the returned promise resolves.
   */
  async runOnce(): Promise<PassResult | null> {
    while (this.running) await this.running.catch(() => null);
    const p = this.pass();
    this.running = p;
    try {
      return await p;
    } finally {
      if (this.running === p) this.running = null;
    }
  }

  private async pass(): Promise<PassResult | null> {
    const release = await this.d.coordination.tryLock('analytics:projector', this.o.lockTtlMs);
    if (!release) return null;
    const t0 = Date.now();
    try {
      let events = 0;
      let conversations = 0;
      let days = 0;
      for (;;) {
        const b = await this.d.repo.projectBatch(this.o.batchSize, this.o.overlapMs);
        events += b.events;
        conversations += b.conversations;
        // Rollups every few batches during a long catch-up, so the dashboards fill in as it goes.
        if (b.caughtUp || events % (this.o.batchSize * 10) === 0) days += await this.d.repo.refreshDirtyDays();
        if (b.caughtUp || this.stopped) break;
      }
      days += await this.d.repo.refreshDirtyDays();
      const slaDays = await this.d.repo.projectWorkOrders(this.d.clock.now(), this.o.overlapMs);
      const r = { events, conversations, days, slaDays, ms: Date.now() - t0 };
      if (events > 1000) this.d.logger.info(r, 'analytics projection caught up');
      return r;
    } finally {
      await release();
    }
  }
}
