import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { IN_CI, TEST_REDIS_URL } from '../testing/databases.ts';
import { RedisCoordination } from './redis-coordination.ts';
import { runCoordinationContract } from './coordination.contract.ts';

/** Absent Redis: a failure in CI, a visible skip elsewhere (ENGINEERING.md "Services on the machine"). */
async function redisReason(): Promise<string | undefined> {
  const probe = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (err) {
    if (IN_CI) throw new Error(`Redis is required in CI but not reachable at ${TEST_REDIS_URL}: ${(err as Error).message}`);
    console.log(`# SKIP Redis tests: no server at ${TEST_REDIS_URL}`);
    return `no Redis at ${TEST_REDIS_URL}`;
  } finally {
    probe.disconnect();
  }
}

const skip = await redisReason();
// Our own namespace on a Redis that may be shared with a running installation: never FLUSHALL, delete only this.
const prefix = `lingxi:test:${randomBytes(4).toString('hex')}:`;
const connect = () => RedisCoordination.connect(TEST_REDIS_URL, { prefix });

after(async () => {
  if (skip) return;
  const r = new Redis(TEST_REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await r.quit();
});

runCoordinationContract('redis, two nodes', connect, { shared: true, skip });

describe('RedisCoordination specifics', { skip }, () => {
  it('keeps every key and channel under the lingxi: prefix', async () => {
    const c = await RedisCoordination.connect(TEST_REDIS_URL, { prefix });
    const raw = new Redis(TEST_REDIS_URL);
    try {
      const tag = randomBytes(3).toString('hex');
      await c.set(`k-${tag}`, 'v');
      await c.heartbeat(`p-${tag}`, 'm', 10_000);
      await c.enqueue(`q-${tag}`, 'i', 1);
      const keys = await raw.keys(`*${tag}*`);
      assert.ok(keys.length >= 3, `found ${keys.join(', ')}`);
      for (const k of keys) assert.ok(k.startsWith(prefix), `${k} is namespaced`);
      const got: unknown[] = [];
      await c.subscribe(`ch-${tag}`, (m) => got.push(m));
      const receivers = await raw.publish(`${prefix}ch:ch-${tag}`, JSON.stringify({ from: 'outside' }));
      assert.equal(receivers, 1, 'the channel name on the wire is prefixed');
      const deadline = Date.now() + 2000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(got, [{ from: 'outside' }]);
    } finally {
      await c.close();
      await raw.quit();
    }
  });

  it('default prefix is lingxi:', async () => {
    const c = await RedisCoordination.connect(TEST_REDIS_URL);
    const raw = new Redis(TEST_REDIS_URL);
    const key = `test-default-prefix-${randomBytes(4).toString('hex')}`;
    try {
      await c.set(key, 'v', 5000);
      assert.equal(await raw.get(`lingxi:kv:${key}`), 'v');
    } finally {
      await raw.del(`lingxi:kv:${key}`);
      await c.close();
      await raw.quit();
    }
  });

  it('a throwing subscriber neither stops the others nor the connection', async () => {
    const errors: unknown[] = [];
    const c = await RedisCoordination.connect(TEST_REDIS_URL, { prefix, onHandlerError: (e) => errors.push(e) });
    try {
      const got: unknown[] = [];
      await c.subscribe('boom', () => { throw new Error('handler bug'); });
      await c.subscribe('boom', (m) => got.push(m));
      await c.publish('boom', 1);
      await c.publish('boom', 2);
      const deadline = Date.now() + 2000;
      while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(got, [1, 2]);
      assert.equal(errors.length, 2);
    } finally {
      await c.close();
    }
  });

  it('refuses priorities whose score would lose the arrival order', async () => {
    const c = await connect();
    try {
      await assert.rejects(c.enqueue('q-range', 'x', 1e6), RangeError);
      await assert.rejects(c.enqueue('q-range', 'x', Number.NaN), RangeError);
      await c.enqueue('q-range', 'a', -100);
      await c.enqueue('q-range', 'b', 100);
      await c.enqueue('q-range', 'c', 2.5);
      assert.deepEqual(await c.queueItems('q-range'), ['b', 'c', 'a']);
    } finally {
      await c.close();
    }
  });

  it('fails fast with a clear error when Redis is unreachable', async () => {
    const started = Date.now();
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    await assert.rejects(RedisCoordination.connect('redis://127.0.0.1:1', { connectTimeoutMs: 1000 }), /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
    assert.ok(Date.now() - started < 5000);
  });

  it('close() is idempotent and ends both connections', async () => {
    const c = await connect();
    await c.subscribe('x', () => {});
    await c.close();
    await c.close();
  });
});
