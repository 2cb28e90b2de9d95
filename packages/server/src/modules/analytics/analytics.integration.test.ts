import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import { InMemoryCoordination } from '../../platform/coordination.ts';
import { createAnalytics } from './index.ts';
import { localDay } from './analytics-service.ts';

type Reply = { type: string; text?: string; entryId?: string };

for (const variant of await bothDatabases()) {
  describe(`analytics on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let token = '';
    let adminId = '';
    const today = localDay(new Date());
    const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, auth = token) => {
      const r = await env.app.inject({ method, url, payload, headers: auth ? { authorization: `Bearer ${auth}` } : {} });
      return r;
    };
    const chat = async (text: string, sessionId?: string) => {
      const r = await api('POST', '/api/v1/chat', { bot: 'demo', text, ...(sessionId ? { sessionId } : {}) }, '');
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as { sessionId: string; replies: Reply[] };
    };
    const overview = async (query = '') => {
      const r = await api('GET', `/api/v1/analytics/overview?from=${today}&to=${today}${query}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json().totals as Record<string, number | null>;
    };
    let answeredEntry = '';
    let handoffSession = '';

    before(async () => {
      token = await login(env.app);
      adminId = (await api('GET', '/api/v1/auth/me')).json().userId;
      // The admin serves as an agent in the default group, online.
      assert.equal((await api('PUT', `/api/v1/service/agents/${adminId}`, { displayName: '值班经理', groups: ['general', 'cards'], maxConcurrent: 3 })).statusCode, 200);
      assert.equal((await api('PUT', '/api/v1/agent/presence', { presence: 'online' })).statusCode, 200);

      // 3 answered, 2 fallback, 1 hand-off served by the admin and rated 4.
      for (let i = 0; i < 3; i++) {
        const r = await chat('信用卡丢了怎么挂失');
        assert.equal(r.replies[0].type, 'answer', JSON.stringify(r.replies));
        answeredEntry = r.replies[0].entryId!;
      }
      for (let i = 0; i < 2; i++) {
        const r = await chat('火星上今天的天气如何');
        assert.equal(r.replies[0].type, 'fallback', JSON.stringify(r.replies));
      }
      const h = await chat('我要转人工');
      assert.equal(h.replies[0].type, 'handoff', JSON.stringify(h.replies));
      handoffSession = h.sessionId;
      const mine = async () => (await api('GET', '/api/v1/agent/conversations')).json().items as { id: string }[];
      for (let i = 0; i < 100 && !(await mine()).some((c) => c.id === handoffSession); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok((await mine()).some((c) => c.id === handoffSession), 'assigned to the admin');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal((await api('POST', `/api/v1/agent/conversations/${handoffSession}/messages`, { text: '您好，我来帮您处理' })).statusCode, 200);
      assert.equal((await api('POST', `/api/v1/agent/conversations/${handoffSession}/close`, {})).statusCode, 204);
      const rated = await api('POST', '/api/v1/chat/rating', { bot: 'demo', sessionId: handoffSession, score: 4 }, '');
      assert.equal(rated.statusCode, 200, rated.body);
    });

    test('nothing is counted before the projector ran; the projection gives exact figures', async () => {
      const before0 = await overview();
      assert.equal(before0.conversations, 0, 'dashboards read the rollups only');
      const r = await api('POST', '/api/v1/analytics/refresh');
      assert.equal(r.statusCode, 200, r.body);
      assert.ok(r.json().events >= 6 * 3, r.body);

      const t = await overview();
      assert.equal(t.conversations, 6);
      assert.equal(t.handedOff, 1);
      assert.equal(t.robotResolved, 5);
      assert.equal(t.fallback, 2);
      assert.equal(t.answered, 3);
      assert.equal(t.clarify, 0);
      assert.equal(t.selfServiceRate, 0.8333);
      assert.equal(t.handoffRate, 0.1667);
      assert.equal(t.fallbackRate, 0.3333);
      assert.equal(t.rated, 1);
      assert.equal(t.averageRating, 4);

      const api6 = await overview('&channel=api');
      assert.equal(api6.conversations, 6, 'the chat API is the api channel');
      assert.equal((await overview('&channel=wechat')).conversations, 0);

      const trends = (await api('GET', `/api/v1/analytics/trends?from=${today}&to=${today}`)).json().items;
      assert.deepEqual(trends.map((d: { day: string; conversations: number; fallbackRate: number }) => [d.day, d.conversations, d.fallbackRate]), [[today, 6, 0.3333]]);

      const traffic = (await api('GET', `/api/v1/analytics/traffic?from=${today}&to=${today}`)).json();
      assert.equal(traffic.hours.reduce((s: number, h: { conversations: number }) => s + h.conversations, 0), 6);
      const hourNow = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hour12: false }).format(new Date())) % 24;
      assert.ok(traffic.hours.some((h: { hour: number }) => Math.abs(h.hour - hourNow) <= 1), 'local (Shanghai) hours');

      const entries = (await api('GET', `/api/v1/analytics/top?kind=entry&from=${today}&to=${today}`)).json().items;
      assert.deepEqual(entries[0], { key: answeredEntry, botId: entries[0].botId, label: entries[0].label, hits: 3, conversations: 3 });
      assert.ok(entries[0].botId);
      assert.match(entries[0].label, /挂失/);
      const apiEntries = (await api('GET', `/api/v1/analytics/top?kind=entry&channel=api&from=${today}&to=${today}`)).json().items;
      assert.deepEqual(apiEntries, entries, 'the per-channel rows and the all-channel rows agree');
      assert.deepEqual((await api('GET', `/api/v1/analytics/top?kind=entry&channel=wechat&from=${today}&to=${today}`)).json().items, []);
      const intents = (await api('GET', `/api/v1/analytics/top?kind=intent&from=${today}&to=${today}`)).json().items as { key: string; conversations: number }[];
      assert.equal(intents.find((i) => i.key === 'fallback')?.conversations, 2);
      assert.equal(intents.find((i) => i.key === 'answer')?.conversations, 3);
      assert.equal(intents.find((i) => i.key === 'handoff_request')?.conversations, 1);

      const agents = (await api('GET', `/api/v1/analytics/agents?from=${today}&to=${today}`)).json().items;
      assert.equal(agents.length, 1);
      assert.equal(agents[0].agentId, adminId);
      assert.equal(agents[0].agentName, '值班经理');
      assert.equal(agents[0].conversations, 1);
      assert.equal(agents[0].resolved, 1);
      assert.equal(agents[0].averageRating, 4);
      assert.ok(agents[0].averageFirstResponseMs >= 0 && agents[0].averageFirstResponseMs < 30_000, JSON.stringify(agents[0]));
      assert.ok(agents[0].averageHandleMs >= agents[0].averageFirstResponseMs, JSON.stringify(agents[0]));

      const byAgent = (await api('GET', `/api/v1/analytics/satisfaction?by=agent&from=${today}&to=${today}`)).json().items;
      assert.deepEqual(byAgent, [{ key: adminId, label: '值班经理', rated: 1, averageRating: 4, satisfactionRate: 1 }]);
      const byGroup = (await api('GET', `/api/v1/analytics/satisfaction?by=group&from=${today}&to=${today}`)).json().items;
      assert.equal(byGroup.length, 1);
      assert.equal(byGroup[0].rated, 1);
      const byBot = (await api('GET', `/api/v1/analytics/satisfaction?by=bot&from=${today}&to=${today}`)).json().items;
      assert.equal(byBot[0].rated, 1);
    });

    test('re-running, a restart from an earlier checkpoint and two nodes at once never double count', async () => {
      const want = await overview();
      assert.equal((await api('POST', '/api/v1/analytics/refresh')).json().events, 0, 'caught up: nothing new');
      assert.deepEqual(await overview(), want);
      // A restart that lost its place: the checkpoint back to the start, the whole log read again.
      await env.deps.db.query(`UPDATE analytics_checkpoints SET cursor_at = '-infinity', cursor_conversation = '', cursor_seq = 0`);
      const again = await api('POST', '/api/v1/analytics/refresh');
      assert.ok(again.json().events >= 18, again.body);
      assert.deepEqual(await overview(), want);
      // Two nodes (separate locks, same database) rebuilding at once: the checkpoint's row lock serializes them.
      await env.deps.analytics.repo.reset();
      const nodes = [1, 2].map(() => createAnalytics({ db: env.deps.db, coordination: new InMemoryCoordination(), clock: env.deps.clock, logger: env.deps.logger, options: { batchSize: 5 } }));
      await Promise.all(nodes.map((n) => n.projector.runOnce()));
      assert.deepEqual(await overview(), want);
      const agents = (await api('GET', `/api/v1/analytics/agents?from=${today}&to=${today}`)).json().items;
      assert.equal(agents[0].conversations, 1);
    });

    test('new events are picked up by the next pass, in the right conversation', async () => {
      const r = await chat('信用卡丢了怎么挂失');
      await chat('火星上今天的天气如何', r.sessionId);
      await api('POST', '/api/v1/analytics/refresh');
      const t = await overview();
      assert.equal(t.conversations, 7);
      assert.equal(t.fallback, 3, 'the answered conversation now also had a fallback');
      assert.equal(t.answered, 4);
    });

    test('CSV and Excel exports hold the dashboard tables', async () => {
      const csv = await api('GET', `/api/v1/analytics/export?table=overview&format=csv&from=${today}&to=${today}`);
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-disposition']), /analytics-overview-.*\.csv/);
      const lines = csv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      assert.equal(lines.length, 2);
      assert.match(lines[0], /^开始日期,结束日期,会话数,机器人自助,转人工/);
      assert.ok(lines[1].startsWith(`${today},${today},7,6,1,3,`), lines[1]);

      const xlsx = await api('GET', `/api/v1/analytics/export?table=entries&format=xlsx&lang=en&from=${today}&to=${today}`);
      assert.equal(xlsx.statusCode, 200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      assert.deepEqual((ws.getRow(1).values as unknown[]).slice(1), ['Entry', 'Name', 'Hits', 'Conversations']);
      assert.deepEqual((ws.getRow(2).values as unknown[]).slice(1, 2), [answeredEntry]);
      assert.equal(ws.getRow(2).getCell(3).value, 4);
    });

    test('work-order SLA attainment per creation day; a pending target that passes its due time turns breached', async () => {
      const tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
      const day = new Date(Date.parse(`${today}T00:00:00Z`) - 2 * 86_400_000).toISOString().slice(0, 10);
      const at = (hhmm: string, plusDays = 0) => new Date(Date.parse(`${day}T${hhmm}:00+08:00`) + plusDays * 86_400_000);
      const wo = async (n: number, priority: string, o: { fr: Date | null; frDue: Date; res: Date | null; resDue: Date; created: Date }) =>
        env.deps.db.query(
          `INSERT INTO work_orders (id, tenant_id, number, type_id, title, priority, status, created_by, created_at, updated_at, first_response_at, resolved_at, first_response_due, resolution_due)
           VALUES ($1, $2, $3, 'complaint', 'sla test', $4, $5, 'test', $6, now(), $7, $8, $9, $10)`,
          [`wo_an_${n}`, tenantId, `AN-${n}`, priority, o.res ? 'resolved' : 'in_progress', o.created, o.fr, o.res, o.frDue, o.resDue],
        );
      await wo(1, 'normal', { created: at('10:00'), fr: at('10:30'), frDue: at('11:00'), res: at('20:00'), resDue: at('18:00') });
      await wo(2, 'normal', { created: at('12:00'), fr: null, frDue: at('13:00'), res: null, resDue: at('12:00', 5) });
      await wo(3, 'urgent', { created: at('09:00'), fr: at('09:10'), frDue: at('09:30'), res: at('12:00'), resDue: at('17:00') });
      await api('POST', '/api/v1/analytics/refresh');
      const sla = (await api('GET', `/api/v1/analytics/sla?from=${day}&to=${today}`)).json();
      assert.deepEqual(
        { ...sla.total },
        { workOrders: 3, resolved: 2, responseMet: 2, responseBreached: 1, responsePending: 0, resolutionMet: 1, resolutionBreached: 1, resolutionPending: 1, responseAttainment: 0.6667, resolutionAttainment: 0.5 },
      );
      assert.deepEqual(sla.days.map((d: { day: string; workOrders: number }) => [d.day, d.workOrders]), [[day, 3]]);
      assert.deepEqual(sla.priorities.map((p: { priority: string; workOrders: number }) => [p.priority, p.workOrders]), [['urgent', 1], ['normal', 2]]);
      // Six days later the open one's resolution target has passed: the projector notices without any write.
      await env.deps.analytics.repo.projectWorkOrders(at('12:01', 6), 60_000);
      const later = (await api('GET', `/api/v1/analytics/sla?from=${day}&to=${today}`)).json();
      assert.equal(later.total.resolutionBreached, 2);
      assert.equal(later.total.resolutionPending, 0);
      const csv = await api('GET', `/api/v1/analytics/export?table=sla&format=csv&lang=en&from=${day}&to=${today}`);
      assert.match(csv.body, new RegExp(`\\n${day},3,2,2,1,0\\.6667,1,2,0\\.3333`));
    });

    test('bad input is a 400; roles without analytics:read are refused', async () => {
      assert.equal((await api('GET', '/api/v1/analytics/overview?from=2026-13-01&to=2026-13-02')).statusCode, 400);
      assert.equal((await api('GET', '/api/v1/analytics/overview?from=2026-05-02&to=2026-05-01')).statusCode, 400);
      assert.equal((await api('GET', '/api/v1/analytics/export?table=nope')).statusCode, 400);
      assert.equal((await api('GET', '/api/v1/analytics/overview', undefined, '')).statusCode, 401);
      const u = await api('POST', '/api/v1/users', { username: 'op1', password: 'op1-password-1234', roles: ['knowledge_operator'] });
      assert.equal(u.statusCode, 201, u.body);
      const op = await login(env.app, 'op1', 'op1-password-1234');
      assert.equal((await api('GET', '/api/v1/analytics/overview', undefined, op)).statusCode, 403);
    });
  });
}
