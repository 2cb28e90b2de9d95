import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import { localDay } from '../analytics/analytics-service.ts';

type Cluster = { key: string; representative: string; count: number; members: { text: string; count: number; ids: string[] }[] };

for (const variant of await bothDatabases()) {
  describe(`learning from traffic on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let admin = '';
    let agent = '';
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const get = (url: string, tok = admin) => env.app.inject({ method: 'GET', url, headers: auth(tok) });
    const post = (url: string, payload: unknown, tok = admin) => env.app.inject({ method: 'POST', url, headers: auth(tok), payload: payload as never });
    /** One customer conversation per message, as separate customers would ask. */
    const ask = async (text: string) => {
      const r = await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', text } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const clusters = async (): Promise<Cluster[]> => (await get('/api/v1/bots/demo/learning/clusters')).json().clusters;
    const waitFor = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
      for (let i = 0; i < 100; i++) {
        const v = await fn();
        if (ok(v)) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`timed out waiting for ${what}`);
    };
    const ids = (c: Cluster) => c.members.flatMap((m) => m.ids);

    before(async () => {
      admin = await login(env.app);
      const bot = await env.deps.tenancy.getPublicBot('demo');
      await env.deps.auth.createUser(bot.tenantId, { username: 'agent-l', password: 'password-123', roles: ['agent'] });
      agent = await login(env.app, 'agent-l', 'password-123', 'demo');
    });

    test('unanswered questions of real chats are collected and clustered; a cluster becomes a draft entry', async () => {
      const zh = ['火星银行的外星人账户怎么开通', '火星银行外星人账户如何开通？', '怎么开通火星银行的外星人账户', '火星银行的外星人账户怎么开通'];
      const en = ['Can I buy a ticket to the moon?', 'buy moon ticket', 'where to buy tickets to the moon'];
      for (const t of [...zh, ...en, '企鹅冰淇淋口味推荐']) {
        const r = await ask(t);
        assert.ok(['fallback', 'clarify'].includes(r.replies[0].type), `${t}: ${r.replies[0].type}`);
      }
      const cs = await waitFor(clusters, (c) => c.reduce((s, x) => s + x.count, 0) >= 8, 'collected questions');
      assert.equal(cs[0].count, 4, JSON.stringify(cs));
      assert.equal(cs[0].representative, '火星银行的外星人账户怎么开通');
      assert.equal(cs[0].members[0].count, 2);
      assert.equal(cs[1].count, 3);
      assert.ok(cs[1].members.every((m) => /moon/i.test(m.text)));
      assert.equal(cs[2].count, 1);

      const r = await post('/api/v1/bots/demo/learning/clusters/new-entry', { questionIds: ids(cs[0]) });
      assert.equal(r.statusCode, 201, r.body);
      const { entry, handled } = r.json();
      assert.equal(handled, 4);
      assert.equal(entry.question, '火星银行的外星人账户怎么开通');
      assert.equal(entry.status, 'draft');
      assert.deepEqual(entry.similar.sort(), ['怎么开通火星银行的外星人账户', '火星银行外星人账户如何开通？'].sort());
      const stored = await get(`/api/v1/bots/demo/knowledge/entries/${entry.externalId}`);
      assert.equal(stored.statusCode, 200);
      assert.equal(stored.json().question, entry.question);
      const left = await clusters();
      assert.equal(left.length, 2, 'the handled questions leave the list');
      assert.ok(!left.some((c) => c.representative.includes('火星')));
      // The same questions cannot be handled twice.
      assert.equal((await post('/api/v1/bots/demo/learning/clusters/dismiss', { questionIds: ids(cs[0]) })).statusCode, 409);

      // Add the English cluster to an existing entry; dismiss the rest.
      const en1 = left.find((c) => c.members.some((m) => /moon/i.test(m.text)))!;
      const add = await post('/api/v1/bots/demo/learning/clusters/add-to-entry', { questionIds: ids(en1), entry: entry.externalId });
      assert.equal(add.statusCode, 200, add.body);
      assert.equal(add.json().added, 3);
      assert.equal(add.json().entry.similar.length, 5);
      const rest = await clusters();
      assert.equal(rest.length, 1);
      assert.equal((await post('/api/v1/bots/demo/learning/clusters/dismiss', { questionIds: ids(rest[0]) })).json().dismissed, 1);
      assert.deepEqual(await clusters(), []);

      // Roles and input.
      assert.equal((await get('/api/v1/bots/demo/learning/clusters', agent)).statusCode, 403);
      assert.equal((await post('/api/v1/bots/demo/learning/clusters/new-entry', { questionIds: [] })).statusCode, 400);
      assert.equal((await post('/api/v1/bots/demo/learning/clusters/new-entry', { questionIds: ['lq_nope'] })).statusCode, 409);
      // Another tenant sees neither the bot nor its questions.
      const other = await env.deps.tenancy.createTenant('other-bank', 'Other');
      await env.deps.auth.createUser(other.id, { username: 'other-admin', password: 'password-123', roles: ['admin'] });
      const otherTok = await login(env.app, 'other-admin', 'password-123', 'other-bank');
      assert.equal((await get('/api/v1/bots/demo/learning/clusters', otherTok)).statusCode, 404);
      assert.equal((await get('/api/v1/bots/demo/learning/hot', otherTok)).statusCode, 404);
    });

    test('low-confidence answers are collected, choices are not', async () => {
      const bot = await env.deps.tenancy.getPublicBot('demo');
      await env.deps.tenancy.updateBot({ tenantId: bot.tenantId, actor: 'test', roles: ['admin'] }, bot.id, { settings: { learning: { hotQuestionsAuto: false, lowConfidence: 0.99 } } });
      await new Promise((r) => setTimeout(r, 50));
      const r = await ask('借记卡丢了怎么挂失？');
      assert.equal(r.replies[0].type, 'answer');
      const cs = await waitFor(clusters, (c) => c.length === 1, 'a low-confidence answer');
      assert.equal(cs[0].representative, '借记卡丢了怎么挂失？');
      const [row] = await env.deps.db.query(`SELECT decision, score FROM learning_questions WHERE status = 'open'`);
      assert.equal(row.decision, 'low_confidence');
      assert.ok(row.score > 0.5 && row.score < 0.99);
      await post('/api/v1/bots/demo/learning/clusters/dismiss', { questionIds: ids(cs[0]) });
      await env.deps.tenancy.updateBot({ tenantId: bot.tenantId, actor: 'test', roles: ['admin'] }, bot.id, { settings: { learning: { hotQuestionsAuto: false, lowConfidence: 0.6 } } });
    });

    test('hot questions: statistics per day and week, and the automatic menu of the robot', async () => {
      const bot = await env.deps.tenancy.getPublicBot('demo');
      await env.deps.analytics.projector.runOnce();
      const before = (await get('/api/v1/bots/demo/learning/hot?period=day&days=7')).json();
      const base = before.top.find((t: { entryId: string }) => t.entryId === 'zh-debit-001')?.count ?? 0;
      for (let i = 0; i < 3; i++) await ask('借记卡丢了怎么挂失？');
      await ask('How do I report a lost debit card?');
      const stats = await waitFor(
        async () => {
          // The statistics are the analytics rollups: the projector folds the chats in (in a server, a second later).
          await env.deps.analytics.projector.runOnce();
          return (await get('/api/v1/bots/demo/learning/hot?period=day&days=7')).json();
        },
        (s) => (s.top.find((t: { entryId: string }) => t.entryId === 'zh-debit-001')?.count ?? 0) >= base + 3,
        'answer counts',
      );
      assert.equal(stats.periods.length, 7);
      assert.equal(stats.periods.at(-1), localDay(new Date()));
      const top = stats.top.find((t: { entryId: string }) => t.entryId === 'zh-debit-001');
      assert.equal(top.count, base + 3);
      assert.equal(top.question, '借记卡丢了怎么挂失？');
      assert.equal(top.series.at(-1), base + 3);
      assert.equal(stats.totals.at(-1), stats.top.reduce((s: number, t: { series: number[] }) => s + t.series.at(-1)!, 0));
      const week = (await get('/api/v1/bots/demo/learning/hot?period=week&days=7')).json();
      assert.ok(week.periods.length >= 1 && week.periods.length <= 2);
      assert.equal(week.top.find((t: { entryId: string }) => t.entryId === 'zh-debit-001').count, base + 3);

      // The demo bot has a manual list: that is the menu.
      const manual = (await get('/api/v1/bots/demo/learning/hot-menu')).json();
      assert.equal(manual.source, 'manual');
      assert.ok(manual.items.length > 0);
      // Automatic hot questions when the list is empty.
      const patch = await env.app.inject({ method: 'PATCH', url: '/api/v1/bots/demo', headers: auth(admin), payload: { settings: { hotQuestions: [], learning: { hotQuestionsAuto: true, lowConfidence: 0.6 } } } });
      assert.equal(patch.statusCode, 200, patch.body);
      const menu = (await get('/api/v1/bots/demo/learning/hot-menu')).json();
      assert.equal(menu.source, 'auto');
      assert.equal(menu.items[0].entryId, 'zh-debit-001');
      assert.equal(menu.items[0].count, base + 3);
      // The robot offers them on a fallback (in the customer's language).
      const fb = await ask('企鹅冰淇淋口味推荐吗');
      assert.equal(fb.replies[0].type, 'fallback');
      assert.equal(fb.replies[0].options?.[0]?.entryId, 'zh-debit-001', JSON.stringify(fb.replies[0]));
      void bot;
    });
  });
}
