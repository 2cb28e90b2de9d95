// The demo bank's conversation tests (demo/conversations/*.json): every shipped flow played end to end against the
// platform on PostgreSQL (PGlite when PostgreSQL is absent outside CI), with the demo core banking service on
// loopback behind the seeded HTTP connector, and one-time codes read from the recording SMS provider.
import { after, before, describe, test } from 'node:test';
import { buildCoreApp, type CoreApp } from '@lingxi/demo-core';
import { bothDatabases } from '../testing/databases.ts';
import { demoApp, type DemoEnv } from '../testing/app.ts';
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

  for (const { file, test: t } of tests) {
    test(`${file}: ${t.name}`, async () => {
      await fetch(`${coreUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      clock.offsetMs += 3600_000; // every test starts after earlier tests' rate limits and sessions have lapsed
      await runConversationTest(t, harness(env)).then((h) => h.setCoreFaults({}));
    });
  }
});
