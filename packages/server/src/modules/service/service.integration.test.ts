/**
 * Human service on real PostgreSQL and Redis (issue 5): routing strategies, capacity, priority, working hours,
 * picking races, the agent and supervisor desk, and the fault rules (an agent's browser dying, a customer leaving
 * the queue). Each test makes its own skill group the tenant's default, so the hand-offs it causes land there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import type { AgentServerMessage } from '@lingxi/contracts';
import { freshPostgres, IN_CI, TEST_REDIS_URL, redisAvailable } from '../../testing/databases.ts';
import { demoApp, login, type DemoEnv } from '../../testing/app.ts';
import { RedisCoordination } from '../../platform/redis-coordination.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { AgentClient, customerAsksForPerson, makeAgent, putGroup, until } from './service-test-kit.ts';

const pg = await freshPostgres();
const redis = await redisAvailable();
if (!redis && IN_CI) throw new Error(`Redis is required in CI but not reachable at ${TEST_REDIS_URL}`);
if (!redis) console.log(`# SKIP human-service tests: no Redis at ${TEST_REDIS_URL}`);
const skip = !pg ? 'no PostgreSQL' : !redis ? 'no Redis' : undefined;
const prefix = `lingxi:test:${randomBytes(4).toString('hex')}:`;
after(async () => {
  await pg?.drop();
  if (!redis) return;
  const r = new Redis(TEST_REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await r.quit();
});

/** Short fault timings so the rules can be watched within a test. */
const TIMINGS = {
  LINGXI_SERVICE_SWEEP_MS: '100',
  LINGXI_SERVICE_PRESENCE_TTL_MS: '1500',
  LINGXI_SERVICE_AGENT_GRACE_MS: '1000',
  LINGXI_SERVICE_QUEUE_ABANDON_MS: '1500',
  LINGXI_SERVICE_IDLE_AWAY_MS: '600000',
};

describe('human service on PostgreSQL + Redis', { skip }, () => {
  let env: DemoEnv;
  let base: string;
  let tenantId: string;
  let admin: string;
  const events: DomainEvent[] = [];
  const clients: AgentClient[] = [];
  let n = 0;
  const uid = (what: string) => `${what}${++n}${randomBytes(2).toString('hex')}`;

  before(async () => {
    const coordination = await RedisCoordination.connect(TEST_REDIS_URL, { prefix });
    env = await demoApp(pg!.db, { coordination, env: TIMINGS });
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = env.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
    admin = await login(env.app);
    env.deps.events.on('*', (e) => { if (e.type.startsWith('conversation.') || e.type === 'agent.message') events.push(e); });
    env.deps.service.start();
  });
  after(async () => {
    for (const c of clients) await c.close();
    await env?.close();
  });

  /** A fresh default group for one test, and agents in it with open workbenches. */
  async function setup(opts: { strategy?: 'least_busy' | 'round_robin' | 'last_agent'; agents: number; max?: number; hours?: unknown; online?: boolean }) {
    const group = uid('g');
    await putGroup(env.deps, tenantId, { id: group, isDefault: true, strategy: opts.strategy ?? 'least_busy', ...(opts.hours ? { workingHours: opts.hours as never } : {}) });
    const agents: { userId: string; token: string; client: AgentClient | null; name: string }[] = [];
    for (let i = 0; i < opts.agents; i++) {
      const name = uid('agent');
      const a = await makeAgent(env.app, env.deps, tenantId, name, { groups: [group], maxConcurrent: opts.max ?? 3, displayName: `客服${name}` });
      const client = opts.online === false ? null : await AgentClient.connect(base, a.token);
      if (client) clients.push(client);
      agents.push({ ...a, client, name });
    }
    return { group, agents };
  }

  const api = async (method: string, url: string, token: string, payload?: unknown) => {
    const r = await env.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: r.statusCode, json: r.body ? r.json() : null, body: r.body };
  };
  const status = async (id: string) => (await env.deps.db.query('SELECT status FROM conversations WHERE id = $1', [id]))[0].status as string;
  const logTypes = async (id: string) => (await env.deps.conversations.events(tenantId, id)).map((e) => e.type);
  const assignedTo = async (id: string) => ((await env.deps.db.query(`SELECT agent_id FROM service_assignments WHERE conversation_id = $1 AND role = 'primary' AND ended_at IS NULL`, [id]))[0]?.agent_id as string | undefined) ?? null;

  test('a hand-off is queued and assigned; agent and customer talk; the robot stays quiet; close asks for a rating', async () => {
    const { group, agents: [a] } = await setup({ agents: 1 });
    // The customer's widget, to see the live frames.
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/ws`);
    const frames: any[] = [];
    ws.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString('utf8'))));
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send(JSON.stringify({ type: 'hello', bot: 'demo' }));
    const welcome = await until(() => frames.find((f) => f.type === 'welcome'), 5000, 'welcome');
    ws.send(JSON.stringify({ type: 'message', clientMsgId: 'm1', text: '我要转人工' }));
    const assigned = await a.client!.next<Extract<AgentServerMessage, { type: 'assigned' }>>((m) => m.type === 'assigned', 5000, 'assigned');
    const convId = welcome.sessionId;
    assert.equal(assigned.conversation.id, convId);
    assert.equal(assigned.conversation.group, group);
    assert.equal(assigned.conversation.status, 'agent');
    await until(() => frames.find((f) => f.type === 'status' && f.status === 'agent'), 3000, 'status agent on the widget');
    assert.equal(frames.find((f) => f.type === 'status' && f.status === 'agent').agentName, `客服${a.name}`);
    assert.ok(frames.some((f) => f.type === 'status' && f.status === 'handoff'), 'the widget heard it was queued first');
    assert.deepEqual((await logTypes(convId)).filter((t) => t.startsWith('conversation.')), ['conversation.started', 'conversation.handoff', 'conversation.queued', 'conversation.assigned']);

    // The customer writes: recorded, forwarded to the agent, no robot reply.
    ws.send(JSON.stringify({ type: 'message', clientMsgId: 'm2', text: '我的信用卡被盗刷了 6222021234567894' }));
    const ev = await a.client!.next<Extract<AgentServerMessage, { type: 'event' }>>((m) => m.type === 'event' && m.kind === 'customer' && m.text.includes('盗刷'), 3000, 'customer event');
    assert.ok(!ev.text.includes('6222021234567894'), 'the card number is masked for the agent');
    const list = await api('GET', '/api/v1/agent/conversations', a.token);
    assert.equal(list.json.items[0].unread, 1 + 1, 'two customer messages unread (the request and the new one)');
    await new Promise((r) => setTimeout(r, 200));
    const afterCustomer = await env.deps.conversations.events(tenantId, convId);
    assert.equal(afterCustomer[afterCustomer.length - 1].type, 'message.received', 'the robot did not answer');

    // The agent replies: the widget gets a reply of type agent with the agent's display name.
    const sent = await api('POST', `/api/v1/agent/conversations/${convId}/messages`, a.token, { text: '您好，已为您冻结卡片。', clientMsgId: 'r1' });
    assert.equal(sent.status, 200, sent.body);
    const again = await api('POST', `/api/v1/agent/conversations/${convId}/messages`, a.token, { text: '您好，已为您冻结卡片。', clientMsgId: 'r1' });
    assert.equal(again.json.seq, sent.json.seq, 'a retried reply is recorded once');
    const reply = await until(() => frames.find((f) => f.type === 'reply' && f.reply.type === 'agent'), 3000, 'agent reply on the widget');
    assert.equal(reply.reply.text, '您好，已为您冻结卡片。');
    assert.equal(reply.reply.agentName, `客服${a.name}`);
    assert.equal((await api('GET', '/api/v1/agent/conversations', a.token)).json.items[0].unread, 0, 'replying marks read');

    // Wrap-up and close: the customer is asked for a rating; webhooks' events were emitted.
    assert.equal((await api('PUT', `/api/v1/agent/conversations/${convId}/wrapup`, a.token, { category: '卡片问题', summary: '盗刷，已冻结' })).status, 200);
    assert.equal((await api('POST', `/api/v1/agent/conversations/${convId}/close`, a.token, {})).status, 204);
    const rating = await until(() => frames.find((f) => f.type === 'reply' && f.reply.rating), 3000, 'rating request');
    assert.deepEqual(rating.reply.rating, { scale: 5 });
    assert.equal(rating.reply.type, 'system');
    await until(() => frames.find((f) => f.type === 'status' && f.status === 'closed'), 3000, 'status closed');
    assert.equal(await status(convId), 'closed');
    await a.client!.next((m) => m.type === 'unassigned' && m.conversationId === convId, 3000, 'unassigned');
    await until(() => events.find((e) => e.type === 'conversation.closed' && e.conversationId === convId));
    const asg = events.find((e) => e.type === 'conversation.assigned' && e.conversationId === convId)!;
    assert.equal((asg.payload as any).agentId, a.userId);

    // Writing again starts a new conversation, announced by a new welcome.
    ws.send(JSON.stringify({ type: 'message', clientMsgId: 'm3', text: '你好' }));
    const second = await until(() => frames.filter((f) => f.type === 'welcome')[1], 3000, 'a second welcome');
    assert.notEqual(second.sessionId, convId);
    ws.close();
  });

  /** The customer writes through a channel with an identity, so that they are a contact (flags, last agent). */
  async function contactSays(visitor: string, text: string): Promise<{ conversationId: string; contactId: string; replies: any[] }> {
    const bot = await env.deps.tenancy.getBot(tenantId, 'demo');
    const r = await env.deps.chat.handle({ bot: bot.id, text, channel: 'test', identity: { kind: 'web_visitor', value: visitor } });
    const [row] = await env.deps.db.query('SELECT contact_id FROM conversations WHERE id = $1', [r.sessionId]);
    return { conversationId: r.sessionId, contactId: row.contact_id, replies: r.replies };
  }

  test('least busy within capacity: chats spread evenly, nobody gets more than their maximum, a freed slot is filled', async () => {
    const { agents: [a, b] } = await setup({ agents: 2, max: 2 });
    const convs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await customerAsksForPerson(env.app);
      convs.push(id);
      await until(() => assignedTo(id), 5000, `assignment of customer ${i + 1}`);
      if (i === 1) assert.notEqual(await assignedTo(convs[0]), await assignedTo(convs[1]), 'the second customer goes to the idle agent');
    }
    const byAgent = async (u: string) => (await Promise.all(convs.map(assignedTo))).filter((x) => x === u).length;
    assert.equal(await byAgent(a.userId), 2);
    assert.equal(await byAgent(b.userId), 2);
    const fifth = await customerAsksForPerson(env.app);
    await until(async () => (await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [fifth])).length > 0, 3000, 'the fifth queued');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await assignedTo(fifth), null, 'both agents are at their maximum: the fifth waits');
    const waiting = await api('GET', '/api/v1/agent/queue', a.token);
    assert.deepEqual(waiting.json.items.map((x: any) => x.id), [fifth]);
    const freed = convs[0];
    const owner = (await assignedTo(freed))!;
    assert.equal((await api('POST', `/api/v1/agent/conversations/${freed}/close`, owner === a.userId ? a.token : b.token, {})).status, 204);
    assert.equal(await until(() => assignedTo(fifth), 3000, 'the fifth assigned'), owner, 'the agent who freed a slot takes the next');
  });

  test('round robin: agents take turns in a fixed order', async () => {
    const { agents } = await setup({ strategy: 'round_robin', agents: 3, max: 5 });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await customerAsksForPerson(env.app);
      order.push(await until(() => assignedTo(id), 5000, 'assignment'));
    }
    const ring = agents.map((x) => x.userId).sort();
    assert.deepEqual(order.slice(0, 3).sort(), ring, 'each agent once in the first round');
    assert.deepEqual(order.slice(3), order.slice(0, 3), 'the second round in the same order');
    assert.equal(order[1] > order[0] || order[0] === ring[ring.length - 1], true);
  });

  test('last agent first: a returning customer goes back to the agent who served them, though another is idler', async () => {
    const { agents: [x, y] } = await setup({ strategy: 'last_agent', agents: 2, online: false });
    x.client = await AgentClient.connect(base, x.token);
    clients.push(x.client);
    const visitor = uid('v');
    const first = await contactSays(visitor, '我要转人工');
    assert.equal(await until(() => assignedTo(first.conversationId), 5000, 'first assignment'), x.userId);
    assert.equal((await api('POST', `/api/v1/agent/conversations/${first.conversationId}/close`, x.token, {})).status, 204);
    const other = await customerAsksForPerson(env.app);
    assert.equal(await until(() => assignedTo(other), 5000, 'other customer'), x.userId);
    y.client = await AgentClient.connect(base, y.token);
    clients.push(y.client);
    const again = await contactSays(visitor, '我要转人工');
    assert.notEqual(again.conversationId, first.conversationId, 'a new conversation after the closed one');
    assert.equal(again.contactId, first.contactId);
    assert.equal(await until(() => assignedTo(again.conversationId), 5000, 'returning customer'), x.userId, 'x (1 chat) rather than y (none)');
    const fresh = await customerAsksForPerson(env.app);
    assert.equal(await until(() => assignedTo(fresh), 5000, 'new customer'), y.userId, 'a new customer goes to the least busy');
  });

  test('priority: VIP and elderly customers are served first, FIFO among equals', async () => {
    const { agents: [a] } = await setup({ agents: 1, max: 1, online: false });
    const people: Record<string, string> = {};
    for (const [who, flags] of [['normal', null], ['vip', { vip: true, elderly: false }], ['both', { vip: true, elderly: true }], ['elderly', { vip: false, elderly: true }]] as const) {
      const visitor = uid(who);
      const hi = await contactSays(visitor, '你好');
      if (flags) assert.equal((await api('PUT', `/api/v1/service/contacts/${hi.contactId}/flags`, admin, flags)).status, 200);
      const asked = await contactSays(visitor, '我要转人工');
      assert.equal(asked.conversationId, hi.conversationId);
      people[who] = asked.conversationId;
      await until(async () => (await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [asked.conversationId])).length > 0, 3000, `${who} queued`);
    }
    const queue = await api('GET', '/api/v1/supervisor/queue', admin);
    const order = queue.json.items.map((x: any) => x.id).filter((id: string) => Object.values(people).includes(id));
    assert.deepEqual(order, [people.both, people.vip, people.elderly, people.normal]);
    const client = await AgentClient.connect(base, a.token);
    clients.push(client);
    const served: string[] = [];
    for (let i = 0; i < 4; i++) {
      const f = await client.next<Extract<AgentServerMessage, { type: 'assigned' }>>((m) => m.type === 'assigned' && !served.includes(m.conversation.id), 5000, `assignment ${i + 1}`);
      served.push(f.conversation.id);
      assert.equal((await api('POST', `/api/v1/agent/conversations/${f.conversation.id}/close`, a.token, {})).status, 204);
    }
    assert.deepEqual(served, [people.both, people.vip, people.elderly, people.normal]);
  });

  test('outside working hours: the out-of-hours message, back to the robot, and a message may be left', async () => {
    const closed = { timeZone: 'Asia/Shanghai', weekly: { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } };
    const { group } = await setup({ agents: 1, hours: closed });
    await putGroup(env.deps, tenantId, { id: group, isDefault: true, workingHours: closed as never, outOfHoursMessage: { zh: '本组服务时间已过，请留言。', en: 'Closed.' } });
    const left: string[] = [];
    env.deps.service.setWorkOrderIntake({ async fromConversation(_t, _c, text) { left.push(text); return { id: `wo-${left.length}` }; } });
    const id = await customerAsksForPerson(env.app);
    await until(async () => (await status(id)) === 'bot', 3000, 'back with the robot');
    const evs = await env.deps.conversations.events(tenantId, id);
    assert.ok(evs.some((e) => e.type === 'conversation.out_of_hours'));
    assert.equal((evs[evs.length - 1].payload.reply as any).text, '本组服务时间已过，请留言。');
    assert.equal((await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [id])).length, 0, 'not queued');
    const conv = await env.deps.conversations.get(tenantId, id);
    const replies = await env.deps.chat.leaveMessage(conv, '请明天给我回电话，关于信用卡年费', '13800138000');
    assert.match(replies[0].text, /wo-1/);
    assert.deepEqual(left, ['请明天给我回电话，关于信用卡年费']);
    assert.ok((await logTypes(id)).includes('conversation.message_left'));
  });

  test('a waiting customer who writes 不等了 leaves a message instead: a work order with what they wrote, out of the queue', async () => {
    const { group } = await setup({ agents: 1, online: false });
    const left: { text: string; conv: string }[] = [];
    env.deps.service.setWorkOrderIntake({ async fromConversation(_t, conv, text) { left.push({ text, conv }); return { id: 'wo-77' }; } });
    const id = await customerAsksForPerson(env.app);
    await until(async () => (await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [id])).length > 0, 3000, 'queued');
    const waitRes = (await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', sessionId: id, text: '我的房贷利率能不能下调？' } })).json();
    assert.equal(waitRes.replies[0]?.type, 'system', 'reminded that they are waiting (and may leave a message)');
    const r = (await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', sessionId: id, text: '不等了' } })).json();
    assert.match(r.replies[0].text, /wo-77/);
    assert.deepEqual(left, [{ text: '我的房贷利率能不能下调？', conv: id }]);
    assert.equal(await status(id), 'bot');
    assert.equal((await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [id])).length, 0);
    const robot = (await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', sessionId: id, text: '信用卡丢了怎么挂失' } })).json();
    assert.equal(robot.replies[0].type, 'answer', 'the robot answers again');
    void group;
  });

  test('two agents accepting the same waiting conversation at once: one wins, the other gets 409', async () => {
    const { agents: [a, b] } = await setup({ agents: 2 });
    for (const x of [a, b]) {
      x.client!.send({ type: 'presence', presence: 'busy' });
      await x.client!.next((m) => m.type === 'presence' && m.presence === 'busy', 3000, 'busy');
    }
    const id = await customerAsksForPerson(env.app);
    await until(async () => (await api('GET', '/api/v1/agent/queue', a.token)).json.items.some((x: any) => x.id === id), 3000, 'visible in the queue');
    const [ra, rb] = await Promise.all([
      api('POST', `/api/v1/agent/conversations/${id}/accept`, a.token),
      api('POST', `/api/v1/agent/conversations/${id}/accept`, b.token),
    ]);
    assert.deepEqual([ra.status, rb.status].sort(), [200, 409], `${ra.body} / ${rb.body}`);
    const winner = ra.status === 200 ? a : b;
    assert.equal(await assignedTo(id), winner.userId);
    const n = await env.deps.db.query(`SELECT count(*)::int AS n FROM service_assignments WHERE conversation_id = $1`, [id]);
    assert.equal(n[0].n, 1, 'one assignment only');
    assert.equal((await logTypes(id)).filter((t) => t === 'conversation.assigned').length, 1);
  });

  test('capacity holds under races: an agent at max 1 accepting two waiting conversations at once gets one', async () => {
    const { agents: [a] } = await setup({ agents: 1, max: 1 });
    a.client!.send({ type: 'presence', presence: 'busy' });
    await a.client!.next((m) => m.type === 'presence' && m.presence === 'busy', 3000, 'busy');
    const ids = [await customerAsksForPerson(env.app), await customerAsksForPerson(env.app)];
    await until(async () => (await api('GET', '/api/v1/agent/queue', a.token)).json.items.length === 2, 3000, 'both waiting');
    const rs = await Promise.all(ids.map((id) => api('POST', `/api/v1/agent/conversations/${id}/accept`, a.token)));
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.body).join(' / '));
    assert.match(rs.find((r) => r.status === 409)!.json.error.message, /maximum of 1/);
    const [n] = await env.deps.db.query(`SELECT count(*)::int AS n FROM service_assignments WHERE agent_id = $1 AND ended_at IS NULL`, [a.userId]);
    assert.equal(n.n, 1);
  });

  test('an agent whose browser dies: offline at once, their chats requeued after the grace time and served by another', async () => {
    const { agents: [a, b] } = await setup({ agents: 2, online: false });
    a.client = await AgentClient.connect(base, a.token);
    const id = await customerAsksForPerson(env.app);
    assert.equal(await until(() => assignedTo(id), 5000, 'assigned to a'), a.userId);
    b.client = await AgentClient.connect(base, b.token);
    clients.push(b.client);
    const t0 = Date.now();
    await a.client.close();
    const presenceOf = async (u: string) => (await api('GET', '/api/v1/supervisor/agents', admin)).json.items.find((x: any) => x.userId === u).presence;
    await until(async () => (await presenceOf(a.userId)) === 'offline', 1000, 'offline as soon as the last socket closed');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await assignedTo(id), a.userId, 'within the grace time the chat stays with a');
    const f: Extract<AgentServerMessage, { type: 'assigned' }> = await b.client.next((m) => m.type === 'assigned' && m.conversation.id === id, 5000, 'requeued to b');
    assert.ok(Date.now() - t0 >= 1000, 'not before the grace time');
    assert.equal(f.conversation.id, id);
    const types = await logTypes(id);
    assert.deepEqual(types.filter((t) => t.startsWith('conversation.')).slice(-4), ['conversation.assigned', 'conversation.unassigned', 'conversation.queued', 'conversation.assigned']);
    const unassigned = (await env.deps.conversations.events(tenantId, id, { types: ['conversation.unassigned'] }))[0];
    assert.equal(unassigned.payload.reason, 'agent_offline');
  });

  test('a silent browser (socket open, no pings) is dropped after the presence TTL and its agent goes offline', async () => {
    const { agents: [c] } = await setup({ agents: 1, online: false });
    const client = await AgentClient.connect(base, c.token, { pingMs: 0 });
    clients.push(client);
    assert.equal((await api('GET', '/api/v1/agent/me', c.token)).json.presence, 'online');
    await until(() => client.ws.readyState === WebSocket.CLOSED, 5000, 'the server to drop the silent socket');
    await until(async () => (await api('GET', '/api/v1/agent/me', c.token)).json.presence === 'offline', 3000, 'offline');
  });

  test('a customer who closes the widget while queued is removed after the abandon time; one with it open stays', async () => {
    await setup({ agents: 1, online: false });
    const widget = async () => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/ws`);
      const frames: any[] = [];
      ws.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString('utf8'))));
      await new Promise<void>((r) => ws.once('open', () => r()));
      ws.send(JSON.stringify({ type: 'hello', bot: 'demo' }));
      const w = await until(() => frames.find((f) => f.type === 'welcome'), 5000, 'welcome');
      ws.send(JSON.stringify({ type: 'message', clientMsgId: 'x', text: '我要转人工' }));
      await until(() => frames.find((f) => f.type === 'queue'), 5000, 'a queue position');
      return { ws, frames, id: w.sessionId as string };
    };
    const leaving = await widget();
    const staying = await widget();
    assert.deepEqual(staying.frames.filter((f) => f.type === 'queue').pop(), { type: 'queue', position: 2, etaSeconds: null, group: staying.frames.find((f) => f.type === 'queue').group });
    leaving.ws.close();
    const closedAt = Date.now();
    await until(async () => (await status(leaving.id)) === 'closed', 8000, 'the leaver removed');
    assert.ok(Date.now() - closedAt >= 1000, 'not before the abandon time');
    const closedEv = (await env.deps.conversations.events(tenantId, leaving.id, { types: ['conversation.closed'] }))[0];
    assert.deepEqual([closedEv.payload.by, closedEv.payload.reason], ['customer', 'left_queue']);
    assert.equal((await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [leaving.id])).length, 0);
    await until(() => staying.frames.find((f) => f.type === 'queue' && f.position === 1), 3000, 'the one who stayed moves up');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await status(staying.id), 'handoff', 'an open widget keeps its place');
    staying.ws.close();
  });

  test('transfer to an agent with a note, then to a group; wrap-up after close; webhooks-shaped events', async () => {
    const { group, agents: [a, b] } = await setup({ agents: 2, max: 1 });
    const other = uid('g');
    await putGroup(env.deps, tenantId, { id: other, name: { zh: '贷款组', en: 'Loans' } });
    const c = await makeAgent(env.app, env.deps, tenantId, uid('agent'), { groups: [other] });
    const cClient = await AgentClient.connect(base, c.token);
    clients.push(cClient);
    const id = await customerAsksForPerson(env.app);
    const first = (await until(() => assignedTo(id), 5000, 'assigned'))!;
    const [holder, peer] = first === a.userId ? [a, b] : [b, a];
    assert.equal((await api('POST', `/api/v1/agent/conversations/${id}/transfer`, peer.token, { toAgentId: holder.userId })).status, 403, 'only its agent (or a supervisor) transfers');
    const t1 = await api('POST', `/api/v1/agent/conversations/${id}/transfer`, holder.token, { toAgentId: peer.userId, note: '客户要求办理分期' });
    assert.equal(t1.status, 204, t1.body);
    const got = await peer.client!.next<Extract<AgentServerMessage, { type: 'assigned' }>>((m) => m.type === 'assigned' && m.conversation.id === id, 3000, 'transferred in');
    assert.equal(got.note, '客户要求办理分期');
    await holder.client!.next((m) => m.type === 'unassigned' && m.conversationId === id && m.reason === 'transferred', 3000, 'transferred out');
    assert.equal(await assignedTo(id), peer.userId);
    const t2 = await api('POST', `/api/v1/agent/conversations/${id}/transfer`, peer.token, { toGroup: other, note: '贷款问题' });
    assert.equal(t2.status, 204, t2.body);
    const inOther = await cClient.next<Extract<AgentServerMessage, { type: 'assigned' }>>((m) => m.type === 'assigned' && m.conversation.id === id, 3000, 'to the other group');
    assert.equal(inOther.conversation.group, other);
    assert.equal(inOther.note, '贷款问题');
    const transferred = await env.deps.conversations.events(tenantId, id, { types: ['conversation.transferred'] });
    assert.deepEqual(transferred.map((e) => [e.payload.toAgentId ?? null, e.payload.toGroup ?? null]), [[peer.userId, null], [null, other]]);
    assert.equal((await api('POST', `/api/v1/agent/conversations/${id}/close`, c.token, { reason: 'resolved' })).status, 204);
    assert.equal((await api('PUT', `/api/v1/agent/conversations/${id}/wrapup`, c.token, { category: '业务咨询', summary: '贷款提前还款' })).status, 200, 'wrap-up after close');
    assert.equal((await api('PUT', `/api/v1/agent/conversations/${id}/wrapup`, holder.token, { category: 'x', summary: '' })).status, 200, 'an agent who served it earlier may too');
    const outsider = await makeAgent(env.app, env.deps, tenantId, uid('agent'), { groups: [group] });
    assert.equal((await api('PUT', `/api/v1/agent/conversations/${id}/wrapup`, outsider.token, { category: 'x' })).status, 403);
    const { DOMAIN_TO_WEBHOOK, WebhookEventData } = await import('../webhooks/events.ts');
    for (const type of ['conversation.assigned', 'conversation.closed', 'conversation.queued', 'conversation.transferred'] as const) {
      const e = await until(() => events.find((x) => x.type === type && x.conversationId === id), 2000, type);
      const m = DOMAIN_TO_WEBHOOK[type];
      const data = m.data(e as never);
      assert.ok((WebhookEventData as any)[m.type].safeParse(data).success, `${type} → ${JSON.stringify(data)}`);
    }
    const closed = DOMAIN_TO_WEBHOOK['conversation.closed'].data(events.find((x) => x.type === 'conversation.closed' && x.conversationId === id) as never);
    assert.equal(closed.closedBy, 'agent');
  });

  test('supervisors: queues live, agents with load, force-assign, take over, join and leave', async () => {
    const { group, agents: [a, b] } = await setup({ agents: 2, max: 1 });
    for (const x of [a, b]) {
      x.client!.send({ type: 'presence', presence: 'busy' });
      await x.client!.next((m) => m.type === 'presence' && m.presence === 'busy', 3000, 'busy');
    }
    const id = await customerAsksForPerson(env.app);
    const stats = await until(async () => (await api('GET', '/api/v1/supervisor/queues', admin)).json.items.find((q: any) => q.group === group && q.waiting === 1), 3000, 'queue stats');
    assert.deepEqual(stats.agents, { online: 0, busy: 2, away: 0, offline: 0 });
    assert.equal(stats.open, true);
    assert.equal((await api('GET', '/api/v1/supervisor/queues', a.token)).status, 403, 'agents are not supervisors');
    const queues = await a.client!.next<Extract<AgentServerMessage, { type: 'queues' }>>((m) => m.type === 'queues' && m.groups.some((g) => g.group === group && g.waiting === 1), 4000, 'queues frame');
    assert.deepEqual(queues.groups.map((g) => g.group), [group], 'an agent sees their own groups');
    assert.equal((await api('POST', `/api/v1/supervisor/conversations/${id}/assign`, admin, { agentId: a.userId })).status, 204);
    await a.client!.next((m) => m.type === 'assigned' && m.conversation.id === id, 3000, 'force-assigned');
    const id2 = await customerAsksForPerson(env.app);
    await until(async () => (await env.deps.db.query('SELECT 1 FROM service_queue WHERE conversation_id = $1', [id2])).length > 0, 3000, 'queued');
    const forced = await api('POST', `/api/v1/supervisor/conversations/${id2}/assign`, admin, { agentId: a.userId });
    assert.equal(forced.status, 204, 'force-assign may exceed the maximum (1)');
    const agents = (await api('GET', '/api/v1/supervisor/agents', admin)).json.items;
    const aRow = agents.find((x: any) => x.userId === a.userId);
    assert.equal(aRow.load, 2);
    assert.deepEqual([...aRow.conversations].sort(), [id, id2].sort());

    // Join: the supervisor reads live and may write; the customer sees both.
    const adminClient = await AgentClient.connect(base, admin);
    clients.push(adminClient);
    assert.equal((await api('POST', `/api/v1/supervisor/conversations/${id}/join`, admin)).status, 200);
    await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', sessionId: id, text: '还有人在吗' } });
    await adminClient.next((m) => m.type === 'event' && m.conversationId === id && m.kind === 'customer' && m.text === '还有人在吗', 3000, 'joined supervisor sees the customer');
    await a.client!.next((m) => m.type === 'event' && m.conversationId === id && m.kind === 'customer' && m.text === '还有人在吗', 3000, 'the agent too');
    assert.equal((await api('POST', `/api/v1/agent/conversations/${id}/messages`, admin, { text: '我是值班主管，马上为您处理。' })).status, 200);
    await a.client!.next((m) => m.type === 'event' && m.conversationId === id && m.kind === 'agent' && m.text.includes('值班主管'), 3000, 'the agent sees the supervisor\'s reply');
    assert.equal((await api('POST', `/api/v1/supervisor/conversations/${id}/leave`, admin)).status, 204);
    // Take over the second: a is told, the supervisor becomes its agent.
    const taken = await api('POST', `/api/v1/supervisor/conversations/${id2}/take-over`, admin);
    assert.equal(taken.status, 200, taken.body);
    await a.client!.next((m) => m.type === 'unassigned' && m.conversationId === id2 && m.reason === 'taken_over', 3000, 'taken over');
    const adminUser = (await env.deps.auth.listUsers(tenantId)).find((u) => u.username === 'admin')!;
    assert.equal(await assignedTo(id2), adminUser.id);
    assert.equal((await api('POST', `/api/v1/supervisor/conversations/${id2}/take-over`, admin)).status, 409, 'already mine');
    for (const [conv, token] of [[id, a.token], [id2, admin]] as const) assert.equal((await api('POST', `/api/v1/agent/conversations/${conv}/close`, token, {})).status, 204);
    await adminClient.close();
  });

  test('transcript with the robot\'s part and the customer across channels, masked unless pii:view (audited)', async () => {
    const { agents: [a] } = await setup({ agents: 1 });
    const visitor = uid('v');
    // (A question of the card category would send the hand-off to the demo group 信用卡: see routing.ts.)
    const hi = await contactSays(visitor, '手机银行怎么注册');
    const earlier = await contactSays(visitor, '我的手机号是13812345678，卡号6222021234567894');
    const asked = await contactSays(visitor, '我要转人工');
    assert.equal(asked.conversationId, earlier.conversationId);
    await until(() => assignedTo(asked.conversationId), 5000, 'assigned');
    const t = await api('GET', `/api/v1/agent/conversations/${asked.conversationId}?unmasked=true`, a.token);
    assert.equal(t.status, 200, t.body);
    assert.equal(t.json.masked, true, 'an agent without pii:view gets it masked even when asking');
    const kinds = t.json.items.map((x: any) => x.kind);
    assert.ok(kinds.includes('bot') && kinds.includes('customer') && kinds.includes('system'), kinds.join());
    const botText = hi.replies[0].text as string;
    assert.ok(t.json.items.some((x: any) => x.kind === 'bot' && x.text === botText), 'the robot\'s reply is in the transcript');
    const raw = JSON.stringify(t.json);
    assert.ok(!raw.includes('13812345678') && !raw.includes('6222021234567894'), 'masked');
    const clear = await api('GET', `/api/v1/agent/conversations/${asked.conversationId}?unmasked=true`, admin);
    assert.equal(clear.json.masked, false);
    assert.ok(JSON.stringify(clear.json).includes('13812345678'));
    const audit = await env.deps.audit.list(tenantId, { action: 'conversation.view_unmasked' } as never);
    assert.ok((audit as any[]).some((x) => x.target === asked.conversationId), 'the unmasked view is audited');
    const cust = await api('GET', `/api/v1/agent/conversations/${asked.conversationId}/customer`, a.token);
    assert.equal(cust.status, 200, cust.body);
    assert.equal(cust.json.contact.id, asked.contactId);
    assert.ok(cust.json.history.some((h: any) => h.conversationId === asked.conversationId));
    assert.equal(cust.json.flags.vip, false);
    const stranger = await makeAgent(env.app, env.deps, tenantId, uid('agent'), { groups: [] });
    assert.equal((await api('GET', `/api/v1/agent/conversations/${asked.conversationId}`, stranger.token)).status, 403);
    assert.equal((await api('POST', `/api/v1/agent/conversations/${asked.conversationId}/close`, a.token, {})).status, 204);
  });

  test('quick replies (team and personal) and knowledge answers for agents', async () => {
    const { agents: [a, b] } = await setup({ agents: 2, online: false });
    const mine = await api('POST', '/api/v1/agent/quick-replies', a.token, { scope: 'personal', title: '问候', text: '您好，请问有什么可以帮您？' });
    assert.equal(mine.status, 200, mine.body);
    assert.equal((await api('POST', '/api/v1/agent/quick-replies', a.token, { scope: 'team', title: 't', text: 't' })).status, 403, 'team replies are for supervisors');
    const team = await api('POST', '/api/v1/agent/quick-replies', admin, { scope: 'team', title: '结束语', text: '感谢您的来电，祝您生活愉快！' });
    assert.equal(team.status, 200);
    const listA = (await api('GET', '/api/v1/agent/quick-replies', a.token)).json.items.map((x: any) => x.title);
    const listB = (await api('GET', '/api/v1/agent/quick-replies', b.token)).json.items.map((x: any) => x.title);
    assert.ok(listA.includes('问候') && listA.includes('结束语'));
    assert.ok(!listB.includes('问候') && listB.includes('结束语'), 'personal replies are private');
    assert.equal((await api('PUT', `/api/v1/agent/quick-replies/${mine.json.id}`, b.token, { title: 'x', text: 'y' })).status, 404);
    assert.equal((await api('PUT', `/api/v1/agent/quick-replies/${mine.json.id}`, a.token, { title: '问候', text: '您好！' })).json.text, '您好！');
    assert.equal((await api('DELETE', `/api/v1/agent/quick-replies/${team.json.id}`, a.token)).status, 403);
    assert.equal((await api('DELETE', `/api/v1/agent/quick-replies/${mine.json.id}`, a.token)).status, 204);
    const k = await api('GET', `/api/v1/agent/knowledge?q=${encodeURIComponent('信用卡丢了怎么挂失')}`, a.token);
    assert.equal(k.status, 200, k.body);
    assert.ok(k.json.items.length > 0 && /挂失/.test(k.json.items[0].question + k.json.items[0].answer), JSON.stringify(k.json.items[0]));
    assert.ok(k.json.items.every((x: any) => !x.entryId.startsWith('flow:')), 'flows are not answers');
    const groups = (await api('GET', '/api/v1/service/groups', a.token)).json.items.map((g: any) => g.id);
    assert.ok(['cards', 'loans', 'wealth', 'general', 'english'].every((g) => groups.includes(g)), 'the demo groups');
    assert.equal((await api('PUT', '/api/v1/service/groups/x1', a.token, { name: { zh: 'x', en: 'x' } })).status, 403);
    const bad = await api('PUT', '/api/v1/service/groups/x1', admin, { name: { zh: 'x', en: 'x' }, workingHours: { timeZone: 'Asia/Shanghai', weekly: { mon: [{ start: '18:00', end: '09:00' }] } } });
    assert.equal(bad.status, 400, bad.body);
    const me = await api('GET', '/api/v1/agent/me', a.token);
    assert.equal(me.json.presence, 'offline');
    assert.equal((await api('PUT', '/api/v1/agent/presence', a.token, { presence: 'away' })).json.presence, 'away');
  });

  test('the demo agent agent1 can sign in to the workbench', async () => {
    const token = await login(env.app, 'agent1', 'agent-demo-password');
    const me = await api('GET', '/api/v1/agent/me', token);
    assert.equal(me.json.displayName, '客服小王');
    assert.deepEqual([...me.json.groups].sort(), ['cards', 'general']);
  });
});
