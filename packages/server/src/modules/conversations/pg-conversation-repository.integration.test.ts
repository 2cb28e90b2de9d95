import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import type { Db } from '../../storage/db.ts';
import { PgConversationRepository } from './pg-conversation-repository.ts';

const turn = (text: string, clientMsgId?: string) => [
  { type: 'message.received', payload: { text }, clientMsgId },
  { type: 'reply.sent', payload: { reply: { type: 'text', text: `re: ${text}` } } },
];
const next = { state: { failures: 0 }, status: 'bot' as const };

for (const variant of await bothDatabases()) {
  describe(`conversation log writes on ${variant.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let repo: PgConversationRepository;
    before(async () => {
      ({ db, close } = await variant.open());
      await db.query(`INSERT INTO tenants(id, slug, name) VALUES ('t1', 't1', 't1')`);
      await db.query(`INSERT INTO bots(id, tenant_id, slug, name) VALUES ('b1', 't1', 'b1-${variant.name}', 'b1')`);
      repo = new PgConversationRepository(db);
    });
    after(async () => close?.());

    test('concurrent turns of many conversations are all stored, each with contiguous sequence numbers', async () => {
      const convs = await Promise.all(Array.from({ length: 40 }, (_, i) => repo.create({ id: `c${i}`, tenantId: 't1', botId: 'b1', channel: 'web' }, { type: 'conversation.started', payload: {} })));
      const results = await Promise.all(convs.map((c) => repo.append('t1', c.id, c.lastSeq, turn(`hi ${c.id}`), next)));
      for (const [i, r] of results.entries()) {
        assert.ok(r, `conversation ${i} stored`);
        assert.deepEqual(r.map((e) => e.seq), [2, 3]);
      }
      const evs = await repo.events('t1', 'c7');
      assert.deepEqual(evs.map((e) => [e.seq, e.type]), [[1, 'conversation.started'], [2, 'message.received'], [3, 'reply.sent']]);
      assert.equal(evs[1].payload.text, 'hi c7');
      assert.equal((await repo.find('t1', 'c7'))!.lastSeq, 3);
    });

    test('racing turns of one conversation: exactly one is stored, the others are told to retry', async () => {
      const c = await repo.create({ id: 'race', tenantId: 't1', botId: 'b1', channel: 'web' }, { type: 'conversation.started', payload: {} });
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => repo.append('t1', c.id, c.lastSeq, turn(`m${i}`), next)));
      assert.equal(results.filter((r) => r !== null).length, 1);
      assert.equal((await repo.events('t1', c.id)).length, 3);
    });

    test('a re-sent client message id fails alone; the turns batched with it are stored', async () => {
      const a = await repo.create({ id: 'dup-a', tenantId: 't1', botId: 'b1', channel: 'web' }, { type: 'conversation.started', payload: {} });
      const first = await repo.append('t1', a.id, a.lastSeq, turn('once', 'cm-1'), next);
      assert.ok(first);
      const others = await Promise.all(Array.from({ length: 5 }, (_, i) => repo.create({ id: `dup-o${i}`, tenantId: 't1', botId: 'b1', channel: 'web' }, { type: 'conversation.started', payload: {} })));
      const results = await Promise.allSettled([
        repo.append('t1', a.id, first.at(-1)!.seq, turn('once', 'cm-1'), next),
        ...others.map((o) => repo.append('t1', o.id, o.lastSeq, turn('fine'), next)),
      ]);
      assert.equal(results[0].status, 'rejected');
      assert.ok(results.slice(1).every((r) => r.status === 'fulfilled' && r.value !== null));
      assert.equal(await repo.findSeqByClientMsgId(a.id, 'cm-1'), 2);
    });

    test('another tenant cannot append to a conversation', async () => {
      await db.query(`INSERT INTO tenants(id, slug, name) VALUES ('t2', 't2', 't2')`);
      const c = await repo.create({ id: 'mine', tenantId: 't1', botId: 'b1', channel: 'web' }, { type: 'conversation.started', payload: {} });
      const [r1, r2] = await Promise.all([repo.append('t2', c.id, c.lastSeq, turn('x'), next), repo.append('t2', c.id, c.lastSeq, turn('y'), next)]);
      assert.equal(r1, null);
      assert.equal(r2, null);
      assert.equal((await repo.events('t1', c.id)).length, 1);
    });
  });
}
