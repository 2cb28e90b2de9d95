/**
 * Conversation search (issue 6 item 7) on real PostgreSQL: seeds N conversations straight into the search tables
 * (conversation_search + ~22 terms each in conversation_terms), then times each kind of filter through the
 * repository the API uses (7 runs each: median and max). Needs the local PostgreSQL of the tests.
 *
 *   npm run bench -- conversation-search [--conversations 200000]
 */
import { freshPostgres } from '../packages/server/src/testing/databases.ts';
import { PgConversationSearchRepository } from '../packages/server/src/modules/conversations/pg-search-repository.ts';
import { queryTerms } from '../packages/server/src/modules/conversations/conversation-index.ts';
import type { SearchQuery } from '../packages/server/src/modules/conversations/search-repository.ts';

const arg = process.argv.indexOf('--conversations');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 200_000;
const pg = await freshPostgres();
if (!pg) throw new Error('PostgreSQL is needed for this benchmark');
const db = pg.db;
try {
  await db.query(`INSERT INTO tenants(id, slug, name) VALUES ('t1','t1','t1')`);
  await db.query(`INSERT INTO bots(id, tenant_id, slug, name) VALUES ('b1','t1','b1','b1')`);
  const t0 = Date.now();
  console.error(`seeding ${N} conversations…`);
  await db.query(`INSERT INTO conversations(id, tenant_id, bot_id, channel, created_at) SELECT 'c'||i, 't1', 'b1', (ARRAY['web','app','wechat','sms'])[1+i%4], now() - (i||' seconds')::interval FROM generate_series(1,$1) i`, [N]);
  await db.query(`INSERT INTO conversation_search(conversation_id, tenant_id, bot_id, channel, started_at, last_at, first_question, body, messages, handoff, fallback, clarify, agent_ids, entry_ids, rating)
    SELECT id, tenant_id, bot_id, channel, created_at, created_at, 'q'||id, 'word'||(hashtext(id)&1023)||' w'||(hashtext(id||'x')&4095), 4, (hashtext(id)%5=0), (hashtext(id)%7=0), (hashtext(id)%11=0),
      ARRAY['u'||(abs(hashtext(id))%50)], ARRAY['E'||(abs(hashtext(id||'e'))%500)], CASE WHEN abs(hashtext(id))%3=0 THEN 1+abs(hashtext(id))%5 END
    FROM conversations`);
  // 20 terms per conversation from a 20,000-term vocabulary, plus the two words of its body.
  await db.query(`INSERT INTO conversation_terms(tenant_id, term, conversation_id)
    SELECT DISTINCT 't1', 'v'||(abs(hashtext(c.id||k))%20000), c.id FROM conversations c, generate_series(1,20) k`);
  for (const part of [1, 2]) {
    await db.query(`INSERT INTO conversation_terms(tenant_id, term, conversation_id) SELECT 't1', split_part(body,' ',${part}), conversation_id FROM conversation_search ON CONFLICT DO NOTHING`);
  }
  await db.query('ANALYZE');
  const terms = (await db.query('SELECT count(*)::int n FROM conversation_terms'))[0].n as number;
  console.error(`seeded ${N} conversations, ${terms} term rows in ${Date.now() - t0} ms`);
  const repo = new PgConversationSearchRepository(db);
  const page = { limit: 20, offset: 0 };
  const cases: [string, SearchQuery][] = [
    ['newest', page],
    ['text_rare_word', { ...page, text: queryTerms('w1234') }],
    ['text_common_prefix', { ...page, text: queryTerms('word7') }],
    ['outcome_handoff', { ...page, outcome: 'handoff' }],
    ['agent', { ...page, agentId: 'u7' }],
    ['intent', { ...page, entryId: 'E42' }],
    ['rating_1', { ...page, rating: 1 }],
    ['channel_range_handoff', { ...page, channel: 'web', outcome: 'handoff', from: new Date(Date.now() - 86400_000), to: new Date() }],
    ['page_50', { limit: 20, offset: 980 }],
  ];
  const results: Record<string, { total: number; medianMs: number; maxMs: number }> = {};
  for (const [name, q] of cases) {
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < 7; i++) {
      const s = performance.now();
      total = (await repo.search('t1', q)).total;
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    results[name] = { total, medianMs: Math.round(times[3] * 10) / 10, maxMs: Math.round(times[6] * 10) / 10 };
    console.error(`${name.padEnd(24)} total=${String(total).padStart(5)}  median ${results[name].medianMs} ms  max ${results[name].maxMs} ms`);
  }
  console.log(JSON.stringify({ bench: 'conversation-search', conversations: N, termRows: terms, results }));
} finally {
  await pg.drop();
}
