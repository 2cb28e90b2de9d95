/**
 * Chat throughput: N concurrent sessions ask the demo bot a fixed mix of questions through the real HTTP (or
 * WebSocket) chat path of a real server process, then the same load hits a bare echo endpoint of the same server
 * stack. The ratio turns_per_s / echo_per_s says how much of the transport's capacity the robot keeps; absolute
 * numbers drift on shared machines, the ratio much less.
 *
 *   npm run bench -- chat [--sessions 200] [--duration 10] [--warmup 2] [--rate 1500] [--ws] [--pg] [--redis]
 *
 * Three phases: (1) the bot at full speed (closed loop: each session sends as soon as its reply came), (2) the echo
 * endpoint likewise — ratio = (1)/(2); (3) the bot at a paced offered load (--rate turns/s spread over the sessions,
 * each session sending on its own schedule), which is where latency means something: in a closed loop latency is
 * just sessions ÷ throughput.
 *
 * The load generator runs on the same machine as the server (2 shared cores here): it takes CPU from the server,
 * so both figures are lower bounds; client_cpu_pct and server_cpu_pct in the output show the split.
 * Last stdout line: {"turns_per_s","p50_ms","p99_ms","echo_per_s","echo_p50_ms","echo_p99_ms","ratio",...}.
 */
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startServer, type ServerProcess } from './lib/server-process.ts';
import { int, round } from './lib/args.ts';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    ws: { type: 'boolean', default: false },
    pg: { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
    'turns-per-session': { type: 'string', default: '10' },
    /** Offered load of the paced phase, turns/s over all sessions (0 skips the phase). */
    rate: { type: 'string', default: '1500' },
    /** Another server entry point (default packages/server/src/main.ts), e.g. to compare a variant. */
    entry: { type: 'string' },
  },
  strict: true,
});
const SESSIONS = int(args.sessions, 'sessions', 1, 5000);
const DURATION_S = int(args.duration, 'duration', 1, 300);
const WARMUP_S = int(args.warmup, 'warmup', 0, 120);
const RATE = int(args.rate, 'rate', 0, 100_000);
/** A real conversation is short; starting over keeps the mix steady (no session drifts into hand-off for good). */
const TURNS_PER_SESSION = int(args['turns-per-session'], 'turns-per-session', 1, 1000);
/** The WebSocket route allows 30 messages per socket per 10 s (web-channel/routes.ts); reconnect before that. */
const WS_MESSAGES_PER_SOCKET = Math.min(TURNS_PER_SESSION, 25);


/**
 * Fixed mix of what customers type: standard and colloquial questions that answer, short ambiguous ones that make
 * the bot ask back, off-topic ones that fall back, greetings and thanks, in Chinese and English. The measured
 * reply-type distribution is printed with the result.
 */
export const QUESTIONS = [
  '借记卡丢了怎么挂失？',
  '银行卡掉了怎么办',
  '借计卡怎么挂是',
  '信用卡怎么还钱',
  '新卡到了怎么开卡',
  '信用卡额度太低',
  '一天最多能取多少钱',
  '我要打流水',
  '逾期会上征信吗',
  '信用卡年费多少钱',
  '房贷可以提前还吗',
  '手机银行登录不了',
  '网点几点开门',
  '转账多久能到账',
  '大额存单利率是多少',
  '卡',
  '密码',
  '挂失',
  '年费',
  '额度',
  '今天天气怎么样',
  '帮我订一张去北京的机票',
  '你们食堂的饭好吃吗',
  '你好',
  '谢谢',
  'How do I report a lost debit card?',
  'forgot my PIN',
  'ATM swallowed my card',
  'how much cash can I withdraw per day',
  'activate credit card',
  'card',
  'what is the best pizza in town',
  'hello',
  'thanks',
];

type Phase = { perSecond: number; p50: number; p99: number; count: number; errors: number; clientCpuPct: number; serverCpuPct: number | null };
type Turn = (worker: number) => Promise<boolean>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`${s}\n`);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Closed loop: each session sends its next message as soon as the previous reply arrived. With intervalMs, each
 * session instead sends on a fixed schedule (a random phase, then every intervalMs), or at once when it is behind.
 */
async function runPhase(label: string, server: ServerProcess, turn: Turn, intervalMs = 0): Promise<Phase> {
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let errors = 0;
  let done = 0;
  const worker = async (w: number) => {
    let due = performance.now() + Math.random() * intervalMs;
    while (!stop) {
      if (intervalMs) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        due += intervalMs;
        if (stop) break;
      }
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await turn(w);
      } catch {
        ok = false;
      }
      const dt = performance.now() - t0;
      done++;
      if (!measuring) continue;
      if (ok) latencies.push(dt);
      else errors++;
    }
  };
  const workers = Array.from({ length: SESSIONS }, (_, w) => worker(w));
  const progress = setInterval(() => {
    log(`  ${label}: ${done} turns so far${measuring ? `, ${latencies.length} measured, ${errors} errors` : ' (warming up)'}`);
  }, 1000);
  await sleep(WARMUP_S * 1000);
  const cpu0 = process.cpuUsage();
  const srv0 = server.cpuSeconds();
  const t0 = performance.now();
  measuring = true;
  await sleep(DURATION_S * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const srv1 = server.cpuSeconds();
  stop = true;
  clearInterval(progress);
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
    errors,
    clientCpuPct: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    serverCpuPct: srv0 !== null && srv1 !== null ? ((srv1 - srv0) / elapsed) * 100 : null,
  };
}

// ---- HTTP ----

function httpTurns(server: ServerProcess, path: string, replyTypes: Map<string, number> | null): Turn {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SESSIONS, maxFreeSockets: SESSIONS });
  const { hostname, port } = new URL(server.url);
  const state = Array.from({ length: SESSIONS }, () => ({ sessionId: undefined as string | undefined, turns: 0, q: 0 }));
  return (w) => {
    const s = state[w];
    if (s.turns >= TURNS_PER_SESSION) { s.sessionId = undefined; s.turns = 0; }
    // Each worker walks the list from its own offset so that all questions are asked at any moment.
    const text = QUESTIONS[(w * 7 + s.q++) % QUESTIONS.length];
    const body = JSON.stringify({ bot: 'demo', text, ...(s.sessionId ? { sessionId: s.sessionId } : {}) });
    return new Promise<boolean>((resolve) => {
      const req = http.request(
        { agent, hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) return resolve(false);
            try {
              const r = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sessionId: string; replies: { type: string }[] };
              s.sessionId = r.sessionId;
              s.turns++;
              // A customer handed to a person waits for them (the robot stays silent): the next question is a new chat.
              if (r.replies.some((rep) => rep.type === 'handoff')) s.turns = TURNS_PER_SESSION;
              if (replyTypes) for (const rep of r.replies) replyTypes.set(rep.type, (replyTypes.get(rep.type) ?? 0) + 1);
              resolve(r.replies.length > 0);
            } catch {
              resolve(false);
            }
          });
          res.on('error', () => resolve(false));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
  };
}

// ---- WebSocket ----

type Pending = { ws: WebSocket; replies: number; typingOff: boolean; resolve(ok: boolean): void };

class WsSession {
  private ws: WebSocket | null = null;
  private sent = 0;
  private pending: Pending | null = null;
  private msg = 0;

  constructor(private readonly url: string, private readonly replyTypes: Map<string, number> | null) {}

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      let welcomed = false;
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', bot: 'demo' })));
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString('utf8'));
        if (m.type === 'welcome' && !welcomed) { welcomed = true; this.ws = ws; this.sent = 0; return resolve(); }
        const p = this.pending;
        // Frames of a socket we already rotated away from belong to no turn.
        if (!p || p.ws !== ws) return;
        if (m.type === 'reply') {
          p.replies++;
          if (this.replyTypes) this.replyTypes.set(m.reply.type, (this.replyTypes.get(m.reply.type) ?? 0) + 1);
        } else if (m.type === 'typing' && m.on === false) p.typingOff = true;
        else if (m.type === 'error') { this.pending = null; return p.resolve(false); }
        // A turn is over when the server stopped "typing" and its reply frames (which travel through the
        // coordination pub/sub, so may come after) have arrived.
        if (p.typingOff && p.replies > 0) { this.pending = null; p.resolve(true); }
      });
      ws.on('error', (err) => { if (!welcomed) reject(err); });
      ws.on('close', () => {
        if (this.ws === ws) this.ws = null;
        const p = this.pending;
        if (p && p.ws === ws) {
          this.pending = null;
          p.resolve(false);
        }
        if (!welcomed) reject(new Error('closed before welcome'));
      });
    });
  }

  async turn(text: string): Promise<boolean> {
    if (this.ws && this.sent >= WS_MESSAGES_PER_SOCKET) { this.ws.close(); this.ws = null; }
    if (!this.ws) await this.open();
    this.sent++;
    return new Promise<boolean>((resolve) => {
      this.pending = { ws: this.ws!, replies: 0, typingOff: false, resolve };
      this.ws!.send(JSON.stringify({ type: 'message', clientMsgId: `m${++this.msg}`, text }));
    });
  }

  close() { this.ws?.close(); }
}

function wsTurns(server: ServerProcess, path: string, replyTypes: Map<string, number> | null): { turn: Turn; close(): void } {
  const url = server.url.replace(/^http/, 'ws') + path;
  const sessions = Array.from({ length: SESSIONS }, () => new WsSession(url, replyTypes));
  const q = new Array<number>(SESSIONS).fill(0);
  return {
    turn: (w) => sessions[w].turn(QUESTIONS[(w * 7 + q[w]++) % QUESTIONS.length]),
    close: () => sessions.forEach((s) => s.close()),
  };
}

// ---- main ----

async function main() {
  const env: Record<string, string> = { LINGXI_BENCH_ECHO: '1' };
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
  const transport = args.ws ? 'ws' : 'http';
  log(`bench chat: ${SESSIONS} sessions over ${transport}, ${WARMUP_S}s warm-up + ${DURATION_S}s per phase, storage ${args.pg ? 'postgres' : 'pglite'}, coordination ${args.redis ? 'redis' : 'memory'}, ${cpus().length} cores shared by server and load generator`);
  const loadAtStart = loadavg()[0];
  log(`load average before start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  log('starting server…');
  const server = await startServer(env, { entry: args.entry });
  try {
    log(`server ready at ${server.url} (pid ${server.pid})`);
    const replyTypes = new Map<string, number>();

    // One turn first so that lazy start-up work (model load, JIT) is not counted anywhere.
    const probe = transport === 'ws' ? wsTurns(server, '/api/v1/ws', null) : { turn: httpTurns(server, '/api/v1/chat', null), close() {} };
    if (!(await probe.turn(0))) throw new Error('the first chat turn failed; is the demo bot seeded?');
    probe.close();

    const chat = transport === 'ws' ? wsTurns(server, '/api/v1/ws', replyTypes) : { turn: httpTurns(server, '/api/v1/chat', replyTypes), close() {} };
    log(`phase 1: demo bot via ${transport === 'ws' ? '/api/v1/ws' : 'POST /api/v1/chat'}`);
    const bot = await runPhase('bot', server, chat.turn);
    chat.close();
    log(`  bot: ${bot.perSecond.toFixed(0)} turns/s, p50 ${bot.p50.toFixed(2)} ms, p99 ${bot.p99.toFixed(2)} ms, ${bot.errors} errors; client cpu ${bot.clientCpuPct.toFixed(0)}%, server cpu ${bot.serverCpuPct?.toFixed(0) ?? '?'}%`);

    let echo: Phase | null = null;
    const echoPath = transport === 'ws' ? '/api/v1/bench/ws-echo' : '/api/v1/bench/echo';
    const probeEcho = await fetch(`${server.url}/api/v1/bench/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bot: 'demo', text: 'ping' }) });
    if (probeEcho.status === 404) {
      log('WARNING: the echo endpoint is not registered (app.ts must register http/bench-echo.ts); echo figures are null');
    } else {
      const e = transport === 'ws' ? wsTurns(server, echoPath, null) : { turn: httpTurns(server, echoPath, null), close() {} };
      log(`phase 2: echo via ${echoPath}`);
      echo = await runPhase('echo', server, e.turn);
      e.close();
      log(`  echo: ${echo.perSecond.toFixed(0)} turns/s, p50 ${echo.p50.toFixed(2)} ms, p99 ${echo.p99.toFixed(2)} ms, ${echo.errors} errors; client cpu ${echo.clientCpuPct.toFixed(0)}%, server cpu ${echo.serverCpuPct?.toFixed(0) ?? '?'}%`);
    }

    let paced: Phase | null = null;
    if (RATE > 0) {
      const p = transport === 'ws' ? wsTurns(server, '/api/v1/ws', null) : { turn: httpTurns(server, '/api/v1/chat', null), close() {} };
      log(`phase 3: demo bot paced at ${RATE} turns/s offered over ${SESSIONS} sessions`);
      paced = await runPhase('paced', server, p.turn, (SESSIONS / RATE) * 1000);
      p.close();
      log(`  paced: ${paced.perSecond.toFixed(0)} turns/s, p50 ${paced.p50.toFixed(2)} ms, p99 ${paced.p99.toFixed(2)} ms, ${paced.errors} errors`);
    }

    const result = {
      turns_per_s: round(bot.perSecond, 1),
      p50_ms: round(bot.p50),
      p99_ms: round(bot.p99),
      echo_per_s: echo ? round(echo.perSecond, 1) : null,
      echo_p50_ms: echo ? round(echo.p50) : null,
      echo_p99_ms: echo ? round(echo.p99) : null,
      ratio: echo && echo.perSecond > 0 ? round(bot.perSecond / echo.perSecond, 3) : null,
      paced_offered_per_s: RATE || null,
      paced_turns_per_s: paced ? round(paced.perSecond, 1) : null,
      paced_p50_ms: paced ? round(paced.p50) : null,
      paced_p99_ms: paced ? round(paced.p99) : null,
      paced_errors: paced?.errors ?? null,
      sessions: SESSIONS,
      duration_s: DURATION_S,
      errors: bot.errors,
      echo_errors: echo?.errors ?? null,
      transport,
      storage: args.pg ? 'postgres' : 'pglite',
      coordination: args.redis ? 'redis' : 'memory',
      turns: bot.count,
      reply_types: Object.fromEntries([...replyTypes].sort()),
      client_cpu_pct: round(bot.clientCpuPct, 0),
      server_cpu_pct: bot.serverCpuPct === null ? null : round(bot.serverCpuPct, 0),
      echo_client_cpu_pct: echo ? round(echo.clientCpuPct, 0) : null,
      echo_server_cpu_pct: echo?.serverCpuPct == null ? null : round(echo.serverCpuPct, 0),
      cores: cpus().length,
      // Other work on a shared machine competes for the same cores: read every figure with this in mind.
      load_avg_1m: round(loadAtStart, 2),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.stop();
    await dropPg?.();
  }
}

await main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
