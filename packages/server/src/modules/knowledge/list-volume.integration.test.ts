import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { loadConfig } from '../../config.ts';
import { compose, type Deps } from '../../compose.ts';
import { createLogger } from '../../platform/logger.ts';
import { PgKnowledgeRepository } from './pg-knowledge-repository.ts';
import type { EntryRecord, EntryStatus } from './knowledge-repository.ts';
import type { EntryListQuery } from './knowledge-service.ts';

const N = Number(process.env.KB_VOLUME_ENTRIES ?? 50_000);
const STATUSES: EntryStatus[] = ['published', 'published', 'published', 'draft', 'submitted', 'approved', 'archived'];

/**
 * The console's entry list on a large knowledge base: N entries (50,000 by default) in 110 categories; each list
 * query the console makes (first page, text search, category subtree + status, tag, validity, sort, a deep page)
 * is timed and must stay interactive, and so is the editor's entry detail, which says whether the published version
 * (all non-archived entries) serves the entry.
 */
for (const target of await bothDatabases()) {
  describe(`knowledge list with ${N} entries (${target.name})`, () => {
    let deps: Deps;
    let closeDb: () => Promise<void>;
    let tenantId = '';
    let botId = '';
    let parent = '';

    before(async () => {
      const { db, close } = await target.open();
      closeDb = close;
      deps = await compose(loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_DEMO: 'false' } as NodeJS.ProcessEnv), { db, logger: createLogger('silent') });
      tenantId = (await deps.tenancy.createTenant('bank-v', 'Bank V')).id;
      botId = (await deps.tenancy.createBot(tenantId, { slug: 'volume', name: 'V' })).id;
      const actor = { tenantId, actor: 'system' };
      const cats: string[] = [];
      for (let i = 0; i < 10; i++) {
        const top = await deps.knowledge.createCategory(actor, botId, { name: `大类${i}` });
        if (i === 0) parent = top.id;
        for (let j = 0; j < 10; j++) cats.push((await deps.knowledge.createCategory(actor, botId, { name: `小类${i}-${j}`, parentId: top.id })).id);
      }
      const repo = new PgKnowledgeRepository(db);
      const t0 = Date.now();
      const day = 86_400_000;
      const now = Date.now();
      const recs: EntryRecord[] = [];
      for (let i = 0; i < N; i++) {
        recs.push({
          id: `kbe_v${i}`, externalId: `v-${i}`, categoryId: cats[i % cats.length],
          question: `第${i}号问题 关于${['信用卡', '存款', '贷款', '理财', '转账'][i % 5]}业务的办理`,
          similar: [`问题${i}的另一种问法`, `how to ${i}`], answer: `答案 ${i}：请通过手机银行办理。`, answerHtml: null, channelAnswers: {},
          tags: i % 10 === 0 ? ['热门', `t${i % 7}`] : [`t${i % 7}`], related: [],
          validFrom: i % 13 === 0 ? new Date(now + 30 * day) : null, validTo: i % 11 === 0 ? new Date(now - day) : null,
          status: STATUSES[i % STATUSES.length], updatedBy: 'system',
        });
      }
      await db.tx((q) => repo.bind(q).upsertEntries(tenantId, botId, recs, new Date()));
      // Inserted directly: training a model of N entries is not what is measured here.
      const entries = recs.filter((r) => r.status !== 'archived').map((r) => ({
        id: r.externalId, category: null, question: r.question, similar: r.similar, answer: r.answer, answerHtml: null, channelAnswers: {},
        tags: r.tags, related: [], validFrom: null, validTo: null,
      }));
      await repo.insertVersion(tenantId, botId, { version: 1, snapshot: { version: 1, entries, synonyms: [] }, note: null, createdBy: 'system', createdAt: new Date() });
      await repo.setPublishedVersion(tenantId, botId, 1);
      if (target.name === 'postgres') await db.query('ANALYZE kb_entries');
      console.log(`[kb volume ${target.name}] seeded ${N} entries in ${Date.now() - t0} ms`);
    });
    after(async () => {
      await deps?.close();
      await closeDb?.().catch(() => {});
    });

    it('answers every list query the console makes quickly', async () => {
      const queries: [string, EntryListQuery][] = [
        ['first page (default statuses)', {}],
        ['text search "第4242号"', { q: '第4242号' }],
        ['text search "how to 777"', { q: 'how to 777' }],
        ['category subtree + status', { category: parent, status: 'published' }],
        ['tag', { tag: '热门' }],
        ['validity expired', { validity: 'expired' }],
        ['validity future, by question desc', { validity: 'future', sort: 'question', order: 'desc' }],
        ['updated desc, page 100 of 50', { sort: 'updatedAt', order: 'desc', page: 100, pageSize: 50 }],
        ['search "信用卡" + category + tag', { q: '信用卡', category: parent, tag: 't0' }],
      ];
      const figures: string[] = [];
      let worst = 0;
      for (const [name, q] of queries) {
        await deps.knowledge.listEntries(tenantId, botId, q); // warm
        const t0 = performance.now();
        const runs = 3;
        let res;
        for (let i = 0; i < runs; i++) res = await deps.knowledge.listEntries(tenantId, botId, q);
        const ms = (performance.now() - t0) / runs;
        worst = Math.max(worst, ms);
        figures.push(`${name}: ${ms.toFixed(1)} ms (total ${res!.total})`);
        assert.ok(res!.items.length > 0, name);
      }
      console.log(`[kb volume ${target.name}] ${N} entries, list query (mean of 3):\n  ${figures.join('\n  ')}`);
      const exact = await deps.knowledge.listEntries(tenantId, botId, { q: '第4242号' });
      assert.deepEqual(exact.items.map((e) => e.externalId), ['v-4242']);
      // Interactive: well under a second on PostgreSQL; PGlite (single-process WASM, tests and demos) gets more room.
      assert.ok(worst < (target.name === 'postgres' ? 500 : 2500), `slowest list query ${worst.toFixed(0)} ms`);
    });

    it("answers the editor's entry detail, live flag included, quickly", async () => {
      // v-4242 is published, v-4248 archived (see STATUSES): in the published version and not.
      const cases: [string, boolean][] = [['v-4242', true], ['v-4248', false], [`v-${N - 2}`, true]];
      const figures: string[] = [];
      let worst = 0;
      for (const [id, live] of cases) {
        await deps.knowledge.getEntryDetail(tenantId, botId, id); // warm
        const t0 = performance.now();
        for (let i = 0; i < 3; i++) assert.equal((await deps.knowledge.getEntryDetail(tenantId, botId, id)).live, live, id);
        const ms = (performance.now() - t0) / 3;
        worst = Math.max(worst, ms);
        figures.push(`${id} (live ${live}): ${ms.toFixed(1)} ms`);
      }
      console.log(`[kb volume ${target.name}] entry detail against a ${N}-entry published version (mean of 3):\n  ${figures.join('\n  ')}`);
      assert.ok(worst < (target.name === 'postgres' ? 500 : 2500), `slowest entry detail ${worst.toFixed(0)} ms`);
    });
  });
}
