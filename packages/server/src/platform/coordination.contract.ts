import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Coordination } from './coordination.ts';

export type ContractOptions = {
  /**
   * True when two instances from make() share state, like two server nodes on one Redis. Otherwise (in-memory) the
   * "two nodes" tests use one instance for both sides: one process is one node, and it must still hold under
   * concurrent callers.
   */
  shared: boolean;
  /** Skip the whole suite with this reason (e.g. no Redis on a developer machine). */
  skip?: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when predicate holds, or fails after timeoutMs (pub/sub across connections is asynchronous). */
async function eventually(predicate: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * The behaviour every Coordination adapter must have, so services written against the in-memory adapter work
 * unchanged in a cluster. Used by coordination.test.ts (in-memory) and redis-coordination.integration.test.ts.
 */
export function runCoordinationContract(name: string, make: () => Promise<Coordination>, options: ContractOptions): void {
  describe(`Coordination contract: ${name}`, { skip: options.skip }, () => {
    const opened: Coordination[] = [];
    // Unique names per test keep tests independent although they share one Redis namespace.
    const uid = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;
    async function node(): Promise<Coordination> {
      const c = await make();
      opened.push(c);
      return c;
    }
    async function twoNodes(): Promise<[Coordination, Coordination]> {
      const a = await node();
      return [a, options.shared ? await node() : a];
    }
    after(async () => {
      await Promise.allSettled(opened.map((c) => c.close()));
    });

    describe('pub/sub', () => {
      it('delivers a JSON copy to every handler, the publishing node included', async () => {
        const [a, b] = await twoNodes();
        const ch = uid('ch');
        const gotA: unknown[] = [];
        const gotB: unknown[] = [];
        await a.subscribe(ch, (m) => gotA.push(m));
        await b.subscribe(ch, (m) => gotB.push(m));
        const sent = { text: '你好', n: 1, when: new Date(0), nested: { list: [1, 'two'] }, gone: undefined };
        await a.publish(ch, sent);
        await eventually(() => gotA.length === 1 && gotB.length === 1, 2000, 'delivery on both nodes');
        const expected = { text: '你好', n: 1, when: '1970-01-01T00:00:00.000Z', nested: { list: [1, 'two'] } };
        assert.deepEqual(gotA[0], expected);
        assert.deepEqual(gotB[0], expected);
        assert.notEqual(gotA[0], sent, 'subscribers never share the publisher\'s object');
      });

      it('crosses nodes: a publish on B reaches a subscriber on A, in publish order', async () => {
        const [a, b] = await twoNodes();
        const ch = uid('ch');
        const got: unknown[] = [];
        await a.subscribe(ch, (m) => got.push(m));
        for (let i = 0; i < 20; i++) await b.publish(ch, { i });
        await eventually(() => got.length === 20, 2000, '20 messages');
        assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => ({ i })));
      });

      it('keeps channels apart and stops delivery after unsubscribe', async () => {
        const [a, b] = await twoNodes();
        const ch1 = uid('ch');
        const ch2 = uid('ch');
        const got1: unknown[] = [];
        const got2: unknown[] = [];
        const keep: unknown[] = [];
        const un1 = await a.subscribe(ch1, (m) => got1.push(m));
        await a.subscribe(ch1, (m) => keep.push(m));
        await a.subscribe(ch2, (m) => got2.push(m));
        await b.publish(ch1, 'one');
        await eventually(() => got1.length === 1 && keep.length === 1, 2000, 'first message');
        assert.deepEqual(got2, []);
        await un1();
        await b.publish(ch1, 'two');
        await b.publish(ch2, 'three');
        await eventually(() => keep.length === 2 && got2.length === 1, 2000, 'later messages');
        assert.deepEqual(got1, ['one'], 'an unsubscribed handler gets nothing more');
        assert.deepEqual(keep, ['one', 'two'], 'the other handler on the same channel still gets it');
        assert.deepEqual(got2, ['three']);
      });

      it('publishing null or undefined delivers null', async () => {
        const c = await node();
        const ch = uid('ch');
        const got: unknown[] = [];
        await c.subscribe(ch, (m) => got.push(m));
        await c.publish(ch, undefined);
        await c.publish(ch, null);
        await eventually(() => got.length === 2);
        assert.deepEqual(got, [null, null]);
      });
    });

    describe('locks', () => {
      it('exclude across nodes until released', async () => {
        const [a, b] = await twoNodes();
        const key = uid('lock');
        const release = await a.tryLock(key, 10_000);
        assert.ok(release, 'first taker gets the lock');
        assert.equal(await b.tryLock(key, 10_000), null, 'the other node is excluded');
        assert.equal(await a.tryLock(key, 10_000), null, 'not re-entrant either');
        await release();
        const again = await b.tryLock(key, 10_000);
        assert.ok(again, 'free after release');
        await again();
      });

      it('expire after their TTL, and a stale release does not free the new holder\'s lock', async () => {
        const [a, b] = await twoNodes();
        const key = uid('lock');
        const stale = await a.tryLock(key, 80);
        assert.ok(stale);
        await sleep(150);
        const fresh = await b.tryLock(key, 10_000);
        assert.ok(fresh, 'expired lock can be taken');
        await stale();
        assert.equal(await a.tryLock(key, 10_000), null, 'the old holder\'s release left the new lock in place');
        await fresh();
      });

      it('only one of many concurrent takers wins', async () => {
        const [a, b] = await twoNodes();
        const key = uid('lock');
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).tryLock(key, 10_000)));
        assert.equal(results.filter(Boolean).length, 1);
        await results.find(Boolean)!();
      });
    });

    describe('keys', () => {
      it('get/set/del, visible on the other node', async () => {
        const [a, b] = await twoNodes();
        const key = uid('k');
        assert.equal(await b.get(key), null);
        await a.set(key, 'v1');
        assert.equal(await b.get(key), 'v1');
        await b.set(key, 'v2');
        assert.equal(await a.get(key), 'v2');
        await a.del(key);
        assert.equal(await b.get(key), null);
        await a.del(key); // deleting an absent key is fine
      });

      it('getMany reads several keys at once, in order, with null for absent and expired ones', async () => {
        const [a, b] = await twoNodes();
        const k1 = uid('m');
        const k2 = uid('m');
        const k3 = uid('m');
        assert.deepEqual(await a.getMany([]), []);
        await a.set(k1, 'one');
        await b.set(k3, 'three', 60);
        assert.deepEqual(await b.getMany([k1, k2, k3]), ['one', null, 'three']);
        assert.deepEqual(await a.getMany([k3, k1, k3]), ['three', 'one', 'three'], 'order and repeats as asked');
        await sleep(120);
        assert.deepEqual(await a.getMany([k1, k2, k3]), ['one', null, null], 'an expired key reads as absent');
        await a.del(k1);
      });

      it('set with a TTL expires; set without one makes the key permanent again', async () => {
        const c = await node();
        const key = uid('k');
        await c.set(key, 'short', 60);
        assert.equal(await c.get(key), 'short');
        await sleep(120);
        assert.equal(await c.get(key), null);
        await c.set(key, 'a', 60);
        await c.set(key, 'b');
        await sleep(120);
        assert.equal(await c.get(key), 'b');
        await c.del(key);
      });

      it('setIfAbsent sets once, across nodes, and again after expiry', async () => {
        const [a, b] = await twoNodes();
        const key = uid('idem');
        const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).setIfAbsent(key, `v${i}`, 80)));
        assert.equal(wins.filter(Boolean).length, 1);
        const winner = wins.indexOf(true);
        assert.equal(await a.get(key), `v${winner}`);
        await sleep(150);
        assert.equal(await b.setIfAbsent(key, 'later', 10_000), true);
        assert.equal(await a.get(key), 'later');
        await a.del(key);
      });

      it('incr counts across nodes; the TTL runs from the first increment', async () => {
        const [a, b] = await twoNodes();
        const key = uid('n');
        const all = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).incr(key, 500)));
        assert.deepEqual([...all].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 1), 'no lost updates');
        await sleep(200);
        assert.equal(await a.incr(key, 500), 51, 'a later increment does not restart the window');
        await sleep(400);
        assert.equal(await b.incr(key, 500), 1, 'window over: counting starts again');
        const plain = uid('n');
        assert.equal(await a.incr(plain), 1);
        assert.equal(await a.incr(plain), 2);
        assert.equal(await b.get(plain), '2');
        await a.del(key);
        await a.del(plain);
      });
    });

    describe('presence', () => {
      it('lists heartbeating members from every node and drops those that stop', async () => {
        const [a, b] = await twoNodes();
        const set = uid('agents');
        await a.heartbeat(set, 'alice', 10_000);
        await b.heartbeat(set, 'bob', 300);
        assert.deepEqual((await a.members(set)).sort(), ['alice', 'bob']);
        await sleep(400);
        assert.deepEqual(await b.members(set), ['alice'], 'bob stopped heartbeating');
        await b.heartbeat(set, 'bob', 10_000);
        assert.deepEqual((await a.members(set)).sort(), ['alice', 'bob'], 'and is back when he heartbeats again');
        await a.leave(set, 'alice');
        assert.deepEqual(await b.members(set), ['bob']);
        await b.leave(set, 'bob');
        assert.deepEqual(await a.members(set), []);
        assert.deepEqual(await a.members(uid('none')), []);
      });

      it('a heartbeat extends presence', async () => {
        const c = await node();
        const set = uid('agents');
        await c.heartbeat(set, 'carol', 300);
        await sleep(200);
        await c.heartbeat(set, 'carol', 300);
        await sleep(200);
        assert.deepEqual(await c.members(set), ['carol']);
        await c.leave(set, 'carol');
      });
    });

    describe('priority queue', () => {
      it('serves higher priority first and FIFO within a priority; enqueue is idempotent', async () => {
        const [a, b] = await twoNodes();
        const q = uid('q');
        await a.enqueue(q, 'low-1', 0);
        await b.enqueue(q, 'high-1', 5);
        await a.enqueue(q, 'low-2', 0);
        await b.enqueue(q, 'high-2', 5);
        await a.enqueue(q, 'vip', 10);
        await a.enqueue(q, 'neg', -1);
        await b.enqueue(q, 'low-1', 99); // already queued: neither moved nor duplicated
        assert.deepEqual(await b.queueItems(q), ['vip', 'high-1', 'high-2', 'low-1', 'low-2', 'neg']);
        assert.equal(await a.removeFromQueue(q, 'high-2'), true);
        assert.equal(await b.removeFromQueue(q, 'high-2'), false, 'already removed');
        assert.equal(await b.dequeue(q), 'vip');
        assert.equal(await a.dequeue(q), 'high-1');
        assert.equal(await b.dequeue(q), 'low-1');
        assert.equal(await a.dequeue(q), 'low-2');
        assert.equal(await a.dequeue(q), 'neg');
        assert.equal(await b.dequeue(q), null);
        assert.deepEqual(await a.queueItems(q), []);
        await a.enqueue(q, 'low-1', 0);
        assert.deepEqual(await b.queueItems(q), ['low-1'], 'a dequeued item can be queued again');
        await a.dequeue(q);
      });

      it('keeps FIFO order for many items of one priority', async () => {
        const c = await node();
        const q = uid('q');
        const items = Array.from({ length: 100 }, (_, i) => `item-${i}`);
        for (const it of items) await c.enqueue(q, it, 3);
        assert.deepEqual(await c.queueItems(q), items);
        for (const it of items) assert.equal(await c.dequeue(q), it);
      });

      it('two nodes racing dequeue from 2×4 loops get each of 200 items exactly once', async () => {
        const [a, b] = await twoNodes();
        const q = uid('q');
        const items = Array.from({ length: 200 }, (_, i) => `conv-${i}`);
        await Promise.all(items.map((it, i) => (i % 2 ? a : b).enqueue(q, it, i % 3)));
        const taken: string[][] = [];
        const loop = async (c: Coordination) => {
          const mine: string[] = [];
          for (let it = await c.dequeue(q); it !== null; it = await c.dequeue(q)) {
            mine.push(it);
            // Yield between items so the loops interleave as real workers would.
            await new Promise((r) => setImmediate(r));
          }
          taken.push(mine);
        };
        await Promise.all([a, a, a, a, b, b, b, b].map(loop));
        const all = taken.flat();
        assert.equal(all.length, 200, 'no item lost or served twice');
        assert.deepEqual([...all].sort(), [...items].sort());
        assert.equal(new Set(all).size, 200);
        assert.deepEqual(await a.queueItems(q), []);
      });
    });
  });
}
