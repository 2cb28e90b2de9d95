import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import type { App } from '../../app.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { DOMAIN_TO_WEBHOOK, WebhookEventData } from '../webhooks/events.ts';
import { RATING_LIMIT } from './satisfaction-service.ts';

const chat = (app: App, body: object) => app.inject({ method: 'POST', url: '/api/v1/chat', payload: body });
const rate = (app: App, body: object) => app.inject({ method: 'POST', url: '/api/v1/chat/rating', payload: body });

for (const variant of await bothDatabases()) {
  describe(`satisfaction ratings on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let token = '';
    let tenantId = '';
    const get = (url: string) => env.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const ratingRows = async (conversationId: string) => env.deps.db.query('SELECT * FROM ratings WHERE conversation_id = $1', [conversationId]);
    /** A robot conversation that ended with "谢谢，再见": its last reply carries the rating card. */
    async function finishedRobotConversation(): Promise<{ sessionId: string; lastReply: Record<string, unknown> }> {
      const r1 = (await chat(env.app, { bot: 'demo', text: '信用卡丢了怎么挂失' })).json();
      const r2 = (await chat(env.app, { bot: 'demo', sessionId: r1.sessionId, text: '谢谢，再见' })).json();
      return { sessionId: r1.sessionId, lastReply: r2.replies.at(-1) };
    }

    before(async () => {
      token = await login(env.app);
      tenantId = (await env.deps.tenancy.findBotAnyTenant('demo'))!.tenantId;
    });

    test('a goodbye to the robot brings the rating card; the rating is stored, logged and emitted', async () => {
      const { sessionId, lastReply } = await finishedRobotConversation();
      assert.deepEqual(lastReply.rating, { scale: 5 }, JSON.stringify(lastReply));
      const emitted = new Promise<DomainEvent>((resolve) => {
        const off = env.deps.events.on('conversation.rated', (e) => {
          if (e.conversationId === sessionId) { off(); resolve(e); }
        });
      });
      const r = await rate(env.app, { bot: 'demo', sessionId, score: 5, comment: '  回答很清楚<b>！</b>  ' });
      assert.equal(r.statusCode, 200, r.body);
      const { ratedAt, ...body } = r.json() as Record<string, unknown>;
      assert.deepEqual(body, { sessionId, score: 5, comment: '回答很清楚 ！', revision: 1, replaced: false });
      assert.ok(Math.abs(Date.parse(String(ratedAt)) - Date.now()) < 60_000, String(ratedAt));
      assert.equal(r.headers['access-control-allow-origin'], '*', 'the widget on a bank page may call it');

      const e = await emitted;
      assert.equal((e.payload as { score: number }).score, 5);
      // The webhook of the same name gets a well-formed payload from it.
      const data = DOMAIN_TO_WEBHOOK['conversation.rated'].data(e);
      assert.ok(WebhookEventData['conversation.rated'].safeParse(data).success, JSON.stringify(data));
      assert.equal(data.agentId, null, 'the robot alone served');

      const events = await env.deps.conversations.events(tenantId, sessionId, { types: ['conversation.rated'] });
      assert.equal(events.length, 1);
      const [row] = await ratingRows(sessionId);
      assert.equal(row.score, 5);
      assert.equal(row.agent_id, null);
      assert.equal(row.event_seq, events[0].seq);

      const list = await get(`/api/v1/ratings?botId=demo&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`);
      assert.equal(list.statusCode, 200, list.body);
      const mine = list.json().items.find((x: { conversationId: string }) => x.conversationId === sessionId);
      assert.equal(mine?.score, 5);
      assert.equal(mine?.comment, '回答很清楚 ！');
    });

    test('a second rating replaces the first, and the change is audited', async () => {
      const { sessionId } = await finishedRobotConversation();
      assert.equal((await rate(env.app, { bot: 'demo', sessionId, score: 5 })).statusCode, 200);
      const r = await rate(env.app, { bot: 'demo', sessionId, score: 2, comment: '想了想，还是没解决' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().revision, 2);
      assert.equal(r.json().replaced, true);
      const rows = await ratingRows(sessionId);
      assert.equal(rows.length, 1, 'one rating per conversation');
      assert.equal(rows[0].score, 2);
      assert.equal(rows[0].revision, 2);
      const rated = await env.deps.conversations.events(tenantId, sessionId, { types: ['conversation.rated'] });
      assert.deepEqual(rated.map((e) => [e.payload.score, e.payload.previousScore]), [[5, undefined], [2, 5]], 'both stay in the log');
      const audit = await env.deps.audit.list(tenantId, { action: 'rating.change' });
      const entry = audit.find((a) => a.target === sessionId);
      assert.deepEqual(entry?.details, { fromScore: 5, toScore: 2, revision: 2 });
    });

    test('bad input is refused with 400 and changes nothing', async () => {
      const { sessionId } = await finishedRobotConversation();
      for (const body of [
        { bot: 'demo', sessionId, score: 0 },
        { bot: 'demo', sessionId, score: 6 },
        { bot: 'demo', sessionId, score: 4.5 },
        { bot: 'demo', sessionId, score: '5' },
        { bot: 'demo', sessionId },
        { bot: 'demo', sessionId, score: 4, comment: '长'.repeat(501) },
        { bot: 'demo', sessionId: 'x', score: 4 },
        { bot: 'demo', sessionId: '../../etc/passwd', score: 4 },
      ]) {
        const r = await rate(env.app, body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${r.body}`);
        assert.equal(r.json().error.code, 'validation_failed');
      }
      assert.equal((await ratingRows(sessionId)).length, 0);
      assert.equal((await env.deps.conversations.events(tenantId, sessionId, { types: ['conversation.rated'] })).length, 0);
    });

    test("an unknown session, another bot's or another tenant's session is not found", async () => {
      assert.equal((await rate(env.app, { bot: 'demo', sessionId: 'cv_doesnotexist000', score: 4 })).statusCode, 404);
      assert.equal((await rate(env.app, { bot: 'no-such-bot', sessionId: 'cv_doesnotexist000', score: 4 })).statusCode, 404);
      const other = await env.deps.tenancy.createTenant(`bank-r-${variant.name}`, '乙银行');
      const otherBot = await env.deps.tenancy.createBot(other.id, { slug: `bank-r-${variant.name}-bot`, name: '乙银行客服', isPublic: true });
      const theirs = await env.deps.conversations.start(other.id, otherBot.id, 'web');
      const r = await rate(env.app, { bot: 'demo', sessionId: theirs.id, score: 1 });
      assert.equal(r.statusCode, 404, r.body);
      assert.equal((await ratingRows(theirs.id)).length, 0);
      // Reports: another tenant's bot is not found either, and their ratings never show.
      assert.equal((await get(`/api/v1/ratings?botId=${otherBot.id}`)).statusCode, 404);
      await env.deps.satisfaction.rate(theirs, { score: 1 });
      assert.ok(!(await get('/api/v1/ratings?limit=500')).json().items.some((x: { conversationId: string }) => x.conversationId === theirs.id));
    });

    test('a session may rate only a few times in a row (429 beyond)', async () => {
      const { sessionId } = await finishedRobotConversation();
      for (let i = 0; i < RATING_LIMIT.max; i++) assert.equal((await rate(env.app, { bot: 'demo', sessionId, score: 1 + (i % 5) })).statusCode, 200);
      const r = await rate(env.app, { bot: 'demo', sessionId, score: 5 });
      assert.equal(r.statusCode, 429, r.body);
      assert.equal((await ratingRows(sessionId))[0].revision, RATING_LIMIT.max);
    });

    test('a human conversation is rated for the agent who served it; reports by agent, group and bot', async () => {
      const r1 = (await chat(env.app, { bot: 'demo', text: '我要转人工' })).json();
      const conv = await env.deps.conversations.get(tenantId, r1.sessionId);
      // The events modules/service writes (docs/HUMAN-SERVICE.md), written here directly so that this test does not
      // depend on agents being online: queued, then assigned (the last assignment is who served).
      const stored = await env.deps.conversations.record(tenantId, conv.id, [
        { type: 'conversation.queued', payload: { group: 'cards', priority: 0, reason: 'customer_request' } },
        { type: 'conversation.assigned', payload: { agentId: 'u_agent_wang', agentName: '客服小王', group: 'cards', by: 'routing' } },
      ], { status: 'agent' });
      assert.ok(stored);
      // The WebSocket's `rate` message goes through the same method (the socket knows its conversation).
      const res = await env.deps.satisfaction.rate({ id: conv.id, tenantId }, { score: 4, comment: '客服小王很耐心，我的手机 13812345678' });
      assert.equal(res.revision, 1);
      const [row] = await ratingRows(conv.id);
      assert.deepEqual([row.agent_id, row.agent_name, row.skill_group], ['u_agent_wang', '客服小王', 'cards']);

      const list = (await get('/api/v1/ratings?agentId=u_agent_wang')).json();
      assert.equal(list.items.length, 1);
      assert.equal(list.items[0].comment, '客服小王很耐心，我的手机 138****5678', 'personal data in comments is masked for staff');
      assert.equal(list.masked, true);
      const clear = (await get('/api/v1/ratings?agentId=u_agent_wang&unmasked=true')).json();
      assert.equal(clear.items[0].comment, '客服小王很耐心，我的手机 13812345678', 'admins may see it, audited');
      assert.ok((await env.deps.audit.list(tenantId, { action: 'ratings.view_unmasked' })).length >= 1);

      const byAgent = (await get('/api/v1/ratings/summary?by=agent')).json();
      const wang = byAgent.items.find((x: { key: string }) => x.key === 'u_agent_wang');
      assert.deepEqual(wang, { key: 'u_agent_wang', label: '客服小王', count: 1, average: 4, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 }, satisfactionRate: 1 });
      const robot = byAgent.items.find((x: { key: string | null }) => x.key === null);
      assert.ok(robot && robot.count >= 1, 'conversations the robot served alone are one row');
      assert.equal(byAgent.total.count, byAgent.items.reduce((n: number, x: { count: number }) => n + x.count, 0));

      const byGroup = (await get('/api/v1/ratings/summary?by=group&group=cards')).json();
      assert.deepEqual(byGroup.items.map((x: { key: string; count: number }) => [x.key, x.count]), [['cards', 1]]);
      const byBot = (await get('/api/v1/ratings/summary?by=bot&botId=demo')).json();
      assert.equal(byBot.items.length, 1);
      assert.equal(byBot.items[0].label, (await env.deps.tenancy.getBot(tenantId, 'demo')).name);
      const d = byBot.items[0].distribution;
      assert.equal(byBot.items[0].count, d[1] + d[2] + d[3] + d[4] + d[5]);
      assert.equal(byBot.items[0].satisfactionRate, Math.round(((d[4] + d[5]) / byBot.items[0].count) * 10_000) / 10_000);
    });

    test('reports need a signed-in user with conversation:read, and validate their filters', async () => {
      assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/ratings' })).statusCode, 401);
      assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/ratings/summary' })).statusCode, 401);
      assert.equal((await get('/api/v1/ratings/summary?by=weekday')).statusCode, 400);
      assert.equal((await get('/api/v1/ratings?from=yesterday')).statusCode, 400);
      const future = (await get(`/api/v1/ratings?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).json();
      assert.deepEqual(future.items, []);
    });
  });
}
