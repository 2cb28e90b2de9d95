/**
 * Deduplicates server frames by their per-session `seq` and knows which seq to resume from.
 *
 * The watermark is the highest seq such that every seq up to it has been seen; that is what `hello.lastSeq` sends,
 * so a frame that arrived out of order (a live frame racing a replay) is never skipped on the next reconnect —
 * at worst it is replayed and dropped here as a duplicate.
 */
export class SeqTracker {
  private mark: number;
  private readonly ahead = new Set<number>();

  constructor(start = 0, private readonly maxGap = 64) {
    this.mark = start;
  }

  get watermark(): number {
    return this.mark;
  }

  /** True when the frame is new and should be shown; false for a duplicate. */
  accept(seq: number): boolean {
    if (!Number.isInteger(seq) || seq <= this.mark || this.ahead.has(seq)) return false;
    this.ahead.add(seq);
    while (this.ahead.delete(this.mark + 1)) this.mark += 1;
    // The contract promises a monotonic seq, not a gap-free one. If the server ever skips numbers, don't let the
    // watermark stall forever (every reconnect would replay a growing tail): after enough frames, move past the hole.
    if (this.ahead.size > this.maxGap) {
      this.mark = Math.max(...this.ahead);
      this.ahead.clear();
    }
    return true;
  }

  reset(start = 0): void {
    this.mark = start;
    this.ahead.clear();
  }
}
