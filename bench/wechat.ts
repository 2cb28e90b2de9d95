/**
 * WeChat channel throughput: N concurrent WeChat users send messages in safe mode — signed (signature and
 * msg_signature) and AES-encrypted by this benchmark exactly as WeChat's servers do — to a real server process,
 * end to end to the robot's passive reply, which is checked (reply signature verified, decrypted, addressed to the
 * sender, not empty). In the same run and under the same load, the plain web chat path (POST /api/v1/chat) asks the
 * same questions. ratio = wechat_per_s / web_per_s: the share of the web path's throughput the WeChat adapter keeps
 * (signature checks, AES both ways, XML, contact resolution, deduplication).
 *
 *   npm run bench -- wechat [--sessions 50] [--duration 10] [--warmup 2]
 *
 * The load generator shares the machine's cores with the server (and encrypts/decrypts too), so both figures are
 * lower bounds. Last stdout line: {"wechat_per_s","wechat_p99_ms","web_per_s","web_p99_ms","ratio",...}.
 */
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startServer, type ServerProcess } from './lib/server-process.ts';
import { int, round } from './lib/args.ts';
import { aesKeyOf, sha1Signature, wechatDecrypt, wechatEncrypt } from '../packages/server/src/modules/channels/wechat/crypto.ts';
import { parseXml, toXml } from '../packages/server/src/modules/channels/wechat/xml.ts';


const QUESTIONS = [
  '借记卡丢了怎么挂失？', '银行卡掉了怎么办', '信用卡怎么还钱', '新卡到了怎么开卡', '信用卡额度太低', '一天最多能取多少钱',
  '我要打流水', '逾期会上征信吗', '信用卡年费多少钱', '房贷可以提前还吗', '手机银行登录不了', '网点几点开门', '转账多久能到账',
  '卡', '密码', '挂失', '今天天气怎么样', '你好', '谢谢',
];
const TOKEN = 'benchToken2024';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wxbench000000001';
const TURNS_PER_USER = 10;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

type Turn = (w: number) => Promise<boolean>;
type Phase = { perSecond: number; p50: number; p99: number; count: number; errors: number; serverCpuPct: number | null };

function request(agent: http.Agent, server: ServerProcess, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const req = http.request({ agent, hostname, port, path, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

async function runPhase(label: string, sessions: number, warmupS: number, durationS: number, server: ServerProcess, turn: Turn): Promise<Phase> {
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let errors = 0;
  const worker = async (w: number) => {
    while (!stop) {
      const t0 = performance.now();
      const ok = await turn(w).catch(() => false);
      const dt = performance.now() - t0;
      if (!measuring) continue;
      if (ok) latencies.push(dt);
      else errors++;
    }
  };
  const workers = Array.from({ length: sessions }, (_, w) => worker(w));
  await sleep(warmupS * 1000);
  const srv0 = server.cpuSeconds();
  const t0 = performance.now();
  measuring = true;
  await sleep(durationS * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const srv1 = server.cpuSeconds();
  stop = true;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const p: Phase = {
    perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length, errors,
    serverCpuPct: srv0 !== null && srv1 !== null ? ((srv1 - srv0) / elapsed) * 100 : null,
  };
  log(`  ${label}: ${p.perSecond.toFixed(0)} msg/s, p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms, ${p.errors} errors, server cpu ${p.serverCpuPct?.toFixed(0) ?? '?'}%`);
  return p;
}

function wechatTurns(server: ServerProcess, configId: string, sessions: number): Turn {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sessions });
  const key = aesKeyOf(AES);
  const run = Date.now().toString(36);
  const state = Array.from({ length: sessions }, () => ({ user: 0, turns: 0, q: 0 }));
  let msgId = 0;
  return async (w) => {
    const s = state[w];
    if (s.turns >= TURNS_PER_USER) { s.user++; s.turns = 0; }
    const openid = `oBench${run}_${w}_${s.user}`;
    const text = QUESTIONS[(w * 7 + s.q++) % QUESTIONS.length];
    const inner = toXml({ ToUserName: 'gh_bench', FromUserName: openid, CreateTime: Math.floor(Date.now() / 1000), MsgType: 'text', Content: text, MsgId: `${run}${++msgId}` });
    const encrypt = wechatEncrypt(key, inner, APPID);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const qs = new URLSearchParams({ signature: sha1Signature(TOKEN, timestamp, nonce), timestamp, nonce, openid, encrypt_type: 'aes', msg_signature: sha1Signature(TOKEN, timestamp, nonce, encrypt) });
    const r = await request(agent, server, `/api/v1/channels/${configId}/wechat?${qs}`, { 'content-type': 'text/xml' }, toXml({ ToUserName: 'gh_bench', Encrypt: encrypt }));
    if (r.status !== 200 || !r.body.startsWith('<xml>')) return false;
    // Check the reply as WeChat would: signature, decryption for our appid, addressed to the sender, not empty.
    const env = parseXml(r.body);
    if (sha1Signature(TOKEN, env.TimeStamp, env.Nonce, env.Encrypt) !== env.MsgSignature) return false;
    const reply = parseXml(wechatDecrypt(key, env.Encrypt, APPID).message);
    s.turns++;
    return reply.ToUserName === openid && reply.MsgType === 'text' && reply.Content.length > 0;
  };
}

function webTurns(server: ServerProcess, sessions: number): Turn {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sessions });
  const state = Array.from({ length: sessions }, () => ({ sessionId: undefined as string | undefined, turns: 0, q: 0 }));
  return async (w) => {
    const s = state[w];
    if (s.turns >= TURNS_PER_USER) { s.sessionId = undefined; s.turns = 0; }
    const text = QUESTIONS[(w * 7 + s.q++) % QUESTIONS.length];
    const r = await request(agent, server, '/api/v1/chat', { 'content-type': 'application/json' }, JSON.stringify({ bot: 'demo', text, ...(s.sessionId ? { sessionId: s.sessionId } : {}) }));
    if (r.status !== 200) return false;
    const body = JSON.parse(r.body) as { sessionId: string; replies: unknown[] };
    s.sessionId = body.sessionId;
    s.turns++;
    return body.replies.length > 0;
  };
}

async function main() {
  const { values: args } = parseArgs({ options: { sessions: { type: 'string', default: '50' }, duration: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' } }, strict: true });
  const sessions = int(args.sessions, 'sessions', 1, 2000);
  const durationS = int(args.duration, 'duration', 1, 300);
  const warmupS = int(args.warmup, 'warmup', 0, 60);
  const loadAtStart = loadavg()[0];
  log(`bench wechat: ${sessions} users, ${warmupS}s warm-up + ${durationS}s per phase, ${cpus().length} cores shared by server and load generator; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const server = await startServer({ LINGXI_BENCH_WECHAT_SERVE: '1' }, { entry: 'bench/wechat.ts' });
  try {
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) });
    const { token } = (await login.json()) as { token: string };
    const bots = (await (await fetch(`${server.url}/api/v1/bots`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { id: string; slug: string }[] };
    const bot = bots.items.find((b) => b.slug === 'demo')!;
    const created = await fetch(`${server.url}/api/v1/channels`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      // replyTimeoutMs at its maximum: every reply is measured as a passive reply (the API base is unreachable).
      body: JSON.stringify({ botId: bot.id, type: 'wechat', name: 'bench', public: { appId: APPID, apiBase: 'http://127.0.0.1:9', replyTimeoutMs: 4500 }, secrets: { token: TOKEN, encodingAESKey: AES } }),
    });
    if (created.status !== 201) throw new Error(`creating the channel failed: ${created.status} ${await created.text()}`);
    const configId = ((await created.json()) as { id: string }).id;

    const wx = wechatTurns(server, configId, sessions);
    const web = webTurns(server, sessions);
    if (!(await wx(0)) || !(await web(0))) throw new Error('the first turn failed');
    log('phase 1: WeChat safe mode, passive replies');
    const a = await runPhase('wechat', sessions, warmupS, durationS, server, wx);
    log('phase 2: web chat POST /api/v1/chat');
    const b = await runPhase('web', sessions, warmupS, durationS, server, web);
    process.stdout.write(`${JSON.stringify({
      wechat_per_s: round(a.perSecond, 1), wechat_p99_ms: round(a.p99), web_per_s: round(b.perSecond, 1), web_p99_ms: round(b.p99),
      ratio: b.perSecond > 0 ? round(a.perSecond / b.perSecond, 3) : null,
      wechat_p50_ms: round(a.p50), web_p50_ms: round(b.p50), wechat_errors: a.errors, web_errors: b.errors, sessions, duration_s: durationS,
      wechat_server_cpu_pct: a.serverCpuPct === null ? null : round(a.serverCpuPct, 0), web_server_cpu_pct: b.serverCpuPct === null ? null : round(b.serverCpuPct, 0),
      cores: cpus().length, load_avg_1m: round(loadAtStart, 2),
    })}\n`);
  } finally {
    await server.stop();
  }
}

// ---- server mode: the real app plus the channel routes (until app.ts registers them itself) ----
if (process.env.LINGXI_BENCH_WECHAT_SERVE === '1') {
  const { loadConfig } = await import('../packages/server/src/config.ts');
  const { channelsApp } = await import('../packages/server/src/modules/channels/core/testing.ts');
  const config = loadConfig();
  const s = await channelsApp(undefined, { config });
  await s.app.listen({ port: config.PORT, host: config.HOST });
  process.on('SIGTERM', async () => { await s.close(); process.exit(0); });
} else {
  await main().catch((err) => {
    console.error(err instanceof Error ? err.stack ?? err.message : err);
    process.exit(1);
  });
}
