/**
 * The operations console at volume (issue 6 "Performance"): dashboards over 1,000,000 conversation events and the
 * knowledge list with 50,000 entries.
 *
 *   npm run bench -- console [--events 1000000] [--entries 50000] [--samples 20] [--storage postgres|pglite]
 *
 * On a fresh database (PostgreSQL by default; PGlite in a temporary directory with --storage pglite): the demo
 * tenant, then scripts/seed-volume.ts (the same generator as `npm run seed:volume`), then:
 * - projection catch-up: one projector pass over the whole log (events/s);
 * - dashboard: the dashboard page's eight API calls in parallel over real HTTP (overview, traffic, trends, top
 *   entries, top intents, satisfaction, agents, SLA), for 30 days, 7 days and 30 days of one channel; p95 of the
 *   page's load (the slowest of the eight). Limit 1 s (ratio = p95 / 1000). The peer measured in the same run: the
 *   overview's figures computed straight from conversation_events (what the rollups spare the dashboards);
 * - knowledge list: GET /api/v1/bots/volume/knowledge/entries (page 1, a deep page, two search terms, a status
 *   filter), 20 per page; p95. Limit 300 ms, an interactive list's budget (ratio = p95 / 300).
 * Last stdout line: one JSON object with the figures and ratios.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, round } from './lib/args.ts';
import { freshPostgres } from '../packages/server/src/testing/databases.ts';
import { demoApp, login } from '../packages/server/src/testing/app.ts';
import { openPgliteDb } from '../packages/server/src/storage/pglite-db.ts';
import { migrate } from '../packages/server/src/storage/migrate.ts';
import type { Db } from '../packages/server/src/storage/db.ts';
import { seedVolume } from '../scripts/seed-volume.ts';
import { localDay } from '../packages/server/src/modules/analytics/analytics-service.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    entries: { type: 'string', default: '50000' },
    samples: { type: 'string', default: '20' },
    storage: { type: 'string', default: 'postgres' },
  },
  strict: true,
});
const EVENTS = int(args.events, 'events', 1000, 20_000_000);
const ENTRIES = int(args.entries, 'entries', 100, 1_000_000);
const SAMPLES = int(args.samples, 'samples', 3, 1000);
const DASHBOARD_LIMIT_MS = 1000;
const LIST_LIMIT_MS = 300;
const log = (s: string) => process.stderr.write(`${s}\n`);

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
};
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function openDb(): Promise<{ db: Db; close(): Promise<void> }> {
  if (args.storage === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'lingxi-bench-console-'));
    const db = await openPgliteDb(dir);
    await migrate(db);
    return { db, close: async () => { await db.close().catch(() => {}); rmSync(dir, { recursive: true, force: true }); } };
  }
  const pg = await freshPostgres();
  if (!pg) throw new Error('PostgreSQL is not reachable (use --storage pglite)');
  return { db: pg.db, close: () => pg.drop() };
}

const { db, close: closeDb } = await openDb();
const env = await demoApp(db);
try {
  const tenant = (await env.deps.tenancy.findTenantBySlug('demo'))!;
  log(`seeding ${EVENTS} events and ${ENTRIES} entries on ${db.kind}…`);
  const seeded = await seedVolume(db, { tenantId: tenant.id, events: EVENTS, entries: ENTRIES, days: 30, log });
  log(`seeded in ${seeded.ms} ms`);
  if (db.kind === 'postgres') await db.query('ANALYZE');

  const t0 = Date.now();
  const pass = await env.deps.analytics.projector.runOnce();
  const catchUpMs = Date.now() - t0;
  log(`projection caught up in ${catchUpMs} ms: ${JSON.stringify(pass)}`);
  if (db.kind === 'postgres') await db.query('ANALYZE');

  const address = await env.app.listen({ port: 0, host: '127.0.0.1' });
  const token = await login(env.app);
  const get = async (path: string) => {
    const t = performance.now();
    const r = await fetch(`${address}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await r.text();
    if (!r.ok) throw new Error(`${path}: ${r.status} ${body}`);
    return { ms: performance.now() - t, body };
  };

  // ---- dashboard
  const to = localDay(new Date());
  const from30 = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const from7 = new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  const ranges = [`from=${from30}&to=${to}`, `from=${from7}&to=${to}`, `from=${from30}&to=${to}&channel=wechat`];
  const page = (q: string) => [
    `/api/v1/analytics/overview?${q}`, `/api/v1/analytics/traffic?${q}`, `/api/v1/analytics/trends?${q}`, `/api/v1/analytics/top?kind=entry&${q}`,
    `/api/v1/analytics/top?kind=intent&${q}`, `/api/v1/analytics/satisfaction?by=agent&${q}`, `/api/v1/analytics/agents?${q}`, `/api/v1/analytics/sla?${q}`,
  ];
  const overview = JSON.parse((await get(`/api/v1/analytics/overview?${ranges[0]}`)).body);
  log(`overview 30 days: ${JSON.stringify(overview.totals)}`);
  for (const q of ranges) await Promise.all(page(q).map(get)); // warm-up
  const loads: number[] = [];
  const perEndpoint = new Map<string, number[]>();
  for (let i = 0; i < SAMPLES; i++) {
    for (const q of ranges) {
      const t = performance.now();
      const rs = await Promise.all(page(q).map(async (p) => ({ p, r: await get(p) })));
      loads.push(performance.now() - t);
      for (const { p, r } of rs) {
        const k = p.split('?')[0] + (p.includes('kind=intent') ? '?kind=intent' : p.includes('kind=entry') ? '?kind=entry' : '');
        perEndpoint.set(k, [...(perEndpoint.get(k) ?? []), r.ms]);
      }
    }
  }
  const dashboardP95 = p95(loads);

  // The peer: the same 30-day overview straight from the log (what a dashboard without rollups would run).
  const rawTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await db.query(
      `SELECT count(DISTINCT e.conversation_id) AS conversations,
         count(DISTINCT e.conversation_id) FILTER (WHERE e.type = 'conversation.handoff') AS handed_off,
         count(DISTINCT e.conversation_id) FILTER (WHERE e.type = 'nlu.understood' AND e.payload->>'decision' = 'fallback') AS fallback,
         count(DISTINCT e.conversation_id) FILTER (WHERE e.type = 'nlu.understood' AND e.payload->>'decision' = 'clarify') AS clarify
       FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id
       WHERE c.tenant_id = $1 AND c.created_at >= $2::timestamptz AND c.created_at < $3::timestamptz`,
      [tenant.id, `${from30}T00:00:00+08:00`, new Date(Date.parse(`${to}T00:00:00+08:00`) + 86_400_000).toISOString()],
    );
    rawTimes.push(performance.now() - t);
  }

  // ---- knowledge list
  const kb = '/api/v1/bots/volume/knowledge/entries';
  const listQueries = [`${kb}?page=1&pageSize=20`, `${kb}?page=1000&pageSize=20`, `${kb}?q=${encodeURIComponent('信用卡')}&page=1&pageSize=20`,
    `${kb}?q=${encodeURIComponent('密码重置')}&page=3&pageSize=20`, `${kb}?status=draft&page=1&pageSize=20`];
  const firstList = JSON.parse((await get(listQueries[0])).body);
  const searchTotal = JSON.parse((await get(listQueries[2])).body).total;
  for (const q of listQueries) await get(q);
  const listTimes: number[] = [];
  const listPer = new Map<string, number[]>();
  for (let i = 0; i < SAMPLES; i++) {
    for (const q of listQueries) {
      const { ms } = await get(q);
      listTimes.push(ms);
      listPer.set(q.replace(kb, ''), [...(listPer.get(q.replace(kb, '')) ?? []), ms]);
    }
  }
  const listP95 = p95(listTimes);

  const [{ n: eventCount }] = await db.query(`SELECT count(*) AS n FROM conversation_events`);
  const result = {
    storage: db.kind,
    events: Number(eventCount),
    conversations: seeded.conversations,
    entries: Number(firstList.total),
    seed_ms: seeded.ms,
    projection_catch_up_ms: catchUpMs,
    projection_events_per_s: round((pass?.events ?? 0) / (catchUpMs / 1000), 0),
    dashboard_samples: loads.length,
    dashboard_p50_ms: round(p50(loads), 1),
    dashboard_p95_ms: round(dashboardP95, 1),
    dashboard_limit_ms: DASHBOARD_LIMIT_MS,
    dashboard_ratio: round(dashboardP95 / DASHBOARD_LIMIT_MS, 3),
    endpoint_p95_ms: Object.fromEntries([...perEndpoint].map(([k, v]) => [k, round(p95(v), 1)])),
    raw_log_overview_ms: round(Math.min(...rawTimes), 1),
    rollup_speedup_vs_raw: round(Math.min(...rawTimes) / p95(perEndpoint.get('/api/v1/analytics/overview')!), 1),
    overview_30d: { conversations: overview.totals.conversations, selfServiceRate: overview.totals.selfServiceRate, handoffRate: overview.totals.handoffRate },
    list_samples: listTimes.length,
    list_search_total: searchTotal,
    list_p50_ms: round(p50(listTimes), 1),
    list_p95_ms: round(listP95, 1),
    list_limit_ms: LIST_LIMIT_MS,
    list_ratio: round(listP95 / LIST_LIMIT_MS, 3),
    list_query_p95_ms: Object.fromEntries([...listPer].map(([k, v]) => [k, round(p95(v), 1)])),
    ok: dashboardP95 <= DASHBOARD_LIMIT_MS && listP95 <= LIST_LIMIT_MS,
  };
  console.log(JSON.stringify(result));
} finally {
  await env.close();
  await closeDb();
}
