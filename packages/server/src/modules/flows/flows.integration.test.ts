import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCoreApp, type CoreApp } from '../../../../demo-core/src/app.ts';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import { freePort } from '../../testing/ports.ts';
import { loadShippedFlows } from './shipped/index.ts';

/** A flow of every kind of step that matters to a dry run: an ask, an identity check, a call with an error branch. */
const dryFlow = (over: Record<string, unknown> = {}) => ({
  name: { zh: '测试办理', en: 'test' },
  triggers: { phrases: ['测试办理'] },
  slots: { amount: { entity: 'money' } },
  start: 'ask',
  steps: {
    ask: { type: 'ask', slot: 'amount', entity: 'money', prompt: '请问金额是多少？', next: 'verify', onFail: 'bye' },
    verify: { type: 'verify-identity', next: 'lookup', onFail: 'denied' },
    lookup: {
      type: 'call', connector: 'demo-core', operation: 'customerByPhone', input: { phone: '{verifiedPhone}' },
      outputs: ['customerName'], next: 'ok', onError: 'oops',
    },
    ok: { type: 'say', text: '{customerName}您好，金额已记录。', next: 'bye' },
    oops: { type: 'transfer', queue: 'general', text: '系统繁忙（{error}），为您转接人工。' },
    denied: { type: 'end', text: '身份验证未通过。' },
    bye: { type: 'end', text: '再见。' },
  },
  ...over,
});

/** Three problems at once: an unreachable step, an unknown connector, an ask for an undeclared slot. */
const brokenFlow = () => ({
  name: '坏流程',
  triggers: {},
  start: 'a',
  steps: {
    a: { type: 'ask', slot: 'cardNo', entity: 'card_number', prompt: '卡号？', next: 'b', onFail: 'z' },
    b: { type: 'call', connector: 'mainframe', operation: 'lookup', next: 'z', onError: 'z' },
    orphan: { type: 'say', text: '没人到这里', next: 'z' },
    z: { type: 'end' },
  },
});

// The live demo core listens on a port chosen now, so the seeded demo-core connector (LINGXI_DEMO_CORE_URL) points at it.
const corePort = await freePort();
const coreUrl = `http://127.0.0.1:${corePort}`;

for (const variant of await bothDatabases()) {
  describe(`flows of a bot (${variant.name})`, () => {
    const env = useDemoApp(variant, { env: { LINGXI_DEMO_CORE_URL: coreUrl } });
    let core: CoreApp;
    let admin: string;
    let operator: string;
    let agent: string;
    let otherAdmin: string;
    let tenantId: string;
    let botId: string;
    const base = '/api/v1/bots/demo/flows';

    before(async () => {
      core = await buildCoreApp({ apiKey: env.deps.config.LINGXI_DEMO_CORE_API_KEY });
      await core.listen({ host: '127.0.0.1', port: corePort });
      admin = await login(env.app);
      tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
      botId = (await env.deps.tenancy.getBot(tenantId, 'demo')).id;
      await env.deps.auth.createUser(tenantId, { username: 'kb-operator', password: 'operator-password-1', roles: ['knowledge_operator'] });
      await env.deps.auth.createUser(tenantId, { username: 'agent-1', password: 'agent-password-1', roles: ['agent'] });
      operator = await login(env.app, 'kb-operator', 'operator-password-1', 'demo');
      agent = await login(env.app, 'agent-1', 'agent-password-1', 'demo');
      const other = await env.deps.tenancy.createTenant('other-bank', '另一家银行');
      await env.deps.auth.createUser(other.id, { username: 'other-admin', password: 'other-admin-password', roles: ['admin'] });
      await env.deps.tenancy.createBot(other.id, { slug: 'other-bot', name: 'Other' });
      otherAdmin = await login(env.app, 'other-admin', 'other-admin-password', 'other-bank');
    });
    after(async () => {
      await core?.close();
    });

    const api = (token: string, method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    const published = async () => (await env.deps.knowledge.getPublishedSnapshot(tenantId, botId))!;

    test('the demo bot is seeded with every shipped flow, published in its first version', async () => {
      const shipped = loadShippedFlows().map((f) => f.id).sort();
      const r = await api(admin, 'GET', base);
      assert.equal(r.statusCode, 200, r.body);
      const items = r.json().items as { id: string; version: number; enabled: boolean }[];
      assert.deepEqual(items.map((f) => f.id), shipped);
      assert.ok(items.every((f) => f.version === 1 && f.enabled));
      const v1 = await env.deps.knowledge.getVersion(tenantId, botId, 1);
      assert.deepEqual(v1.snapshot.flows?.map((f) => f.id).sort(), shipped);
      assert.equal((await published()).version, 1);
      // The version's HTTP view carries its flows too.
      const v1Http = await api(admin, 'GET', `/api/v1/bots/${botId}/knowledge/versions/1`);
      assert.equal(v1Http.statusCode, 200, v1Http.body);
      assert.deepEqual((v1Http.json().snapshot.flows as { id: string }[]).map((f) => f.id).sort(), shipped);
    });

    test('an invalid flow is refused with each problem listed; nothing is saved', async () => {
      const r = await api(admin, 'PUT', `${base}/broken`, brokenFlow());
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().error.code, 'validation_failed');
      const problems = r.json().error.details.problems as { stepId?: string; message: string }[];
      assert.deepEqual(problems.find((p) => p.stepId === 'orphan'), { stepId: 'orphan', message: 'step is unreachable from the start step' });
      assert.deepEqual(problems.find((p) => p.stepId === 'b'), { stepId: 'b', message: 'calls unknown connector "mainframe"' });
      assert.match(problems.find((p) => p.stepId === 'a')!.message, /slot "cardNo", which is not declared/);
      assert.match(r.json().error.message, /step "orphan": step is unreachable/);
      assert.equal((await api(admin, 'GET', `${base}/broken`)).statusCode, 404);

      // An operation the connector does not have; a schema error; an id that differs from the path.
      const op = await api(admin, 'PUT', `${base}/dry`, dryFlow({ steps: { ...dryFlow().steps, lookup: { ...dryFlow().steps.lookup, operation: 'teleport' } } }));
      assert.deepEqual(op.json().error.details.problems, [{ stepId: 'lookup', message: 'connector "demo-core" has no operation "teleport"' }]);
      const schema = await api(admin, 'PUT', `${base}/dry`, dryFlow({ start: '' }));
      assert.equal(schema.statusCode, 400);
      assert.match(schema.json().error.details.problems[0].message, /invalid flow at start/);
      const mismatch = await api(admin, 'PUT', `${base}/dry`, { ...dryFlow(), id: 'other' });
      assert.equal(mismatch.statusCode, 400);
      assert.match(mismatch.json().error.message, /differs from the path/);
    });

    test('saving: the version grows with each change, an identical save changes nothing; enable and disable', async () => {
      const created = await api(operator, 'PUT', `${base}/dry`, dryFlow());
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().version, 1);
      assert.equal(created.json().definition.version, 1);
      assert.equal(created.json().definition.steps.ask.maxTries, 3, 'defaults applied');

      const changed = await api(operator, 'PUT', `${base}/dry`, { ...dryFlow({ name: '测试办理（二）' }), version: 1 });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.json().version, 2);
      const same = await api(operator, 'PUT', `${base}/dry`, { ...dryFlow({ name: '测试办理（二）' }), version: 7 });
      assert.equal(same.json().version, 2, 'an identical definition is not a change (its version field aside)');
      const got = await api(agent, 'GET', `${base}/dry`);
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().definition.version, 2);
      assert.equal(got.json().definition.name, '测试办理（二）');

      const off = await api(operator, 'PATCH', `${base}/dry`, { enabled: false });
      assert.equal(off.json().enabled, false);
      assert.equal(off.json().version, 2);
      assert.equal((await api(operator, 'PATCH', `${base}/dry`, { enabled: true })).json().enabled, true);

      const actions = (await env.deps.audit.list(tenantId, { limit: 100 })).filter((a) => a.target === 'dry').map((a) => a.action).reverse();
      assert.deepEqual(actions, ['flow.create', 'flow.update', 'flow.disable', 'flow.enable']);
    });

    test('roles and tenants: agents read only, another tenant gets 404', async () => {
      assert.equal((await api(agent, 'PUT', `${base}/dry`, dryFlow())).statusCode, 403);
      assert.equal((await api(agent, 'POST', `${base}/validate`, dryFlow())).statusCode, 403);
      assert.equal((await api(agent, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理'] })).statusCode, 403);
      assert.equal((await env.app.inject({ url: base })).statusCode, 401);

      for (const ref of ['demo', botId]) {
        const b = `/api/v1/bots/${ref}/flows`;
        assert.equal((await api(otherAdmin, 'GET', b)).statusCode, 404);
        assert.equal((await api(otherAdmin, 'GET', `${b}/dry`)).statusCode, 404);
        assert.equal((await api(otherAdmin, 'PUT', `${b}/dry`, dryFlow())).statusCode, 404);
        assert.equal((await api(otherAdmin, 'DELETE', `${b}/dry`)).statusCode, 404);
        assert.equal((await api(otherAdmin, 'POST', `${b}/dry/dry-run`, { messages: ['测试办理'] })).statusCode, 404);
      }
      // Their own bot: their connectors (none), so the demo-core call is an unknown connector there.
      const theirs = await api(otherAdmin, 'PUT', '/api/v1/bots/other-bot/flows/dry', dryFlow());
      assert.equal(theirs.statusCode, 400);
      assert.deepEqual(theirs.json().error.details.problems, [{ stepId: 'lookup', message: 'calls unknown connector "demo-core"' }]);
      assert.equal((await api(admin, 'GET', `${base}/dry`)).json().version, 2, 'untouched');
    });

    test('validate: 200 with the problems, or ok; nothing is saved', async () => {
      const bad = await api(operator, 'POST', `${base}/validate`, brokenFlow());
      assert.equal(bad.statusCode, 200);
      assert.equal(bad.json().ok, false);
      assert.deepEqual(bad.json().problems.map((p: { stepId?: string }) => p.stepId).sort(), ['a', 'b', 'orphan']);
      const good = await api(operator, 'POST', `${base}/validate`, { ...dryFlow(), id: 'never-saved' });
      assert.deepEqual(good.json(), { ok: true, problems: [] });
      assert.equal((await api(admin, 'GET', `${base}/never-saved`)).statusCode, 404);
    });

    test('publish carries the enabled flows into the immutable version; rollback restores them', async () => {
      // Working copy: dry (v2) added, wealth disabled, balance changed.
      await api(admin, 'PATCH', `${base}/wealth`, { enabled: false });
      const balance = (await api(admin, 'GET', `${base}/balance`)).json().definition;
      const balance2 = { ...balance, triggers: { ...balance.triggers, phrases: [...balance.triggers.phrases, '余额还剩多少'] } };
      assert.equal((await api(admin, 'PUT', `${base}/balance`, balance2)).json().version, 2);
      assert.equal((await published()).flows?.some((f) => f.id === 'dry'), false, 'nothing goes live before the publish');

      const pub = await api(admin, 'POST', '/api/v1/bots/demo/knowledge/publish', { note: 'flows' });
      assert.equal(pub.statusCode, 200, pub.body);
      const v2 = pub.json().version;
      const snap = await published();
      assert.equal(snap.version, v2);
      const ids = snap.flows!.map((f) => f.id);
      assert.ok(ids.includes('dry') && !ids.includes('wealth'));
      assert.equal(snap.flows!.find((f) => f.id === 'balance')!.version, 2);
      assert.deepEqual((await env.deps.knowledge.diffVersions(tenantId, botId, 1, v2)).flows, { added: ['dry'], removed: ['wealth'], changed: ['balance'] });

      // Later edits do not change the published version (immutable).
      await api(admin, 'PUT', `${base}/dry`, dryFlow({ name: '测试办理（三）' }));
      assert.equal((await env.deps.knowledge.getVersion(tenantId, botId, v2)).snapshot.flows!.find((f) => f.id === 'dry')!.version, 2);

      const rb = await api(admin, 'POST', '/api/v1/bots/demo/knowledge/rollback', { version: 1 });
      assert.equal(rb.statusCode, 200, rb.body);
      const v3 = rb.json().version;
      const list = (await api(admin, 'GET', base)).json().items as { id: string; version: number; enabled: boolean; definition: { triggers: { phrases?: string[] } } }[];
      const byId = new Map(list.map((f) => [f.id, f]));
      assert.equal(byId.get('dry')!.enabled, false, 'a flow not in the target is disabled, not deleted');
      assert.equal(byId.get('dry')!.version, 3);
      assert.equal(byId.get('wealth')!.enabled, true);
      assert.equal(byId.get('balance')!.version, 3, 'restored content is a new version of the working copy');
      assert.deepEqual(byId.get('balance')!.definition.triggers.phrases, balance.triggers.phrases);
      const snap3 = await published();
      assert.equal(snap3.version, v3);
      assert.deepEqual(snap3.flows!.map((f) => f.id).sort(), loadShippedFlows().map((f) => f.id).sort());
      assert.deepEqual((await env.deps.knowledge.diffVersions(tenantId, botId, 1, v3)).flows, { added: [], removed: [], changed: [] });

      // A publish right after the rollback is the same content.
      const again = await api(admin, 'POST', '/api/v1/bots/demo/knowledge/publish', {});
      assert.deepEqual((await env.deps.knowledge.diffVersions(tenantId, botId, v3, again.json().version)).flows, { added: [], removed: [], changed: [] });
      await api(admin, 'PATCH', `${base}/dry`, { enabled: true });
    });

    test('publish refuses an enabled flow whose connector was deleted since; disabling it unblocks the publish', async () => {
      const cur = (await api(admin, 'GET', '/api/v1/connectors/demo-core')).json().definition;
      assert.equal((await api(admin, 'PUT', '/api/v1/connectors/spare-core', { ...cur, id: 'spare-core', auth: { type: 'none' } })).statusCode, 201);
      const spare = dryFlow({ steps: { ...dryFlow().steps, lookup: { ...dryFlow().steps.lookup, connector: 'spare-core' } } });
      assert.equal((await api(admin, 'PUT', `${base}/spare`, spare)).statusCode, 201);
      assert.equal((await api(admin, 'DELETE', '/api/v1/connectors/spare-core')).statusCode, 204);
      const before = (await published()).version;
      const r = await api(admin, 'POST', '/api/v1/bots/demo/knowledge/publish', {});
      assert.equal(r.statusCode, 400, r.body);
      assert.deepEqual(r.json().error.details.flows, [{ flowId: 'spare', problems: [{ stepId: 'lookup', message: 'calls unknown connector "spare-core"' }] }]);
      assert.equal((await published()).version, before, 'nothing published');
      await api(admin, 'PATCH', `${base}/spare`, { enabled: false });
      assert.equal((await api(admin, 'POST', '/api/v1/bots/demo/knowledge/publish', {})).statusCode, 200);
      assert.equal((await api(admin, 'DELETE', `${base}/spare`)).statusCode, 204);
      assert.equal((await api(admin, 'GET', `${base}/spare`)).statusCode, 404);
    });

    test('dry run with mocks: the happy path and the error branch, touching no conversation', async () => {
      const conversations = async () => Number((await env.deps.db.query('SELECT count(*)::int AS n FROM conversations'))[0].n);
      const n0 = await conversations();
      const ok = await api(operator, 'POST', `${base}/dry/dry-run`, {
        messages: ['测试办理', '100元', '还有别的吗'],
        mocks: { 'demo-core.customerByPhone': { ok: true, vars: { customerName: '张三' } } },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const body = ok.json();
      assert.equal(body.outcome, 'end');
      assert.equal(body.turns.length, 2);
      assert.deepEqual(body.unplayed, ['还有别的吗']);
      assert.equal(body.turns[0].user, '测试办理');
      assert.deepEqual(body.turns[0].replies.map((r: { text: string }) => r.text), ['请问金额是多少？']);
      assert.equal(body.turns[0].state.waitingFor, 'slot');
      assert.deepEqual(body.turns[1].replies.map((r: { text: string }) => r.text), ['张三您好，金额已记录。', '再见。']);
      assert.equal(body.turns[1].state, null);
      assert.ok(body.turns[1].events.some((e: { type: string; payload: { slot?: string; value?: unknown } }) => e.type === 'slot.filled' && e.payload.slot === 'amount' && e.payload.value === 100));
      assert.deepEqual(body.calls, [{ connector: 'demo-core', operation: 'customerByPhone', source: 'mock', ok: true }]);
      assert.deepEqual(body.problems, []);

      const err = await api(operator, 'POST', `${base}/dry/dry-run`, {
        messages: ['测试办理', '200'], lang: 'zh',
        mocks: { 'demo-core.customerByPhone': { ok: false, error: 'timeout' } },
      });
      assert.equal(err.json().outcome, 'transfer');
      assert.deepEqual(err.json().turns[1].replies.at(-1), { type: 'handoff', text: '系统繁忙（timeout），为您转接人工。' });

      const denied = await api(operator, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理', '200'], identity: { verified: false } });
      assert.equal(denied.json().outcome, 'end');
      assert.deepEqual(denied.json().calls, []);
      assert.equal(denied.json().turns[1].replies.at(-1).text, '身份验证未通过。');

      const cancelled = await api(operator, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理', '算了'] });
      assert.equal(cancelled.json().outcome, 'cancelled');
      const active = await api(operator, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理'] });
      assert.equal(active.json().outcome, 'active');

      // An unsaved definition: run as posted, its structural problems reported beside the run.
      const unsaved = await api(operator, 'POST', `${base}/dry-run`, {
        flow: { ...dryFlow(), id: 'draft-1', steps: { ...dryFlow().steps, orphan: { type: 'say', text: '孤岛', next: 'bye' } } },
        messages: ['测试办理', '300'], mocks: { 'demo-core.customerByPhone': { ok: true, vars: { customerName: '李四' } } },
      });
      assert.equal(unsaved.statusCode, 200, unsaved.body);
      assert.equal(unsaved.json().flowId, 'draft-1');
      assert.equal(unsaved.json().turns[1].replies[0].text, '李四您好，金额已记录。');
      assert.deepEqual(unsaved.json().problems, [{ stepId: 'orphan', message: 'step is unreachable from the start step' }]);
      assert.equal((await api(admin, 'GET', `${base}/draft-1`)).statusCode, 404, 'not saved');
      const unparsable = await api(operator, 'POST', `${base}/dry-run`, { flow: { name: 'x' }, messages: ['hi'] });
      assert.equal(unparsable.statusCode, 400);
      assert.equal(unparsable.json().error.code, 'validation_failed');
      assert.equal((await api(operator, 'POST', `${base}/nope/dry-run`, { messages: ['hi'] })).statusCode, 404);
      assert.equal((await api(operator, 'POST', `${base}/dry/dry-run`, { messages: [] })).statusCode, 400);

      assert.equal(await conversations(), n0, 'no conversation was created');
      const audit = (await env.deps.audit.list(tenantId, { action: 'flow.dry_run', limit: 10 }));
      assert.ok(audit.length >= 5);
    });

    test('dry run against the live demo core through the seeded connector (only for those who may manage connectors)', async () => {
      const customer = core.coreStore.data.customers[0];
      // A knowledge operator may dry-run, but not read real customers' data through the live connector.
      const refused = await api(operator, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理', '100'], identity: { verified: true, phone: customer.mobile } });
      assert.equal(refused.statusCode, 200, refused.body);
      assert.deepEqual(refused.json().calls, [{ connector: 'demo-core', operation: 'customerByPhone', source: 'live', ok: false, error: 'live_calls_not_allowed' }]);
      assert.ok(!refused.body.includes(customer.name.slice(1)), 'no customer data reaches the operator');
      const live = await api(admin, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理', '100'], identity: { verified: true, phone: customer.mobile } });
      assert.equal(live.statusCode, 200, live.body);
      assert.equal(live.json().outcome, 'end');
      assert.deepEqual(live.json().calls, [{ connector: 'demo-core', operation: 'customerByPhone', source: 'live', ok: true }]);
      assert.equal(live.json().turns[1].replies[0].text, `${customer.name}您好，金额已记录。`);

      // A phone the core does not know: its 404 takes the flow's error branch.
      const unknown = await api(admin, 'POST', `${base}/dry/dry-run`, { messages: ['测试办理', '100'], identity: { verified: true, phone: '19999999999' } });
      assert.equal(unknown.json().outcome, 'transfer');
      assert.deepEqual(unknown.json().calls, [{ connector: 'demo-core', operation: 'customerByPhone', source: 'live', ok: false, error: 'http_error' }]);

      // A shipped flow, saved, live: the balance inquiry of the demo customer.
      const balance = await api(admin, 'POST', `${base}/balance/dry-run`, { messages: ['查余额'], identity: { verified: true, phone: customer.mobile } });
      assert.equal(balance.statusCode, 200, balance.body);
      const calls = balance.json().calls as { operation: string; source: string; ok: boolean }[];
      assert.deepEqual(calls.slice(0, 2).map((c) => [c.operation, c.source, c.ok]), [['customerByPhone', 'live', true], ['accounts', 'live', true]]);
      assert.notEqual(balance.json().outcome, 'failed');
      const audit = (await env.deps.audit.list(tenantId, { action: 'flow.dry_run', limit: 1 }))[0];
      assert.deepEqual(audit.details?.calls, calls.map((c) => `demo-core.${c.operation}:live`));
    });

    test('the flow and connector routes are in the OpenAPI document', async () => {
      const doc = (await env.app.inject({ url: '/openapi.json' })).json();
      for (const p of ['/api/v1/bots/{botId}/flows', '/api/v1/bots/{botId}/flows/{flowId}', '/api/v1/bots/{botId}/flows/validate',
        '/api/v1/bots/{botId}/flows/dry-run', '/api/v1/bots/{botId}/flows/{flowId}/dry-run', '/api/v1/connectors', '/api/v1/connectors/{id}']) {
        assert.ok(doc.paths[p], `${p} documented`);
      }
      assert.ok(doc.paths['/api/v1/bots/{botId}/flows/{flowId}'].put);
      assert.ok(doc.paths['/api/v1/bots/{botId}/flows/{flowId}'].patch);
    });
  });
}
