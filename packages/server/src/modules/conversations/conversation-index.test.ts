import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationIndexer, queryTerms, summarize, termsOf } from './conversation-index.ts';
import type { StoredEvent } from './conversation-repository.ts';
import type { ConversationSearchRepository, SearchRow } from './search-repository.ts';

test('terms: Latin words folded to lower case and half width, Chinese as bigrams', () => {
  assert.deepEqual(termsOf('Zebra ＦＯＸ 42'), ['zebra', 'fox', '42']);
  assert.deepEqual(termsOf('信用卡挂失'), ['信用', '用卡', '卡挂', '挂失']);
  assert.deepEqual(termsOf('卡'), ['卡']);
  assert.deepEqual(termsOf('我的card丢了'), ['我的', 'card', '丢了']);
});

test('query terms: bigrams exact, words as prefixes (longest first), every piece checked in the body', () => {
  const q = queryTerms('挂失  Zeb x');
  assert.deepEqual(q.exact, ['挂失']);
  assert.deepEqual(q.prefix, ['zeb', 'x']);
  assert.deepEqual(q.pieces, ['挂失', 'zeb', 'x']);
  assert.deepEqual(queryTerms('卡').exact, []);
});

const ev = (seq: number, type: string, payload: Record<string, unknown>): StoredEvent => ({ conversationId: 'c', seq, type, payload, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)) });

test('summarize: outcome flags, agents, entries, latest rating; message text masked before it is indexed', () => {
  const { row, terms } = summarize({ id: 'c', tenantId: 't', botId: 'b', channel: 'web', createdAt: new Date(Date.UTC(2026, 0, 1)) }, [
    ev(1, 'conversation.started', {}),
    ev(2, 'message.received', { text: '我的手机 13812345678 丢了卡' }),
    ev(3, 'nlu.understood', { decision: 'clarify', hits: [] }),
    ev(4, 'reply.sent', { reply: { type: 'clarify', text: '您想问哪一个？' } }),
    ev(5, 'nlu.understood', { decision: 'answer', entryId: 'E1', score: 0.9 }),
    ev(6, 'reply.sent', { reply: { type: 'answer', text: '请致电挂失', entryId: 'E1' } }),
    ev(7, 'conversation.handoff', { reason: 'customer_request' }),
    ev(8, 'conversation.assigned', { agentId: 'u1', agentName: 'A' }),
    ev(9, 'agent.message', { agentId: 'u2', reply: { type: 'text', text: 'Hello there' } }),
    ev(10, 'conversation.rated', { score: 3 }),
    ev(11, 'conversation.rated', { score: 5 }),
  ]);
  assert.equal(row.firstQuestion, '我的手机 138****5678 丢了卡');
  assert.doesNotMatch(row.body, /13812345678/);
  assert.ok(!terms.includes('13812345678'));
  assert.deepEqual([row.handoff, row.fallback, row.clarify], [true, false, true]);
  assert.deepEqual(row.agentIds.sort(), ['u1', 'u2']);
  assert.deepEqual(row.entryIds, ['E1']);
  assert.equal(row.rating, 5);
  assert.equal(row.messages, 4);
  assert.equal(row.indexedSeq, 11);
  // The knowledge answer's terms go once per entry, not with each conversation.
  const r = summarize({ id: 'c', tenantId: 't', botId: 'b', channel: 'web', createdAt: new Date(0) }, [ev(1, 'reply.sent', { reply: { type: 'answer', text: '请致电挂失', entryId: 'E1' } })]);
  assert.deepEqual(r.answers, [{ entryId: 'E1', text: '请致电挂失' }]);
  assert.deepEqual(r.terms, []);
  assert.match(r.row.body, /致电/);
  assert.ok(terms.includes('丢了') && terms.includes('hello') && !terms.includes('致电'));
});

test('summarize continued from an indexed row equals the summary of the whole log; only new terms come back', () => {
  const conv = { id: 'c', tenantId: 't', botId: 'b', channel: 'web', createdAt: new Date(Date.UTC(2026, 0, 1)) };
  const log = [
    ev(1, 'message.received', { text: '信用卡挂失' }),
    ev(2, 'nlu.understood', { decision: 'fallback' }),
    ev(3, 'reply.sent', { reply: { type: 'fallback', text: 'Sorry' } }),
    ev(4, 'conversation.handoff', { reason: 'x' }),
    ev(5, 'agent.message', { agentId: 'u1', reply: { type: 'text', text: '您好 zebra' } }),
    ev(6, 'conversation.rated', { score: 4 }),
  ];
  const whole = summarize(conv, log);
  const first = summarize(conv, log.slice(0, 3));
  const rest = summarize(conv, log, first.row); // events up to the row's seq are skipped
  assert.deepEqual(rest.row, whole.row);
  assert.ok(rest.terms.includes('zebra') && !rest.terms.includes('挂失'));
  assert.deepEqual(summarize(conv, [], whole.row).row, whole.row);
});

test('sweep: rows missing or behind are indexed; a failed batch is retried by the next sweep, whose window waits for it', async () => {
  const conv = (id: string) => ({ id, tenantId: 't', botId: 'b', channel: 'web', createdAt: new Date(Date.UTC(2026, 0, 1)) });
  const log: Record<string, StoredEvent[]> = {
    a: [ev(1, 'message.received', { text: 'alpha' }), ev(2, 'reply.sent', { reply: { type: 'text', text: 'ok' } })],
    b: [ev(1, 'message.received', { text: 'beta' })],
    c: [ev(1, 'message.received', { text: 'gamma' })],
  };
  const rows = new Map<string, SearchRow>();
  rows.set('c', summarize(conv('c'), log.c).row); // c is up to date
  const sinces: (Date | null)[] = [];
  let fail = true;
  const repo = {
    async behind(q: { after: string; since: Date | null; scan: number }) {
      sinces.push(q.since);
      const ids = Object.keys(log).filter((id) => id > q.after).sort().slice(0, q.scan);
      return { items: ids.filter((id) => (rows.get(id)?.indexedSeq ?? 0) < log[id].length).map((id) => ({ tenantId: 't', id })), next: null };
    },
    async sources(batch: { tenantId: string; id: string }[]) {
      return batch.map((b) => ({ conversation: conv(b.id), prev: rows.get(b.id) ?? null, events: log[b.id].filter((e) => e.seq > (rows.get(b.id)?.indexedSeq ?? 0)) }));
    },
    async saveMany(items: { row: SearchRow }[]) {
      if (fail) throw new Error('database away');
      for (const { row } of items) rows.set(row.conversationId, row);
    },
  } as unknown as ConversationSearchRepository;
  const failed: string[][] = [];
  const indexer = new ConversationIndexer(repo, (_err, ids) => failed.push(ids));
  // Concurrent calls run one after another: the second sees what the first left.
  const [first, second] = await Promise.all([indexer.sweep(), indexer.sweep()]);
  assert.deepEqual([first, second], [2, 2]);
  assert.deepEqual(failed.map((ids) => ids.sort()), [['a', 'b'], ['a', 'b']]);
  assert.deepEqual(sinces, [null, null]);
  fail = false;
  assert.equal(await indexer.sweep(), 2); // still the whole sweep: the window has not moved past the failures
  assert.deepEqual([rows.get('a')?.indexedSeq, rows.get('b')?.indexedSeq], [2, 1]);
  assert.equal(sinces[2], null);
  log.b.push(ev(2, 'message.received', { text: 'delta' }));
  assert.equal(await indexer.sweep(), 1);
  const window = (sinces as (Date | null)[])[3]; // (deepEqual above narrowed the array's type)
  assert.ok(window instanceof Date && window.getTime() <= Date.now() - 60_000, String(window));
  assert.equal(rows.get('b')?.indexedSeq, 2);
  assert.match(rows.get('b')!.body, /beta\ndelta/);
  assert.equal(await indexer.sweep(), 0);
  await indexer.idle();
});
