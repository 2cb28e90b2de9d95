// The demo bank's conversation tests (demo/conversations/*.json): every shipped flow played end to end against the
// platform on PostgreSQL (PGlite when PostgreSQL is absent outside CI), with the demo core banking service on
// loopback behind the seeded HTTP connector, and one-time codes read from the recording SMS provider.
import { after, before, describe, test } from 'node:test';
import { buildCoreApp, type CoreApp } from '@lingxi/demo-core';
import { bothDatabases } from '../testing/databases.ts';
import assert from 'node:assert/strict';
import { demoApp, login, type DemoEnv } from '../testing/app.ts';
import { freePort } from '../testing/ports.ts';
import { loadConversationTests, runConversationTest, TestClock, type ConversationHarness } from '../testing/conversation-tests.ts';
import type { Db } from '../storage/db.ts';

/** The database as a server sees it, except that stopping the server leaves it open (a restart reuses it). */
const keepOpen = (db: Db): Db => new Proxy(db, { get: (t, k) => (k === 'close' ? async () => {} : Reflect.get(t, k)) });

const DIR = new URL('./conversations/', import.meta.url).pathname;
const tests = loadConversationTests(DIR);
const [variant] = (await bothDatabases()).slice(-1);

describe(`conversation tests of the demo bank (${variant.name})`, () => {
  let core: CoreApp;
  let db: { db: Db; close(): Promise<void> };
  let env: DemoEnv;
  let coreUrl: string;
  const clock = new TestClock();

  const harness = (e: DemoEnv): ConversationHarness => ({
    handle: (t) => e.deps.chat.handle(t),
    smsTexts: async () => (await e.deps.sms.list((await e.deps.tenancy.findTenantBySlug('demo'))!.id, { limit: 500 })).map((m) => m.body).reverse(),
    events: async (id) => {
      const tenant = (await e.deps.tenancy.findTenantBySlug('demo'))!;
      return e.deps.conversations.events(tenant.id, id, { limit: 1000 });
    },
    conversationState: async (id) => {
      const bot = await e.deps.chat.publicBot('demo');
      return (await e.deps.conversations.findForBot(bot.id, id))!.state;
    },
    openState: (state) => e.deps.flowTurns.unseal(state) as ReturnType<ConversationHarness['openState']>,
    replaySecure: (events) => e.deps.flowTurns.replaySecure(events),
    setCoreFaults: async (f) => {
      const r = await fetch(`${coreUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
      if (!r.ok) throw new Error(`faults: ${r.status}`);
    },
    clock,
    restart: async () => {
      await env.close();
      env = await demoApp(keepOpen(db.db), { env: { LINGXI_DEMO_CORE_URL: coreUrl }, clock });
      return harness(env);
    },
  });

  before(async () => {
    core = await buildCoreApp({ apiKey: 'demo-core-key', faults: true });
    const port = await freePort();
    await core.listen({ host: '127.0.0.1', port });
    coreUrl = `http://127.0.0.1:${port}`;
    db = await variant.open();
    env = await demoApp(keepOpen(db.db), { env: { LINGXI_DEMO_CORE_URL: coreUrl }, clock });
  });
  after(async () => {
    await env?.close();
    await db?.close();
    await core?.close();
  });

  test('the one-time code a demo customer received is listed for an administrator (audited), not for an agent', async () => {
    const r = await env.deps.chat.handle({ bot: 'demo', text: '查余额', channel: 'web' });
    await env.deps.chat.handle({ bot: 'demo', sessionId: r.sessionId, text: '13800138000', channel: 'web' });
    const admin = await login(env.app);
    const list = await env.app.inject({ url: '/api/v1/sms?limit=5', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(list.json().items[0].to, '138****8000');
    assert.match(list.json().items[0].body, /验证码.*\d{6}|\d{6}.*验证码/);
    const tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
    await env.deps.auth.createUser(tenantId, { username: 'agent-sms', password: 'agent-password-1', roles: ['agent'] });
    const agent = await login(env.app, 'agent-sms', 'agent-password-1', 'demo');
    assert.equal((await env.app.inject({ url: '/api/v1/sms', headers: { authorization: `Bearer ${agent}` } })).statusCode, 403);
    assert.ok((await env.deps.audit.list(tenantId, { action: 'sms.list', limit: 5 })).length >= 1);
  });

  for (const { file, test: t } of tests) {
    test(`${file}: ${t.name}`, async () => {
      await fetch(`${coreUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      clock.offsetMs += 3600_000; // every test starts after earlier tests' rate limits and sessions have lapsed
      await runConversationTest(t, harness(env)).then((h) => h.setCoreFaults({}));
    });
  }
});
