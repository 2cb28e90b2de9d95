/**
 * Business-robot flow turns (issue 4): N concurrent verified app sessions ask for their balance through the real
 * app SDK chat path (`POST /api/v1/app/chat`, a bank-signed HS256 customer JWT with a verified phone) of a real
 * server process. Each turn is a whole business flow: the robot recognises the question, starts the `balance`
 * flow, takes the identity from the token (no one-time code), calls the demo core banking service through the
 * seeded `demo-core` HTTP connector three times (customerByPhone, accounts, balance), replies with the masked card
 * and the balance, and records the turn. Every reply is checked for the balance text ("可用余额" / "available
 * balance"); other replies count as mismatches.
 *
 *   npm run bench -- flow [--sessions 200] [--duration 10] [--warmup 2] [--rate 100] [--pg] [--redis]
 *                         [--core bench|server] [--cpu-prof file.cpuprofile]
 *
 * What is measured: the server answers every turn with `Server-Timing: robot;dur=<ms>, connector;dur=<ms>` —
 * the robot's own work (understanding, the flow, recording the turn: chat-service.ts from the robot's call to the
 * stored events) and the time spent waiting on connectors. Target: robot p99 ≤ 10 ms at 200 concurrent sessions
 * (ratio = robot_p99_ms / 10, ok = ratio ≤ 1). Both are wall-clock times inside one event loop, so under load they
 * include waiting behind other sessions' work; server_cpu_ms_per_turn (the server's CPU time over the turns it
 * served) is the work itself, free of queueing.
 *
 * Two phases of --warmup + --duration seconds with --sessions sessions on keep-alive connections:
 * (1) full: a closed loop (each session sends as soon as its reply came) — the capacity, full_turns_per_s, where
 * latency is just sessions ÷ throughput and so says nothing about the robot; (2) paced: --rate turns/s offered
 * over all sessions, each on its own schedule (default 100 turns/s: each of the 200 customers starting a balance
 * inquiry every 2 s — faster than anyone types, and every message a whole flow with three core calls; about half
 * of what this machine serves at full load). The headline robot/connector/client figures and `ok` come from the
 * paced phase, the full phase's from `full_*`. --rate 0 skips the paced phase and the headline comes from the full
 * phase (where the robot figure is mostly queueing).
 *
 * Customers: by default (--core bench) the benchmark starts the demo core itself (bench/lib/demo-core-process.ts,
 * its own process, as a bank's core would be) with generated customers and gives every session a different
 * customer with one debit card, rotating to a fresh customer every --turns-per-session turns. It cannot use only
 * the demo customer C0001 (13800138000): app users with the same bank-verified phone are one person to the
 * platform (their contacts are merged) and continue one open conversation, so 200 sessions would all write to
 * one conversation. --core server is that setting anyway: `npm start`'s path (the core started inside the server
 * process by LINGXI_DEMO_CORE_START, on LINGXI_DEMO_CORE_URL) with every session C0001.
 *
 * --cpu-prof <file> runs the server under bench/lib/profiled-entry.ts and samples its CPU during the measured
 * window of the headline phase only, then prints a summary (bench/lib/cpuprofile.ts) on stderr.
 *
 * The load generator, the server and the core share the machine's 2 cores: throughputs are lower bounds and
 * latencies upper bounds of what the server does with the machine to itself.
 * Last stdout line: {"sessions","turns","turns_per_s","robot_p50_ms","robot_p99_ms","connector_p50_ms",
 * "connector_p99_ms","client_p99_ms","limit_ms","ratio","ok","mismatches",...}.
 */
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort, startServer, type ServerProcess } from './lib/server-process.ts';
import { int, round } from './lib/args.ts';
import { printProfile, summarizeProfile } from './lib/cpuprofile.ts';
import { generateCoreData } from '../packages/demo-core/src/data.ts';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    /** Offered load of the paced phase, turns/s over all sessions (0 skips it). */
    rate: { type: 'string', default: '100' },
    'turns-per-session': { type: 'string', default: '10' },
    pg: { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
    /** bench: our own demo core with a customer per session; server: npm start's in-process core, all C0001. */
    core: { type: 'string', default: 'bench' },
    'cpu-prof': { type: 'string' },
    /** Another server entry point (default packages/server/src/main.ts). */
    entry: { type: 'string' },
  },
  strict: true,
});
const SESSIONS = int(args.sessions, 'sessions', 1, 5000);
const DURATION_S = int(args.duration, 'duration', 1, 300);
const WARMUP_S = int(args.warmup, 'warmup', 0, 120);
const RATE = int(args.rate, 'rate', 0, 100_000);
const TURNS_PER_SESSION = int(args['turns-per-session'], 'turns-per-session', 1, 100_000);
if (args.core !== 'bench' && args.core !== 'server') {
  console.error('--core must be bench or server');
  process.exit(2);
}
const LIMIT_MS = 10;
const QUESTIONS = ['我卡里还有多少钱', '帮我查一下余额', '查余额', "what's my balance"];
/** The balance reply of the flow (zh and en, frozen or not: balance.flow.json, steps show and showFrozen). */
const BALANCE_TEXT = /可用余额|available balance|is available/i;
const JWT_SECRET = randomBytes(24).toString('hex');
const ISSUER = 'bench';
const CORE_API_KEY = 'demo-core-key';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`${s}\n`);
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** The bank's app signs its customer's identity (OIDC claims for the verified phone). */
function customerJwt(sub: string, phone: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iss: ISSUER, iat: now, exp: now + 3600, phone_number: phone, phone_number_verified: true })}`;
  return `${input}.${createHmac('sha256', JWT_SECRET).update(input).digest('base64url')}`;
}

type Customer = { id: string; mobile: string; token: string };
type TurnRecord = { ok: boolean; clientMs: number; robotMs: number; connectorMs: number; mismatch: boolean; error?: string; reply?: string; newSession?: boolean };
type Samples = { client: number[]; robot: number[]; connector: number[]; outside: number[]; newClient: number[]; contClient: number[] };
type Phase = {
  perSecond: number; count: number; errors: number; mismatches: number;
  client: number[]; robot: number[]; connector: number[]; outside: number[]; newClient: number[]; contClient: number[];
  clientCpuPct: number; serverCpuPct: number | null; coreCpuPct: number | null; serverCpuMsPerTurn: number | null;
  errorSamples: string[]; mismatchSamples: string[];
};

// ---- the app chat turn ----

function appTurns(server: ServerProcess, appId: string, pool: Customer[]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SESSIONS, maxFreeSockets: SESSIONS });
  const { hostname, port } = new URL(server.url);
  // Customers not in a session, oldest first: a session that starts over takes the one that waited longest, so
  // no customer is ever in two sessions at once (the pool is larger than the number of sessions).
  const free = pool.slice(SESSIONS);
  const state = Array.from({ length: SESSIONS }, (_, w) => ({ customer: pool[w % pool.length], sessionId: undefined as string | undefined, turns: 0, q: w }));
  const turn = (w: number): Promise<TurnRecord> => {
    const s = state[w];
    if (s.turns >= TURNS_PER_SESSION && free.length) {
      free.push(s.customer);
      s.customer = free.shift()!;
      s.sessionId = undefined;
      s.turns = 0;
    }
    const text = QUESTIONS[s.q++ % QUESTIONS.length];
    const newSession = !s.sessionId;
    const body = JSON.stringify({ app: appId, text, ...(s.sessionId ? { sessionId: s.sessionId } : {}) });
    const t0 = performance.now();
    return new Promise<TurnRecord>((resolve) => {
      const fail = (error: string) => resolve({ ok: false, clientMs: performance.now() - t0, robotMs: NaN, connectorMs: NaN, mismatch: false, error });
      const req = http.request(
        {
          agent, hostname, port, path: '/api/v1/app/chat', method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${s.customer.token}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const clientMs = performance.now() - t0;
            const raw = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}: ${raw.slice(0, 160)}`);
            const timing = String(res.headers['server-timing'] ?? '');
            const robotMs = Number(/robot;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
            const connectorMs = Number(/connector;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
            try {
              const r = JSON.parse(raw) as { sessionId: string; replies: { type: string; text: string }[] };
              s.sessionId = r.sessionId;
              s.turns++;
              const reply = r.replies.map((x) => x.text).join(' | ');
              if (!Number.isFinite(robotMs)) return resolve({ ok: false, clientMs, robotMs, connectorMs, mismatch: false, error: `no server-timing header (${timing || 'absent'})` });
              resolve({ ok: true, clientMs, robotMs, connectorMs, mismatch: !BALANCE_TEXT.test(reply), reply, newSession });
            } catch {
              fail(`unparsable body: ${raw.slice(0, 160)}`);
            }
          });
          res.on('error', (e) => fail(e.message));
        },
      );
      req.on('error', (e) => fail(e.message));
      req.end(body);
    });
  };
  return { turn, close: () => agent.destroy() };
}

// ---- phases ----

/** Closed loop, or with intervalMs each session on a fixed schedule (random phase, then every intervalMs). */
async function runPhase(label: string, procs: { server: ServerProcess; core: ServerProcess | null }, turn: (w: number) => Promise<TurnRecord>, intervalMs: number, hooks: { start?(): void; stop?(): void } = {}): Promise<Phase> {
  let measuring = false;
  let stop = false;
  const samples: Samples = { client: [], robot: [], connector: [], outside: [], newClient: [], contClient: [] };
  let errors = 0;
  let mismatches = 0;
  let done = 0;
  const errorSamples: string[] = [];
  const mismatchSamples: string[] = [];
  const worker = async (w: number) => {
    let due = performance.now() + Math.random() * intervalMs;
    while (!stop) {
      if (intervalMs) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        due += intervalMs;
        if (stop) break;
      }
      const r = await turn(w);
      done++;
      if (!measuring) continue;
      if (!r.ok) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(r.error ?? '?');
        continue;
      }
      samples.client.push(r.clientMs);
      samples.robot.push(r.robotMs);
      samples.connector.push(r.connectorMs);
      samples.outside.push(r.clientMs - r.robotMs - r.connectorMs);
      (r.newSession ? samples.newClient : samples.contClient).push(r.clientMs);
      if (r.mismatch) {
        mismatches++;
        if (mismatchSamples.length < 3) mismatchSamples.push(r.reply ?? '');
      }
    }
  };
  const workers = Array.from({ length: SESSIONS }, (_, w) => worker(w));
  const progress = setInterval(() => {
    log(`  ${label}: ${done} turns so far${measuring ? `, ${samples.client.length} measured, ${errors} errors, ${mismatches} mismatches` : ' (warming up)'}`);
  }, 2000);
  await sleep(WARMUP_S * 1000);
  const cpu0 = process.cpuUsage();
  const srv0 = procs.server.cpuSeconds();
  const core0 = procs.core?.cpuSeconds() ?? null;
  hooks.start?.();
  const t0 = performance.now();
  measuring = true;
  await sleep(DURATION_S * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  hooks.stop?.();
  const cpu = process.cpuUsage(cpu0);
  const srv1 = procs.server.cpuSeconds();
  const core1 = procs.core?.cpuSeconds() ?? null;
  stop = true;
  clearInterval(progress);
  await Promise.all(workers);
  for (const k of Object.keys(samples) as (keyof Samples)[]) samples[k].sort((a, b) => a - b);
  const count = samples.client.length;
  const serverCpuS = srv0 !== null && srv1 !== null ? srv1 - srv0 : null;
  return {
    perSecond: count / elapsed,
    count,
    errors,
    mismatches,
    ...samples,
    clientCpuPct: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    serverCpuPct: serverCpuS !== null ? (serverCpuS / elapsed) * 100 : null,
    coreCpuPct: core0 !== null && core1 !== null ? ((core1 - core0) / elapsed) * 100 : null,
    // Turns finished in the window ≈ turns worked on in it (the in-flight ones at either end roughly cancel).
    serverCpuMsPerTurn: serverCpuS !== null && count + errors > 0 ? (serverCpuS * 1000) / (count + errors) : null,
    errorSamples,
    mismatchSamples,
  };
}

const describe = (label: string, p: Phase) =>
  `  ${label}: ${p.perSecond.toFixed(0)} turns/s; robot p50 ${percentile(p.robot, 50).toFixed(2)} p99 ${percentile(p.robot, 99).toFixed(2)} ms; ` +
  `connector p50 ${percentile(p.connector, 50).toFixed(2)} p99 ${percentile(p.connector, 99).toFixed(2)} ms; client p99 ${percentile(p.client, 99).toFixed(2)} ms; ` +
  `${p.errors} errors, ${p.mismatches} mismatches; cpu: server ${p.serverCpuPct?.toFixed(0) ?? '?'}% (${p.serverCpuMsPerTurn?.toFixed(2) ?? '?'} ms/turn), ` +
  `core ${p.coreCpuPct?.toFixed(0) ?? '-'}%, client ${p.clientCpuPct.toFixed(0)}%`;

function figures(p: Phase, prefix = '') {
  return {
    [`${prefix}turns`]: p.count,
    [`${prefix}turns_per_s`]: round(p.perSecond, 1),
    [`${prefix}robot_p50_ms`]: round(percentile(p.robot, 50)),
    [`${prefix}robot_p99_ms`]: round(percentile(p.robot, 99)),
    [`${prefix}robot_max_ms`]: round(p.robot[p.robot.length - 1]),
    [`${prefix}connector_p50_ms`]: round(percentile(p.connector, 50)),
    [`${prefix}connector_p99_ms`]: round(percentile(p.connector, 99)),
    [`${prefix}client_p50_ms`]: round(percentile(p.client, 50)),
    [`${prefix}client_p99_ms`]: round(percentile(p.client, 99)),
    /** Client time outside both: HTTP, token check, identity and session lookup, and queueing in either process. */
    [`${prefix}outside_p99_ms`]: round(percentile(p.outside, 99)),
    /** Client latency of a session's first turn (new contact, conversation and channel binding) and of the others. */
    [`${prefix}new_session_turns`]: p.newClient.length,
    [`${prefix}new_session_client_p99_ms`]: round(percentile(p.newClient, 99)),
    [`${prefix}later_client_p99_ms`]: round(percentile(p.contClient, 99)),
    [`${prefix}errors`]: p.errors,
    [`${prefix}mismatches`]: p.mismatches,
    [`${prefix}server_cpu_pct`]: p.serverCpuPct === null ? null : round(p.serverCpuPct, 0),
    [`${prefix}server_cpu_ms_per_turn`]: p.serverCpuMsPerTurn === null ? null : round(p.serverCpuMsPerTurn),
    [`${prefix}core_cpu_pct`]: p.coreCpuPct === null ? null : round(p.coreCpuPct, 0),
    [`${prefix}client_cpu_pct`]: round(p.clientCpuPct, 0),
  };
}

// ---- main ----

async function main() {
  const env: Record<string, string> = { LINGXI_DEMO: '1' };
  let dropPg: (() => Promise<void>) | undefined;
  if (args.pg) {
    const { freshPostgres } = await import('../packages/server/src/testing/databases.ts');
    const pg = await freshPostgres();
    if (!pg) throw new Error('--pg: no PostgreSQL reachable');
    await pg.db.close();
    env.DATABASE_URL = pg.url;
    dropPg = pg.drop;
  }
  if (args.redis) env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const profileFile = args['cpu-prof'];
  if (profileFile) {
    rmSync(profileFile, { force: true });
    env.BENCH_CPU_PROF = profileFile;
    if (args.entry) env.BENCH_PROFILE_ENTRY = args.entry;
  }

  log(`bench flow: ${SESSIONS} verified app sessions asking their balance, ${WARMUP_S}s warm-up + ${DURATION_S}s per phase, paced ${RATE || '-'} turns/s, ` +
    `storage ${args.pg ? 'postgres' : 'pglite'}, coordination ${args.redis ? 'redis' : 'memory'}, core ${args.core}, ${cpus().length} cores shared by server, core and load generator`);
  const loadAtStart = loadavg()[0];
  log(`load average before start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // The customers: with our own core, enough generated ones for every session and a pool to rotate through
  // (generateCoreData is deterministic: the core process computes the same data from the same options).
  let core: ServerProcess | null = null;
  let customers: { id: string; mobile: string }[];
  if (args.core === 'bench') {
    const today = new Date().toISOString().slice(0, 10);
    const count = Math.max(20, SESSIONS * 4);
    const data = generateCoreData({ customers: count, today });
    const accounts = new Map<string, number>();
    for (const a of data.accounts) accounts.set(a.customerId, (accounts.get(a.customerId) ?? 0) + 1);
    // One debit card each: the flow answers in one turn (with several it asks which card).
    customers = data.customers.filter((c) => accounts.get(c.id) === 1).map((c) => ({ id: c.id, mobile: c.mobile }));
    if (customers.length <= SESSIONS) throw new Error(`only ${customers.length} single-card customers among ${count}; need more than ${SESSIONS}`);
    log(`starting the demo core with ${count} customers (${customers.length} with one debit card)…`);
    core = await startServer({ BENCH_CORE_CUSTOMERS: String(count), BENCH_CORE_TODAY: today, BENCH_CORE_API_KEY: CORE_API_KEY }, { entry: 'bench/lib/demo-core-process.ts', label: 'core' });
    const h = (await (await fetch(`${core.url}/healthz`)).json()) as { customers: number; today: string };
    if (h.customers !== count || h.today !== today) throw new Error(`the core generated other data than expected: ${JSON.stringify(h)}`);
    env.LINGXI_DEMO_CORE_URL = core.url;
    env.LINGXI_DEMO_CORE_START = 'false';
    env.LINGXI_DEMO_CORE_API_KEY = CORE_API_KEY;
  } else {
    env.LINGXI_DEMO_CORE_URL = `http://127.0.0.1:${await freePort()}`;
    customers = [{ id: 'C0001', mobile: '13800138000' }];
  }
  const pool: Customer[] = customers.map((c) => ({ ...c, token: customerJwt(`bench-${c.id}`, c.mobile) }));

  log('starting server…');
  let server: ServerProcess;
  try {
    server = await startServer(env, { entry: profileFile ? 'bench/lib/profiled-entry.ts' : args.entry });
  } catch (err) {
    await core?.stop();
    await dropPg?.();
    throw err;
  }
  try {
    log(`server ready at ${server.url} (pid ${server.pid})${core ? `, core at ${core.url} (pid ${core.pid})` : `, core in the server process at ${env.LINGXI_DEMO_CORE_URL}`}`);

    // The app channel: an administrator configures the bank's app with the secret its tokens are signed with.
    const api = async (path: string, token: string | null, body?: object) => {
      const r = await fetch(`${server.url}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
      return r.json() as Promise<any>;
    };
    const { token: admin } = await api('/api/v1/auth/login', null, { username: 'admin', password: 'bench-admin-password' });
    const bot = ((await api('/api/v1/bots', admin)).items as { id: string; slug: string }[]).find((b) => b.slug === 'demo');
    if (!bot) throw new Error('the demo bot is not seeded');
    const channel = await api('/api/v1/channels', admin, { botId: bot.id, type: 'app', name: '手机银行 (bench)', public: { alg: 'HS256', issuer: ISSUER }, secrets: { jwtSecret: JWT_SECRET } });
    const procs = { server, core };

    // One turn first: lazy start-up work (models, connector, JIT) is not counted, and a broken setup fails early.
    const probe = appTurns(server, channel.id, pool);
    const first = await probe.turn(0);
    probe.close();
    if (!first.ok || first.mismatch) throw new Error(`the first flow turn failed: ${first.error ?? first.reply}`);
    log(`first turn: "${first.reply}" (server-timing robot ${first.robotMs} ms, connector ${first.connectorMs} ms)`);

    const profiling = (on: boolean) => (on && profileFile ? { start: () => process.kill(server.pid, 'SIGUSR2'), stop: () => process.kill(server.pid, 'SIGUSR2') } : {});

    log('phase 1: full load (closed loop)');
    const a = appTurns(server, channel.id, pool);
    const full = await runPhase('full', procs, a.turn, 0, profiling(RATE === 0));
    a.close();
    log(describe('full', full));

    let paced: Phase | null = null;
    if (RATE > 0) {
      log(`phase 2: paced at ${RATE} turns/s offered over ${SESSIONS} sessions`);
      const b = appTurns(server, channel.id, pool);
      paced = await runPhase('paced', procs, b.turn, (SESSIONS / RATE) * 1000, profiling(true));
      b.close();
      log(describe('paced', paced));
    }
    const head = paced ?? full;
    for (const e of [...full.errorSamples, ...(paced?.errorSamples ?? [])]) log(`  error: ${e}`);
    for (const m of [...full.mismatchSamples, ...(paced?.mismatchSamples ?? [])]) log(`  mismatch: ${m}`);

    if (profileFile) {
      for (let i = 0; i < 100 && !existsSync(profileFile); i++) await sleep(100);
      if (existsSync(profileFile)) printProfile(summarizeProfile(profileFile), log);
      else log(`WARNING: no cpu profile was written to ${profileFile}`);
    }

    const robotP99 = percentile(head.robot, 99);
    const result = {
      sessions: SESSIONS,
      ...figures(head),
      limit_ms: LIMIT_MS,
      ratio: round(robotP99 / LIMIT_MS, 3),
      ok: Number.isFinite(robotP99) && robotP99 <= LIMIT_MS,
      measured: paced ? 'paced' : 'full',
      offered_per_s: RATE || null,
      ...(paced ? figures(full, 'full_') : {}),
      duration_s: DURATION_S,
      turns_per_session: TURNS_PER_SESSION,
      customers: pool.length,
      core: args.core === 'bench' ? 'separate process' : 'in the server process',
      storage: args.pg ? 'postgres' : 'pglite',
      coordination: args.redis ? 'redis' : 'memory',
      cores: cpus().length,
      load_avg_1m: round(loadAtStart, 2),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.stop();
    await core?.stop();
    await dropPg?.();
  }
}

await main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
