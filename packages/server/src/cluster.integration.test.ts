/**
 * Cluster seam (issue 2, item 8): two real server processes sharing PostgreSQL and Redis behave as one service.
 * Publishing knowledge on node A makes node B answer from it within a second, and a widget connected to A gets the
 * replies to messages that reach B.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { freshPostgres, IN_CI, TEST_REDIS_URL, redisAvailable } from './testing/databases.ts';
import { freePort } from './testing/ports.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const ADMIN_PASSWORD = `cluster-${randomBytes(6).toString('hex')}`;
const READY_TIMEOUT_MS = 120_000;


type Node = { name: string; url: string; child: ChildProcess; output: string[]; exited: Promise<void>; dataDir: string };

async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `lingxi-cluster-${name}-`));
  // `node --import tsx` is `npx tsx` without npx in between, so the pid we kill is the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LINGXI_DATA_DIR: dataDir, LINGXI_LOG_LEVEL: 'warn', LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Safety net: if this test process dies without running after(), the server must not outlive it.
  const reap = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));
  return { name, url: `http://127.0.0.1:${port}`, child, output, exited, dataDir };
}

async function waitHealthy(n: Node): Promise<{ node: string; coordination: string; storage: string }> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (n.child.exitCode !== null) throw new Error(`node ${n.name} exited (${n.child.exitCode}) while starting:\n${n.output.join('')}`);
    try {
      const r = await fetch(`${n.url}/healthz`);
      if (r.ok) return (await r.json()) as { node: string; coordination: string; storage: string };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`node ${n.name} not healthy within ${READY_TIMEOUT_MS} ms:\n${n.output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopNode(n: Node | undefined): Promise<void> {
  if (!n) return;
  if (n.child.exitCode === null && n.child.signalCode === null) {
    n.child.kill('SIGTERM');
    const t = setTimeout(() => n.child.kill('SIGKILL'), 5000);
    await n.exited;
    clearTimeout(t);
  }
  rmSync(n.dataDir, { recursive: true, force: true });
}

async function api<T = any>(n: Node, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: T }> {
  const r = await fetch(`${n.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: r.status, json };
}

function expectOk(res: { status: number; json: unknown }, what: string): void {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
}

// Absent servers: a failure in CI, a visible skip elsewhere.
const pgUp = await freshPostgres();
const redisUp = await redisAvailable();
let skip: string | undefined;
if (!redisUp) {
  if (IN_CI) throw new Error(`Redis is required in CI but not reachable at ${TEST_REDIS_URL}`);
  console.log(`# SKIP cluster tests: no Redis at ${TEST_REDIS_URL}`);
  skip = 'no Redis';
}
if (!pgUp) skip = 'no PostgreSQL';
// freshPostgres() opened a pool on the new database; the nodes bring their own.
await pgUp?.db.close();
// Top level, so the database is dropped even when the suite is skipped.
after(async () => { await pgUp?.drop(); });

describe('cluster: two server processes on one PostgreSQL and one Redis', { skip }, () => {
  let a: Node | undefined;
  let b: Node | undefined;

  before(async () => {
    const env = { DATABASE_URL: pgUp!.url, REDIS_URL: TEST_REDIS_URL };
    try {
      // A first: the demo seed runs on an empty database, then B finds it seeded.
      a = await startNode('A', env);
      const ha = await waitHealthy(a);
      b = await startNode('B', env);
      const hb = await waitHealthy(b);
      assert.equal(ha.coordination, 'redis');
      assert.equal(hb.coordination, 'redis');
      assert.equal(ha.storage, hb.storage);
      assert.notEqual(ha.node, hb.node, 'two distinct nodes');
    } catch (err) {
      await Promise.allSettled([stopNode(a), stopNode(b)]);
      a = b = undefined;
      throw err;
    }
  }, { timeout: 2 * READY_TIMEOUT_MS + 10_000 });

  after(async () => {
    await Promise.allSettled([stopNode(a), stopNode(b)]);
  });

  it('knowledge published on node A is answered by node B within 1 s', { timeout: 60_000 }, async () => {
    const login = await api<{ token: string }>(a!, 'POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD, tenant: 'demo' });
    expectOk(login, 'login on A');
    const token = login.json.token;

    const tag = randomBytes(4).toString('hex');
    // A question no demo entry is close to, so only the new entry can answer it.
    const question = `量子存钱罐${tag}怎么开通`;
    const answer = `量子存钱罐${tag}在示例银行App的“我的—量子”里一键开通。`;
    const chatOnB = () => api<{ replies: { type: string; text: string; entryId?: string }[] }>(b!, 'POST', '/api/v1/chat', { bot: 'demo', text: question });

    const t0 = Date.now();
    const before = await chatOnB();
    console.log(`# first chat turn on B took ${Date.now() - t0} ms`);
    expectOk(before, 'chat on B before publishing');
    assert.ok(!before.json.replies.some((r) => r.text.includes(answer)), 'B does not know the answer yet');

    const created = await api(a!, 'POST', '/api/v1/bots/demo/knowledge/entries', {
      question,
      similar: [`怎么开通量子存钱罐${tag}`, `量子存钱罐${tag}在哪开`, `我想开量子存钱罐${tag}`],
      answer,
      // Only published entries go into a version; the default is a draft.
      status: 'published',
    }, token);
    expectOk(created, 'create entry on A');
    const publishStarted = Date.now();
    const published = await api(a!, 'POST', '/api/v1/bots/demo/knowledge/publish', { note: `cluster test ${tag}` }, token);
    expectOk(published, 'publish on A');
    const publishedAt = Date.now();
    console.log(`# publish on A took ${publishedAt - publishStarted} ms`);

    let elapsed = -1;
    let last: unknown;
    while (Date.now() - publishedAt < Number(process.env.CLUSTER_POLL_MS ?? 3000)) {
      const r = await chatOnB();
      last = r.json;
      if (r.status === 200 && r.json.replies.some((x) => x.type === 'answer' && x.text.includes(answer))) {
        elapsed = Date.now() - publishedAt;
        break;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    if (elapsed < 0) {
      // Tell "B is stale" apart from "the robot does not match the new entry at all".
      const onA = await api(a!, 'POST', '/api/v1/chat', { bot: 'demo', text: question });
      assert.fail(`B never answered from the new entry within 3 s; last reply on B ${JSON.stringify(last)}; node A replies ${JSON.stringify(onA.json)}`);
    }
    console.log(`# node B answered from knowledge published on node A after ${elapsed} ms`);
    assert.ok(elapsed <= 1000, `B answered after ${elapsed} ms, more than 1 s`);
  });

  it('a widget connected to node A gets the replies to a message sent through node B', { timeout: 30_000 }, async () => {
    const ws = new WebSocket(`${a!.url.replace('http', 'ws')}/api/v1/ws`);
    const frames: any[] = [];
    const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8'));
      frames.push(m);
      for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    });
    const next = (pred: (m: any) => boolean, ms: number, what: string) => {
      const seen = frames.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<any>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; frames: ${JSON.stringify(frames)}`)), ms);
        waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
      });
    };
    try {
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      ws.send(JSON.stringify({ type: 'hello', bot: 'demo' }));
      const welcome = await next((m) => m.type === 'welcome', 5000, 'welcome');
      const sessionId: string = welcome.sessionId;
      assert.ok(sessionId);

      const res = await api<{ sessionId: string; replies: { type: string; text: string }[] }>(b!, 'POST', '/api/v1/chat', { bot: 'demo', sessionId, text: '借记卡丢了怎么挂失？' });
      expectOk(res, 'chat on B');
      assert.equal(res.json.sessionId, sessionId, 'B continued the session opened on A');
      assert.ok(res.json.replies.length > 0);

      const echoed = await next((m) => m.type === 'message' && m.text === '借记卡丢了怎么挂失？', 2000, 'the customer message on A');
      const reply = await next((m) => m.type === 'reply', 2000, 'a reply on A');
      assert.ok(reply.seq > echoed.seq, 'the reply follows the message');
      assert.deepEqual(reply.reply, res.json.replies[0], 'A\'s socket carries the same reply B returned');
    } finally {
      ws.close();
    }
  });
});
