import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';

for (const variant of await bothDatabases()) {
  describe(`test console on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let admin = '';
    let operator = '';
    let agent = '';
    let tenantId = '';
    const turn = (token: string, body: Record<string, unknown>, bot = 'demo') =>
      env.app.inject({ method: 'POST', url: `/api/v1/bots/${bot}/test-console/turns`, headers: { authorization: `Bearer ${token}` }, payload: body });
    const conversationCount = async () => Number((await env.deps.db.query('SELECT count(*)::int AS n FROM conversations'))[0].n);
    const learningCount = async () => Number((await env.deps.db.query('SELECT count(*)::int AS n FROM learning_questions'))[0].n);

    before(async () => {
      admin = await login(env.app);
      const bot = await env.deps.tenancy.getPublicBot('demo');
      tenantId = bot.tenantId;
      await env.deps.auth.createUser(tenantId, { username: 'kb-op', password: 'password-123', roles: ['knowledge_operator'] });
      await env.deps.auth.createUser(tenantId, { username: 'agent-x', password: 'password-123', roles: ['agent'] });
      operator = await login(env.app, 'kb-op', 'password-123', 'demo');
      agent = await login(env.app, 'agent-x', 'password-123', 'demo');
    });

    test('a published version answers a known question with a trace, and nothing is logged or collected', async () => {
      const bot = await env.deps.tenancy.getPublicBot('demo');
      const convs = await conversationCount();
      const r = await turn(operator, { version: bot.publishedVersion, text: '借记卡丢了怎么挂失？' });
      assert.equal(r.statusCode, 200, r.body);
      const { replies, trace } = r.json();
      assert.equal(replies[0].type, 'answer');
      assert.equal(replies[0].entryId, 'zh-debit-001');
      assert.equal(trace.decision, 'answer');
      assert.equal(trace.intent.id, 'zh-debit-001');
      assert.equal(trace.intent.question, '借记卡丢了怎么挂失？');
      assert.equal(trace.hits[0].id, 'zh-debit-001');
      assert.ok(trace.hits[0].score >= trace.thresholds.answer);
      assert.equal(trace.reason.rule, 'confident');
      assert.match(trace.reason.text, /≥ answer threshold 0\.55/);
      assert.equal(trace.version, bot.publishedVersion);

      const nonsense = await turn(operator, { version: bot.publishedVersion, text: '火星上的企鹅喜欢吃什么口味的冰淇淋' });
      const n = nonsense.json();
      assert.equal(n.trace.decision, 'fallback', nonsense.body);
      assert.equal(n.trace.reason.rule, 'below_clarify');
      assert.match(n.trace.reason.text, /clarify threshold 0\.15 → fallback|no candidate entry → fallback/);
      assert.equal(n.replies[0].type, 'fallback');
      assert.equal(n.state.failures, 1);

      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await conversationCount(), convs, 'test turns are not conversations');
      assert.equal(await learningCount(), 0, 'test turns are not collected');
    });

    test('clarification and the choice by number work across turns with the state carried by the client', async () => {
      const r = await turn(admin, { version: 'draft', text: '卡丢了' });
      const a = r.json();
      assert.equal(a.trace.decision, 'clarify', r.body);
      assert.ok(a.replies[0].options.length >= 2);
      assert.match(a.trace.reason.text, /clarify/);
      assert.ok(['underspecified', 'low_score', 'low_margin'].includes(a.trace.reason.rule));
      const chosen = a.replies[0].options[1];
      const b = (await turn(admin, { version: 'draft', text: '2', state: a.state })).json();
      assert.equal(b.trace.decision, 'answer');
      assert.equal(b.trace.reason.rule, 'choice');
      assert.equal(b.replies[0].entryId, chosen.entryId);
      assert.equal(b.trace.intent.id, chosen.entryId);
    });

    test('the draft includes unpublished entries, its model is reused until the working copy changes', async () => {
      const p = { tenantId, actor: 'test' };
      const q = '跨境理财通的南向通怎么开户？';
      const bot = await env.deps.tenancy.getPublicBot('demo');
      const before = (await turn(admin, { version: bot.publishedVersion, text: q })).json();
      assert.notEqual(before.trace.decision, 'answer', 'the published version does not know it');
      const e = await env.deps.knowledge.createEntry(p, bot.id, { question: q, similar: ['南向通开户', '跨境理财通南向通如何开户'], answer: '请在示例银行App的“跨境理财通”中办理南向通开户。', status: 'draft' } as never);
      const first = (await turn(admin, { version: 'draft', text: '跨境理财通南向通如何开户' })).json();
      assert.equal(first.trace.decision, 'answer', JSON.stringify(first.trace));
      assert.equal(first.replies[0].entryId, e.externalId);
      assert.equal(first.trace.version, 'draft');
      const again = (await turn(admin, { version: 'draft', text: '南向通开户' })).json();
      assert.equal(again.trace.trainedAt, first.trace.trainedAt, 'same working copy, same model');
      await env.deps.knowledge.updateEntry(p, bot.id, e.id, { similar: ['南向通开户', '跨境理财通南向通如何开户', '理财通南向开户流程'] } as never);
      const after = (await turn(admin, { version: 'draft', text: '理财通南向开户流程' })).json();
      assert.notEqual(after.trace.trainedAt, first.trace.trainedAt, 'the working copy changed: retrained');
      assert.equal(after.trace.entryCount, first.trace.entryCount);
      // Still unpublished: the published version keeps not answering it.
      const pub = (await turn(admin, { version: bot.publishedVersion, text: '跨境理财通南向通如何开户' })).json();
      assert.notEqual(pub.replies[0]?.entryId, e.externalId);
    });

    test('bad input, unknown versions, roles and other tenants are refused', async () => {
      assert.equal((await turn(admin, { version: 999, text: '你好' })).statusCode, 404);
      assert.equal((await turn(admin, { version: 'draft', text: '' })).statusCode, 400);
      assert.equal((await turn(admin, { version: 'v1', text: '你好' })).statusCode, 400);
      assert.equal((await turn(agent, { version: 'draft', text: '你好' })).statusCode, 403);
      assert.equal((await env.app.inject({ method: 'POST', url: '/api/v1/bots/demo/test-console/turns', payload: { version: 'draft', text: '你好' } })).statusCode, 401);
      const other = await env.deps.tenancy.createTenant('other-bank', 'Other');
      await env.deps.auth.createUser(other.id, { username: 'other-admin', password: 'password-123', roles: ['admin'] });
      const otherTok = await login(env.app, 'other-admin', 'password-123', 'other-bank');
      assert.equal((await turn(otherTok, { version: 'draft', text: '你好' })).statusCode, 404);
    });
  });
}
