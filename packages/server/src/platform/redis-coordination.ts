import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Coordination, Release, Unsubscribe } from './coordination.ts';

export type RedisCoordinationOptions = {
  /**
   * Prepended to every key and channel. Default `lingxi:`. Tests pass `lingxi:test:<random>:` so they can run beside a
   * live installation on the same Redis and clean up only what they made.
   */
  prefix?: string;
  /** Where a subscriber's exception goes; it must not break delivery to the other handlers or the connection. */
  onHandlerError?: (err: unknown, channel: string) => void;
  /** Give up connecting at start-up after this long, so a wrong REDIS_URL fails fast instead of hanging. */
  connectTimeoutMs?: number;
};

/*
 * Lua scripts run atomically on the server, which is what makes these operations safe across nodes. They take "now"
 * from the Redis server's TIME, not from the caller, so nodes with skewed clocks still agree on presence expiry.
 */

// Release a lock only if we still hold it: after our TTL lapsed another node may own the key (the Redlock pattern).
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// The TTL applies from the first increment only; later increments keep the window (login throttling, rate limits).
const INCR_TTL = `
local existed = redis.call('EXISTS', KEYS[1])
local n = redis.call('INCR', KEYS[1])
if existed == 0 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

const NOW_MS = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Members are scored by their expiry time. Expired ones are pruned on write, and the key itself expires when its
// last member would, so an abandoned set does not stay in Redis forever.
const HEARTBEAT = `${NOW_MS}
local exp = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], string.format('%d', exp), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1`;

const MEMBERS = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', now), '+inf')`;

// Score = -priority * 1e13 + arrival order: ascending score is higher priority first, FIFO within a priority, so
// ZPOPMIN is the whole dequeue. The order counter lives in Redis so that arrivals from all nodes share one sequence.
// %.17g keeps every digit of the double (Lua's default tostring rounds to 14 significant digits).
const ENQUEUE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local order = redis.call('INCR', KEYS[2])
local score = -tonumber(ARGV[2]) * 1e13 + order
redis.call('ZADD', KEYS[1], 'NX', string.format('%.17g', score), ARGV[1])
return 1`;

type Scripts = {
  lxRelease(key: string, token: string): Promise<number>;
  lxIncr(key: string, ttlMs: number): Promise<number>;
  lxHeartbeat(key: string, member: string, ttlMs: number): Promise<number>;
  lxMembers(key: string): Promise<string[]>;
  lxEnqueue(queue: string, seq: string, item: string, priority: number): Promise<number>;
};
type Client = Redis & Scripts;

/**
 * Redis adapter of the coordination port, for a cluster of stateless nodes (REDIS_URL). Same semantics as
 * InMemoryCoordination; one connection for commands and a second one for subscriptions, because a Redis connection
 * in subscribe mode accepts no other commands.
 */
export class RedisCoordination implements Coordination {
  readonly kind = 'redis' as const;
  private readonly handlers = new Map<string, Set<(m: unknown) => void>>();
  /** SUBSCRIBE in flight per channel, so a second subscriber to the same channel waits for the same confirmation. */
  private readonly subscribing = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly cmd: Client,
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly onHandlerError: (err: unknown, channel: string) => void,
  ) {
    sub.on('message', (channel: string, raw: string) => this.deliver(channel, raw));
  }

  static async connect(url: string, options: RedisCoordinationOptions = {}): Promise<RedisCoordination> {
    const prefix = options.prefix ?? 'lingxi:';
    const common = {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // Batches commands issued in the same tick into one round-trip: the chat path does several per turn.
      enableAutoPipelining: true,
    };
    const cmd = new Redis(url, { ...common, connectionName: 'lingxi-cmd' }) as Client;
    const sub = new Redis(url, { ...common, connectionName: 'lingxi-sub' });
    // ioredis emits 'error' on every failed reconnect; without a listener Node would crash the process.
    // Reconnection and resubscription are automatic; commands queue meanwhile.
    cmd.on('error', () => {});
    sub.on('error', () => {});
    cmd.defineCommand('lxRelease', { numberOfKeys: 1, lua: RELEASE });
    cmd.defineCommand('lxIncr', { numberOfKeys: 1, lua: INCR_TTL });
    cmd.defineCommand('lxHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
    cmd.defineCommand('lxMembers', { numberOfKeys: 1, lua: MEMBERS });
    cmd.defineCommand('lxEnqueue', { numberOfKeys: 2, lua: ENQUEUE });
    try {
      await Promise.all([cmd.connect(), sub.connect()]);
    } catch (err) {
      cmd.disconnect();
      sub.disconnect();
      throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${(err as Error).message}`);
    }
    const onHandlerError = options.onHandlerError ?? ((err, channel) => console.error(`coordination: handler for ${channel} failed`, err));
    return new RedisCoordination(cmd, sub, prefix, onHandlerError);
  }

  private kv(key: string) { return `${this.prefix}kv:${key}`; }
  private channel(name: string) { return `${this.prefix}ch:${name}`; }
  private presence(set: string) { return `${this.prefix}presence:${set}`; }
  private queue(name: string) { return `${this.prefix}q:${name}`; }
  private queueSeq(name: string) { return `${this.prefix}qseq:${name}`; }

  private deliver(fullChannel: string, raw: string): void {
    const handlers = this.handlers.get(fullChannel);
    if (!handlers || handlers.size === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch (err) {
      // Someone else published on our prefix with a non-JSON payload; never let it reach the handlers.
      this.onHandlerError(err, fullChannel);
      return;
    }
    for (const h of [...handlers]) {
      try {
        h(message);
      } catch (err) {
        this.onHandlerError(err, fullChannel);
      }
    }
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.cmd.publish(this.channel(channel), JSON.stringify(message ?? null));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    const full = this.channel(channel);
    let set = this.handlers.get(full);
    if (!set) {
      this.handlers.set(full, (set = new Set()));
      const p = this.sub.subscribe(full).finally(() => this.subscribing.delete(full));
      this.subscribing.set(full, p);
    }
    set.add(handler);
    // Resolve only once Redis confirmed the subscription: a publish after subscribe() returns must be delivered.
    try {
      await this.subscribing.get(full);
    } catch (err) {
      // Leave no half-registered channel behind, or the next subscribe() would skip its SUBSCRIBE.
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(full) === set) this.handlers.delete(full);
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const current = this.handlers.get(full);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0 && !this.closed) {
        this.handlers.delete(full);
        // Commands on one connection run in order, so a SUBSCRIBE issued after this UNSUBSCRIBE still wins.
        await this.sub.unsubscribe(full);
      }
    };
  }

  async tryLock(key: string, ttlMs: number): Promise<Release | null> {
    const k = this.kv(`lock:${key}`);
    const token = randomBytes(16).toString('hex');
    const ok = await this.cmd.set(k, token, 'PX', ms(ttlMs), 'NX');
    if (ok !== 'OK') return null;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await this.cmd.lxRelease(k, token);
    };
  }

  async get(key: string): Promise<string | null> {
    return this.cmd.get(this.kv(key));
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.cmd.mget(keys.map((k) => this.kv(k)));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    // Like the in-memory adapter, a set without TTL makes the key permanent (Redis SET clears an earlier TTL).
    if (ttlMs) await this.cmd.set(this.kv(key), value, 'PX', ms(ttlMs));
    else await this.cmd.set(this.kv(key), value);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.cmd.set(this.kv(key), value, 'PX', ms(ttlMs), 'NX')) === 'OK';
  }

  async del(key: string): Promise<void> {
    await this.cmd.del(this.kv(key));
  }

  async incr(key: string, ttlMs?: number): Promise<number> {
    return Number(await this.cmd.lxIncr(this.kv(key), ttlMs ? ms(ttlMs) : 0));
  }

  async heartbeat(set: string, member: string, ttlMs: number): Promise<void> {
    await this.cmd.lxHeartbeat(this.presence(set), member, ms(ttlMs));
  }

  async members(set: string): Promise<string[]> {
    return this.cmd.lxMembers(this.presence(set));
  }

  async leave(set: string, member: string): Promise<void> {
    await this.cmd.zrem(this.presence(set), member);
  }

  async enqueue(queue: string, item: string, priority: number): Promise<void> {
    if (!Number.isFinite(priority) || Math.abs(priority) > 100) {
      // |score| stays below 2^53 (≈ 9e15) only while |priority| * 1e13 + order does; beyond, arrival order is lost in
      // the double's mantissa. Routing priorities are small integers, so ±100 is ample.
      throw new RangeError(`queue priority must be a finite number within ±100, got ${priority}`);
    }
    await this.cmd.lxEnqueue(this.queue(queue), this.queueSeq(queue), item, priority);
  }

  async dequeue(queue: string): Promise<string | null> {
    const r = await this.cmd.zpopmin(this.queue(queue));
    return r.length ? r[0] : null;
  }

  async removeFromQueue(queue: string, item: string): Promise<boolean> {
    return (await this.cmd.zrem(this.queue(queue), item)) > 0;
  }

  async queueItems(queue: string): Promise<string[]> {
    return this.cmd.zrange(this.queue(queue), '0', '-1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.allSettled([this.sub.quit(), this.cmd.quit()]);
  }
}

/** Redis wants whole positive milliseconds; the in-memory adapter takes any number, so round up rather than fail. */
function ms(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
