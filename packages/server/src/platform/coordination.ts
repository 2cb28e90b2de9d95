/**
 * The coordination port: everything that must be shared between server nodes — pub/sub, locks, short-lived keys,
 * presence and priority queues. In-memory adapter for one process (embedded default), Redis adapter for a cluster.
 * Payloads are JSON-serialisable values.
 */
export type Unsubscribe = () => Promise<void>;
export type Release = () => Promise<void>;

export type Coordination = {
  readonly kind: 'memory' | 'redis';
  publish(channel: string, message: unknown): Promise<void>;
  /** Handler is called for every message published on channel by any node, this one included. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /** Mutual exclusion across nodes; null when another holder has it. The lock expires after ttlMs if not released. */
  tryLock(key: string, ttlMs: number): Promise<Release | null>;
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip (Redis MGET), in the order asked; null for absent or expired ones. */
  getMany(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when absent; true when this call set it (dedupe of webhook retries, idempotency keys). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  incr(key: string, ttlMs?: number): Promise<number>;
  /** Presence: a member is present while it keeps heartbeating within ttlMs. */
  heartbeat(set: string, member: string, ttlMs: number): Promise<void>;
  members(set: string): Promise<string[]>;
  leave(set: string, member: string): Promise<void>;
  /** Priority queue: higher priority first, FIFO within a priority. An item is in a queue at most once. */
  enqueue(queue: string, item: string, priority: number): Promise<void>;
  /** Atomically removes and returns the head, or null. Two nodes never get the same item. */
  dequeue(queue: string): Promise<string | null>;
  removeFromQueue(queue: string, item: string): Promise<boolean>;
  queueItems(queue: string): Promise<string[]>;
  close(): Promise<void>;
};

type Entry = { value: string; expiresAt: number };

/** Single-process adapter. Same semantics as Redis, so services are written once. */
export class InMemoryCoordination implements Coordination {
  readonly kind = 'memory' as const;
  private subs = new Map<string, Set<(m: unknown) => void>>();
  private kv = new Map<string, Entry>();
  private presence = new Map<string, Map<string, number>>();
  private queues = new Map<string, { item: string; priority: number; order: number }[]>();
  private order = 0;

  async publish(channel: string, message: unknown): Promise<void> {
    const handlers = this.subs.get(channel);
    if (!handlers) return;
    // Round-trip through JSON so in-memory behaves like Redis (no shared object references between publisher and subscribers).
    const copy = JSON.parse(JSON.stringify(message ?? null));
    for (const h of [...handlers]) queueMicrotask(() => h(copy));
  }

  async subscribe(channel: string, handler: (m: unknown) => void): Promise<Unsubscribe> {
    let set = this.subs.get(channel);
    if (!set) this.subs.set(channel, (set = new Set()));
    set.add(handler);
    return async () => {
      set!.delete(handler);
      if (set!.size === 0) this.subs.delete(channel);
    };
  }

  private live(key: string): Entry | undefined {
    const e = this.kv.get(key);
    if (e && e.expiresAt <= Date.now()) {
      this.kv.delete(key);
      return undefined;
    }
    return e;
  }

  async tryLock(key: string, ttlMs: number): Promise<Release | null> {
    const token = `${Math.random()}`;
    if (!(await this.setIfAbsent(`lock:${key}`, token, ttlMs))) return null;
    return async () => {
      if (this.live(`lock:${key}`)?.value === token) this.kv.delete(`lock:${key}`);
    };
  }
  async get(key: string) { return this.live(key)?.value ?? null; }
  async getMany(keys: string[]) { return keys.map((k) => this.live(k)?.value ?? null); }
  async set(key: string, value: string, ttlMs?: number) {
    this.kv.set(key, { value, expiresAt: ttlMs ? Date.now() + ttlMs : Infinity });
  }
  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.live(key)) return false;
    this.kv.set(key, { value, expiresAt: Date.now() + ttlMs });
    return true;
  }
  async del(key: string) { this.kv.delete(key); }
  async incr(key: string, ttlMs?: number) {
    const e = this.live(key);
    const n = (e ? Number(e.value) : 0) + 1;
    this.kv.set(key, { value: String(n), expiresAt: e ? e.expiresAt : ttlMs ? Date.now() + ttlMs : Infinity });
    return n;
  }
  async heartbeat(set: string, member: string, ttlMs: number) {
    let m = this.presence.get(set);
    if (!m) this.presence.set(set, (m = new Map()));
    m.set(member, Date.now() + ttlMs);
  }
  async members(set: string) {
    const m = this.presence.get(set);
    if (!m) return [];
    const now = Date.now();
    for (const [k, exp] of m) if (exp <= now) m.delete(k);
    return [...m.keys()];
  }
  async leave(set: string, member: string) { this.presence.get(set)?.delete(member); }
  async enqueue(queue: string, item: string, priority: number) {
    let q = this.queues.get(queue);
    if (!q) this.queues.set(queue, (q = []));
    if (q.some((x) => x.item === item)) return;
    q.push({ item, priority, order: this.order++ });
    q.sort((a, b) => b.priority - a.priority || a.order - b.order);
  }
  async dequeue(queue: string) { return this.queues.get(queue)?.shift()?.item ?? null; }
  async removeFromQueue(queue: string, item: string) {
    const q = this.queues.get(queue);
    const i = q ? q.findIndex((x) => x.item === item) : -1;
    if (i < 0) return false;
    q!.splice(i, 1);
    return true;
  }
  async queueItems(queue: string) { return (this.queues.get(queue) ?? []).map((x) => x.item); }
  async close() {
    this.subs.clear();
  }
}
