/**
 * Human service across two real server processes on one PostgreSQL and one Redis (issue 5): waiting conversations
 * are assigned exactly once whichever node the customers and agents are on, and when a node is killed (SIGKILL,
 * no cleanup) its customers and its agents' chats are served through the other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AgentServerMessage } from '@lingxi/contracts';
import { freshPostgres, IN_CI, TEST_REDIS_URL, redisAvailable } from '../../testing/databases.ts';
import { freePort } from '../../testing/ports.ts';
import { AgentClient, until } from './service-test-kit.ts';

const ROOT = new URL('../../../../../', import.meta.url).pathname;
const ADMIN_PASSWORD = `svc-cluster-${randomBytes(6).toString('hex')}`;
const READY_TIMEOUT_MS = 120_000;
const ENV = {
  LINGXI_SERVICE_SWEEP_MS: '200',
  LINGXI_SERVICE_PRESENCE_TTL_MS: '3000',
  LINGXI_SERVICE_AGENT_GRACE_MS: '2000',
  LINGXI_DEMO_CORE_START: 'false',
};

type Node = { name: string; url: string; child: ChildProcess; output: string[]; exited: Promise<void>; dataDir: string };

async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `lingxi-svc-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LINGXI_DATA_DIR: dataDir, LINGXI_LOG_LEVEL: 'warn', LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (b: Buffer) => { output.push(b.toString('utf8')); if (output.length > 200) output.shift(); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const reap = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));
  const n = { name, url: `http://127.0.0.1:${port}`, child, output, exited, dataDir };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node ${name} exited while starting:\n${output.join('')}`);
    try {
      if ((await fetch(`${n.url}/healthz`)).ok) return n;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`node ${name} not healthy:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopNode(n: Node | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!n) return;
  if (n.child.exitCode === null && n.child.signalCode === null) {
    n.child.kill(signal);
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
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

const pgUp = await freshPostgres();
const redisUp = await redisAvailable();
if (!redisUp && IN_CI) throw new Error(`Redis is required in CI but not reachable at ${TEST_REDIS_URL}`);
if (!redisUp) console.log(`# SKIP human-service cluster tests: no Redis at ${TEST_REDIS_URL}`);
const skip = !pgUp ? 'no PostgreSQL' : !redisUp ? 'no Redis' : undefined;
await pgUp?.db.close();
after(async () => { await pgUp?.drop(); });

describe('human service on two server processes (PostgreSQL + Redis)', { skip }, () => {
  let a: Node | undefined;
  let b: Node | undefined;
  let sql: pg.Client;
  let admin: string;
  const clients: AgentClient[] = [];

  before(async () => {
    const env = { DATABASE_URL: pgUp!.url, REDIS_URL: TEST_REDIS_URL, ...ENV };
    a = await startNode('A', env);
    b = await startNode('B', env);
    sql = new pg.Client({ connectionString: pgUp!.url });
    await sql.connect();
    const login = await api<{ token: string }>(a, 'POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD, tenant: 'demo' });
    assert.equal(login.status, 200);
    admin = login.json.token;
  }, { timeout: 2 * READY_TIMEOUT_MS + 10_000 });

  after(async () => {
    for (const c of clients) await c.close();
    await sql?.end();
    await Promise.allSettled([stopNode(a), stopNode(b)]);
  });

  /** A default group and agents in it (users created through node A's API), each agent's socket on the given node. */
  async function team(group: string, agents: { node: Node; max: number }[]) {
    assert.equal((await api(a!, 'PUT', `/api/v1/service/groups/${group}`, { name: { zh: group, en: group }, isDefault: true }, admin)).status, 200);
    const out: { userId: string; token: string; node: Node; client?: AgentClient }[] = [];
    for (const [i, x] of agents.entries()) {
      const username = `${group}-agent${i}`;
      const password = `pw-${username}-1234`;
      const u = await api(a!, 'POST', '/api/v1/users', { username, password, roles: ['agent'] }, admin);
      assert.equal(u.status, 201, JSON.stringify(u.json));
      assert.equal((await api(a!, 'PUT', `/api/v1/service/agents/${u.json.id}`, { groups: [group], maxConcurrent: x.max }, admin)).status, 200);
      const token = (await api<{ token: string }>(x.node, 'POST', '/api/v1/auth/login', { username, password, tenant: 'demo' })).json.token;
      out.push({ userId: u.json.id, token, node: x.node });
    }
    return out;
  }

  const askForPerson = async (n: Node) => {
    const r = await api<{ sessionId: string; replies: { type: string }[] }>(n, 'POST', '/api/v1/chat', { bot: 'demo', text: '我要转人工' });
    assert.equal(r.json.replies[0].type, 'handoff');
    return r.json.sessionId;
  };

  it('30 waiting customers, 6 agents on two nodes, each freeing slots as soon as served: every conversation assigned exactly once', { timeout: 120_000 }, async () => {
    const agents = await team('cluster', Array.from({ length: 6 }, (_, i) => ({ node: i % 2 ? b! : a!, max: 2 })));
    const customers: string[] = [];
    for (let i = 0; i < 30; i++) customers.push(await askForPerson(i % 2 ? a! : b!));
    const served = new Map<string, string[]>();
    for (const ag of agents) {
      const c = await AgentClient.connect(ag.node.url, ag.token);
      clients.push(c);
      ag.client = c;
      // Each agent closes a chat as soon as it arrives (through its own node), freeing the slot for the next.
      c.onFrame = (m: AgentServerMessage) => {
        if (m.type !== 'assigned') return;
        served.set(m.conversation.id, [...(served.get(m.conversation.id) ?? []), ag.userId]);
        setTimeout(() => void api(ag.node, 'POST', `/api/v1/agent/conversations/${m.conversation.id}/close`, {}, ag.token), 20);
      };
    }
    await until(() => customers.every((id) => served.has(id)), 60_000, 'every customer served');
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of customers) assert.equal(served.get(id)!.length, 1, `${id} assigned to ${served.get(id)}`);
    const rows = (await sql.query(`SELECT conversation_id, count(*)::int AS n FROM service_assignments WHERE conversation_id = ANY($1) GROUP BY conversation_id`, [customers])).rows;
    assert.equal(rows.length, 30);
    assert.ok(rows.every((r) => r.n === 1), 'one assignment row per conversation');
    const logged = (await sql.query(`SELECT conversation_id, count(*)::int AS n FROM conversation_events WHERE type = 'conversation.assigned' AND conversation_id = ANY($1) GROUP BY conversation_id`, [customers])).rows;
    assert.ok(logged.length === 30 && logged.every((r) => r.n === 1), 'one conversation.assigned event each');
    const perAgent = agents.map((ag) => [...served.values()].filter((v) => v[0] === ag.userId).length);
    assert.ok(perAgent.every((n) => n > 0), `every agent served some: ${perAgent}`);
    for (const ag of agents) await ag.client!.close();
  });

  it('node A killed (SIGKILL): its queue, a half-recorded hand-off and its agent\'s chat are served through node B', { timeout: 120_000 }, async () => {
    const [onA, onB] = await team('survive', [{ node: a!, max: 1 }, { node: b!, max: 5 }]);
    // An agent on A with a chat; B's agent not connected yet.
    const cA = await AgentClient.connect(a!.url, onA.token);
    clients.push(cA);
    const held = await askForPerson(a!);
    await cA.next((m) => m.type === 'assigned' && m.conversation.id === held, 10_000, 'chat held on A');
    // Three more wait in the queue (A's agent is full), asked through A.
    const waiting = [await askForPerson(a!), await askForPerson(a!), await askForPerson(a!)];
    await until(async () => (await sql.query('SELECT count(*)::int AS n FROM service_queue WHERE conversation_id = ANY($1)', [waiting])).rows[0].n === 3, 10_000, 'queued');
    // A hand-off recorded on A whose queueing never happened (the node died in between).
    const orphan = (await api<{ sessionId: string }>(a!, 'POST', '/api/v1/chat', { bot: 'demo', text: '你好' })).json.sessionId;
    await sql.query(`UPDATE conversations SET status = 'handoff', updated_at = now() - interval '1 minute' WHERE id = $1`, [orphan]);

    await stopNode(a, 'SIGKILL');
    const cB = await AgentClient.connect(b!.url, onB.token);
    clients.push(cB);
    const expect = [...waiting, held, orphan];
    const got = new Set<string>();
    cB.onFrame = (m) => { if (m.type === 'assigned') got.add(m.conversation.id); };
    for (const f of cB.frames) if (f.type === 'assigned') got.add(f.conversation.id);
    await until(() => expect.every((id) => got.has(id)), 40_000, `B's agent to get ${expect.join(', ')} (got ${[...got].join(', ')})`);
    const held2 = (await sql.query(`SELECT type, payload FROM conversation_events WHERE conversation_id = $1 AND type = 'conversation.unassigned'`, [held])).rows;
    assert.equal(held2[0]?.payload.reason, 'agent_offline', 'the dead node\'s agent lost the chat after the grace time');
    const counts = (await sql.query(`SELECT conversation_id, count(*)::int AS n FROM service_assignments WHERE conversation_id = ANY($1) AND ended_at IS NULL GROUP BY conversation_id`, [expect])).rows;
    assert.ok(counts.length === expect.length && counts.every((r) => r.n === 1), 'each with exactly one agent now');
    assert.equal((await api(b!, 'GET', '/healthz')).status, 200);
  });
});
