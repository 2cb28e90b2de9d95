import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import type { Clock } from '../../platform/clock.ts';
import { agentChannel } from './index.ts';
import { MAX_ATTACHMENT_BYTES } from './attachments.ts';

/** Beijing wall time as an instant. */
const bj = (s: string) => new Date(`${s}+08:00`);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake image body')]);
const CARD = '6222021234567890128'; // Luhn-valid
const PHONE = '13800138000';

/** The test's own type: every kind of field, SLA targets short enough to reason about. */
const disputeType = {
  id: 'card_dispute',
  name: { zh: '银行卡争议', en: 'Card dispute' },
  defaultPriority: 'normal',
  sla: { firstResponseMinutes: { normal: 60, urgent: 15 }, resolutionMinutes: { normal: 240, urgent: 60 } },
  fields: [
    { key: 'cardNumber', label: { zh: '卡号', en: 'Card number' }, kind: 'card_number', required: true },
    { key: 'phone', label: { zh: '联系电话', en: 'Phone' }, kind: 'phone' },
    { key: 'amount', label: { zh: '金额', en: 'Amount' }, kind: 'amount', validation: { max: 100000 } },
    { key: 'txDate', label: { zh: '交易日期', en: 'Transaction date' }, kind: 'date' },
    { key: 'channel', label: { zh: '渠道', en: 'Channel' }, kind: 'select', required: true, options: [{ value: 'pos', label: { zh: 'POS', en: 'POS' } }, { value: 'online', label: { zh: '网上支付', en: 'Online' } }] },
    { key: 'reasons', label: { zh: '原因', en: 'Reasons' }, kind: 'multiselect', options: [{ value: 'unknown', label: { zh: '非本人交易', en: 'Not me' } }, { value: 'double', label: { zh: '重复扣款', en: 'Charged twice' } }] },
    { key: 'count', label: { zh: '笔数', en: 'Count' }, kind: 'number', validation: { integer: true, min: 1 } },
    { key: 'note', label: { zh: '备注', en: 'Note' }, kind: 'text', validation: { maxLength: 20 } },
    { key: 'consent', label: { zh: '客户已授权', en: 'Customer consent' }, kind: 'checkbox', required: true },
  ],
};
const validFields = { cardNumber: '6222 0212 3456 7890 128', phone: PHONE, amount: '1999.9', txDate: '2026-11-20', channel: 'pos', reasons: ['double'], count: 2, note: '商户重复扣款', consent: true };
const nineToSix = [{ start: '09:00', end: '18:00' }];
const hours = { timeZone: 'Asia/Shanghai', weekly: { sun: [], mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [] }, holidays: ['2026-11-30'], specialDays: [] };

for (const variant of await bothDatabases()) {
  describe(`work orders (${variant.name})`, () => {
    // A clock the tests move: Tuesday 2026-11-24 10:00 in Beijing to start with.
    let now = bj('2026-11-24T10:00:00');
    const clock: Clock = { now: () => new Date(now) };
    const env = useDemoApp(variant, { clock, env: { LINGXI_SESSION_TTL_HOURS: '720' } });
    let tenantId: string;
    let admin: string;
    let agent: string;
    let agentId: string;
    let agentB: string;
    let agentBId: string;
    let supervisor: string;
    let otherAdmin: string;
    let conversationId: string;
    let contactId: string;
    let otherConversationId: string;

    const api = (token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    const create = (token: string, body: object) => api(token, 'POST', '/api/v1/work-orders', body);
    const dispute = (over: object = {}) => ({ typeId: 'card_dispute', title: '信用卡重复扣款', description: `客户反映卡号${CARD}在商户被重复扣款`, fields: validFields, ...over });

    before(async () => {
      tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
      const botId = (await env.deps.tenancy.getBot(tenantId, 'demo')).id;
      admin = await login(env.app);
      agentId = (await env.deps.auth.createUser(tenantId, { username: 'agent-wo', displayName: '坐席小王', password: 'agent-password-1', roles: ['agent'] })).id;
      agentBId = (await env.deps.auth.createUser(tenantId, { username: 'agent-wo-b', displayName: '坐席小李', password: 'agent-password-2', roles: ['agent'] })).id;
      await env.deps.auth.createUser(tenantId, { username: 'sup-wo', password: 'supervisor-password', roles: ['supervisor'] });
      agent = await login(env.app, 'agent-wo', 'agent-password-1', 'demo');
      agentB = await login(env.app, 'agent-wo-b', 'agent-password-2', 'demo');
      supervisor = await login(env.app, 'sup-wo', 'supervisor-password', 'demo');
      const other = await env.deps.tenancy.createTenant('other-bank-wo', '另一家银行');
      await env.deps.auth.createUser(other.id, { username: 'other-admin', password: 'other-admin-password', roles: ['admin'] });
      otherAdmin = await login(env.app, 'other-admin', 'other-admin-password', 'other-bank-wo');
      const otherBot = await env.deps.tenancy.createBot(other.id, { slug: 'other-bot-wo', name: 'Other' });
      otherConversationId = (await env.deps.conversations.start(other.id, otherBot.id, 'web')).id;
      conversationId = (await env.deps.conversations.start(tenantId, botId, 'web')).id;
      contactId = await env.deps.contacts.resolve(tenantId, { kind: 'phone', value: PHONE, verified: true });
      await env.deps.contacts.setConversationContact(tenantId, conversationId, contactId);
    });

    test('the demo bank has the three built-in types and business hours with holidays', async () => {
      const types = await api(agent, 'GET', '/api/v1/work-order-types');
      assert.equal(types.statusCode, 200, types.body);
      assert.deepEqual(types.json().items.map((t: { id: string; name: { zh: string } }) => `${t.id}:${t.name.zh}`).sort(), ['complaint:投诉', 'message:客户留言', 'service_request:业务办理']);
      const cal = await api(agent, 'GET', '/api/v1/business-hours');
      assert.equal(cal.json().isDefault, false);
      assert.ok(cal.json().holidays.includes('2026-10-01'));
    });

    test('admins define types and hours; agents may not; a bad definition lists its problems', async () => {
      assert.equal((await api(agent, 'POST', '/api/v1/work-order-types', disputeType)).statusCode, 403);
      assert.equal((await api(agent, 'PUT', '/api/v1/business-hours', hours)).statusCode, 403);
      const bad = await api(admin, 'POST', '/api/v1/work-order-types', { ...disputeType, fields: [{ key: 'x', label: { zh: '甲', en: 'X' }, kind: 'select' }, { key: 'x', label: { zh: '乙', en: 'Y' }, kind: 'text', validation: { pattern: '(a+)+' } }] });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.deepEqual(bad.json().error.details.problems.map((p: { path: string }) => p.path), ['fields.x', 'fields.x', 'fields.x']);
      const badHours = await api(admin, 'PUT', '/api/v1/business-hours', { ...hours, timeZone: 'Mars/Base', holidays: ['2026-02-30'] });
      assert.equal(badHours.statusCode, 400);
      assert.deepEqual(badHours.json().error.details.problems.map((p: { path: string }) => p.path), ['timeZone', 'holidays[0]']);

      const created = await api(admin, 'POST', '/api/v1/work-order-types', disputeType);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().fields.length, 9);
      assert.equal((await api(admin, 'POST', '/api/v1/work-order-types', disputeType)).statusCode, 409);
      const put = await api(admin, 'PUT', '/api/v1/business-hours', hours);
      assert.equal(put.statusCode, 200, put.body);
      const preview = await api(agent, 'GET', `/api/v1/business-hours/add?from=${encodeURIComponent(bj('2026-11-27T17:30:00').toISOString())}&minutes=60`);
      assert.equal(preview.json().due, bj('2026-12-01T09:30:00').toISOString(), 'the weekend and the holiday on Monday do not count');
    });

    test('invalid custom fields: 400 listing each field, nothing stored', async () => {
      const before = (await api(admin, 'GET', '/api/v1/work-orders?typeId=card_dispute')).json().total;
      const r = await create(agent, dispute({
        fields: { cardNumber: '6222 0212 3456 7890 129', phone: '12345', amount: '-1', txDate: '2026-02-30', channel: 'atm', reasons: ['bogus'], count: 1.5, note: 'x'.repeat(21), extra: 'y' },
        assigneeUserId: 'usr_nobody', conversationIds: [otherConversationId],
      }));
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().error.code, 'validation_failed');
      assert.deepEqual(r.json().error.details.problems.map((p: { path: string; code: string }) => `${p.path}:${p.code}`), [
        'fields.cardNumber:invalid_card', 'fields.phone:invalid_phone', 'fields.amount:invalid_amount', 'fields.txDate:invalid_date', 'fields.channel:not_an_option',
        'fields.reasons:not_an_option', 'fields.count:not_integer', 'fields.note:too_long', 'fields.consent:required', 'fields.extra:unknown_field',
        'assigneeUserId:unknown_user', 'conversationIds.0:unknown_conversation',
      ]);
      assert.match(r.json().error.message, /fields\.cardNumber: expected a card number/);
      const unknownType = await create(agent, dispute({ typeId: 'nope' }));
      assert.deepEqual(unknownType.json().error.details.problems.map((p: { code: string }) => p.code), ['unknown_type']);
      assert.equal((await api(admin, 'GET', '/api/v1/work-orders?typeId=card_dispute')).json().total, before, 'nothing stored');
    });

    let woId: string;
    let woNumber: string;
    let secondId: string;
    test('create: a per-tenant daily number, normalized and sealed custom fields, SLA due in business time, masked for agents', async () => {
      const r = await create(agent, dispute({ conversationIds: [conversationId] }));
      assert.equal(r.statusCode, 201, r.body);
      const wo = r.json();
      woId = wo.id;
      woNumber = wo.number;
      assert.equal(wo.number, 'WO-20261124-0001', 'the refused attempts used no number');
      assert.equal(wo.status, 'new');
      assert.deepEqual(wo.allowedTransitions, ['in_progress', 'pending_customer', 'resolved']);
      assert.equal(wo.contactId, contactId, "the linked conversation's contact");
      assert.deepEqual(wo.conversationIds, [conversationId]);
      assert.equal(wo.sla.firstResponse.dueAt, bj('2026-11-24T11:00:00').toISOString());
      assert.equal(wo.sla.resolution.dueAt, bj('2026-11-24T14:00:00').toISOString());
      assert.equal(wo.sla.firstResponse.state, 'pending');
      assert.equal(wo.masked, true);
      assert.equal(wo.fields.cardNumber, '6222***********0128');
      assert.equal(wo.fields.phone, '138****8000');
      assert.equal(wo.fields.amount, '1999.90');
      assert.doesNotMatch(wo.description, new RegExp(CARD));

      // At rest the custom values are sealed: the card number is nowhere in the row.
      const [row] = await env.deps.db.query('SELECT fields_enc FROM work_orders WHERE id = $1', [woId]);
      assert.ok(row.fields_enc);
      assert.doesNotMatch(row.fields_enc, /6222|13800138000|1999/);

      // The second of the day; by number as well as by id; clear values only for pii:view, audited.
      const second = await create(supervisor, dispute({ title: '第二单', priority: 'urgent' }));
      secondId = second.json().id;
      assert.equal(second.json().number, 'WO-20261124-0002');
      assert.equal(second.json().sla.firstResponse.dueAt, bj('2026-11-24T10:15:00').toISOString(), 'urgent: 15 business minutes');
      const byNumber = await api(agent, 'GET', `/api/v1/work-orders/${woNumber}?unmasked=true`);
      assert.equal(byNumber.statusCode, 200);
      assert.equal(byNumber.json().id, woId);
      assert.equal(byNumber.json().masked, true, 'an agent asking for clear values still gets masked ones');
      const clear = await api(supervisor, 'GET', `/api/v1/work-orders/${woId}?unmasked=true`);
      assert.equal(clear.json().fields.cardNumber, CARD);
      assert.equal(clear.json().masked, false);
      const audit = await env.deps.audit.list(tenantId, { action: 'work_order.view_unmasked' });
      assert.equal(audit[0].target, woId);
      const created = await env.deps.audit.list(tenantId, { action: 'work_order.create' });
      assert.ok(created.some((a) => a.target === woId && !JSON.stringify(a.details).includes('6222')), 'the audit names fields, never values');
    });

    test('workflow: first response by a status change, pending customer, resolve, close, reopen; an illegal move is 409 with the allowed ones', async () => {
      now = bj('2026-11-24T10:20:00');
      const t = (to: string, token = agent) => api(token, 'POST', `/api/v1/work-orders/${woId}/transitions`, { to });
      const illegal = await t('closed');
      assert.equal(illegal.statusCode, 409);
      assert.deepEqual(illegal.json().error.details, { from: 'new', to: 'closed', allowed: ['in_progress', 'pending_customer', 'resolved'] });

      const started = await t('in_progress');
      assert.equal(started.statusCode, 200, started.body);
      assert.equal(started.json().firstResponseAt, now.toISOString());
      assert.equal(started.json().sla.firstResponse.state, 'met');
      assert.equal((await t('pending_customer')).json().status, 'pending_customer');
      assert.equal((await t('in_progress')).json().status, 'in_progress');
      now = bj('2026-11-24T11:00:00');
      const resolved = await t('resolved');
      assert.equal(resolved.json().resolvedAt, now.toISOString());
      assert.equal(resolved.json().sla.resolution.state, 'met');
      const closed = await t('closed');
      assert.equal(closed.json().status, 'closed');
      assert.deepEqual(closed.json().allowedTransitions, ['in_progress']);
      assert.equal((await t('resolved')).statusCode, 409);

      const reopened = await api(agent, 'POST', `/api/v1/work-orders/${woId}/transitions`, { to: 'in_progress', comment: { body: '客户反馈仍未退款，重新处理', visibility: 'internal' } });
      assert.equal(reopened.statusCode, 200, reopened.body);
      assert.equal(reopened.json().status, 'in_progress');
      assert.equal(reopened.json().reopenCount, 1);
      assert.equal(reopened.json().resolvedAt, null);
      assert.equal(reopened.json().closedAt, null);
      const again = await t('closed');
      assert.equal(again.statusCode, 409);
      assert.deepEqual(again.json().error.details.allowed, ['pending_customer', 'resolved']);
      const actions = (await env.deps.audit.list(tenantId, { action: 'work_order.transition' })).filter((a) => a.target === woId).map((a) => `${a.details!.from}>${a.details!.to}`).reverse();
      assert.deepEqual(actions, ['new>in_progress', 'in_progress>pending_customer', 'pending_customer>in_progress', 'in_progress>resolved', 'resolved>closed', 'closed>in_progress']);
    });

    let lateId: string;
    let soonId: string;
    test('SLA in business time with a test clock: due over a weekend and a holiday, breach shown, filtered and listed', async () => {
      // Friday 17:30: the first response (60 business minutes) is due Tuesday 09:30 — Monday 11-30 is a holiday.
      now = bj('2026-11-27T17:30:00');
      const late = await create(agent, dispute({ title: '周五傍晚的争议' }));
      lateId = late.json().id;
      assert.equal(late.json().number, 'WO-20261127-0001', 'numbers restart each local day');
      assert.equal(late.json().sla.firstResponse.dueAt, bj('2026-12-01T09:30:00').toISOString());
      assert.equal(late.json().sla.resolution.dueAt, bj('2026-12-01T12:30:00').toISOString());

      now = bj('2026-12-01T09:00:00');
      const soon = await create(agent, dispute({ title: '即将到期', priority: 'urgent' }));
      soonId = soon.json().id;
      assert.equal(soon.json().sla.firstResponse.dueAt, bj('2026-12-01T09:15:00').toISOString());

      now = bj('2026-12-01T09:40:00');
      const got = (await api(agent, 'GET', `/api/v1/work-orders/${lateId}`)).json();
      assert.equal(got.sla.firstResponse.state, 'breached');
      assert.equal(got.sla.firstResponse.remainingMinutes, -10);
      assert.equal(got.sla.resolution.state, 'pending');
      assert.equal(got.sla.breached, true);

      // Breached: these two, the urgent one of last Tuesday never answered, and the reopened one (resolution overdue again).
      const breached = (await api(agent, 'GET', '/api/v1/work-orders?breached=true&typeId=card_dispute')).json();
      assert.deepEqual(breached.items.map((w: { id: string }) => w.id).sort(), [lateId, soonId, secondId, woId].sort());
      assert.ok(breached.items.every((w: { sla: { breached: boolean } }) => w.sla.breached));
      const notBreached = (await api(agent, 'GET', '/api/v1/work-orders?breached=false&typeId=card_dispute')).json();
      assert.ok(!notBreached.items.some((w: { id: string }) => w.id === lateId));

      // The breach view: open work orders with a pending target overdue (or due soon), the earliest due first.
      const view = (await api(agent, 'GET', '/api/v1/work-orders/sla-breaches?withinMinutes=0')).json();
      assert.deepEqual(view.items.map((w: { id: string }) => w.id), [secondId, woId, soonId, lateId]);
      const resolvedFirst = await create(agent, dispute({ title: '新单' }));
      const later = (await api(agent, 'GET', '/api/v1/work-orders/sla-breaches?withinMinutes=30')).json();
      assert.ok(later.items.some((w: { id: string }) => w.id === resolvedFirst.json().id) === false, 'due 10:40, not within 30 minutes');
      const within = (await api(agent, 'GET', '/api/v1/work-orders/sla-breaches?withinMinutes=60')).json();
      assert.ok(within.items.some((w: { id: string }) => w.id === resolvedFirst.json().id), 'due 10:40, within 60 minutes');

      // A late public comment is the first response (breached, done late); resolving in time meets the resolution target.
      now = bj('2026-12-01T10:00:00');
      assert.equal((await api(agent, 'POST', `/api/v1/work-orders/${lateId}/comments`, { body: '已联系商户核实', visibility: 'public' })).statusCode, 201);
      now = bj('2026-12-01T12:00:00');
      const done = (await api(agent, 'POST', `/api/v1/work-orders/${lateId}/transitions`, { to: 'resolved' })).json();
      assert.equal(done.sla.firstResponse.state, 'breached');
      assert.equal(done.sla.firstResponse.remainingMinutes, null);
      assert.equal(done.sla.resolution.state, 'met');
      const stillListed = (await api(agent, 'GET', '/api/v1/work-orders/sla-breaches?withinMinutes=0')).json();
      assert.ok(!stillListed.items.some((w: { id: string }) => w.id === lateId), 'a resolved work order leaves the breach view');

      // A new priority recomputes the due times from the creation time.
      const up = await api(agent, 'PATCH', `/api/v1/work-orders/${resolvedFirst.json().id}`, { priority: 'urgent' });
      assert.equal(up.json().sla.firstResponse.dueAt, bj('2026-12-01T09:55:00').toISOString());
    });

    test('comments: internal ones are not a response; public ones are; filtered by visibility; personal data masked', async () => {
      const fresh = (await create(agent, dispute({ title: '评论测试' }))).json();
      const internal = await api(agent, 'POST', `/api/v1/work-orders/${fresh.id}/comments`, { body: `内部备注：客户手机${PHONE}`, visibility: 'internal' });
      assert.equal(internal.statusCode, 201, internal.body);
      assert.equal(internal.json().body, '内部备注：客户手机138****8000');
      assert.equal((await api(agent, 'GET', `/api/v1/work-orders/${fresh.id}`)).json().firstResponseAt, null);
      now = new Date(now.getTime() + 60_000);
      await api(agentB, 'POST', `/api/v1/work-orders/${fresh.id}/comments`, { body: '您好，我们已受理', visibility: 'public' });
      assert.equal((await api(agent, 'GET', `/api/v1/work-orders/${fresh.id}`)).json().firstResponseAt, now.toISOString());
      const all = (await api(agent, 'GET', `/api/v1/work-orders/${fresh.id}/comments`)).json().items;
      assert.deepEqual(all.map((c: { visibility: string; authorName: string }) => `${c.visibility}:${c.authorName}`), ['internal:agent-wo', 'public:agent-wo-b']);
      const pub = (await api(agent, 'GET', `/api/v1/work-orders/${fresh.id}/comments?visibility=public`)).json().items;
      assert.deepEqual(pub.map((c: { body: string }) => c.body), ['您好，我们已受理']);
      const clear = (await api(supervisor, 'GET', `/api/v1/work-orders/${fresh.id}/comments?unmasked=true`)).json().items;
      assert.equal(clear[0].body, `内部备注：客户手机${PHONE}`);
      assert.equal((await api(agent, 'POST', `/api/v1/work-orders/${fresh.id}/comments`, { body: '  ', visibility: 'public' })).statusCode, 400);
    });

    test('attachments: upload, download as a file with its type, refused type, disguised content and size', async () => {
      const up = await api(agent, 'POST', `/api/v1/work-orders/${woId}/attachments`, { filename: '../扣款截图.png', contentType: 'image/png', data: PNG.toString('base64') });
      assert.equal(up.statusCode, 201, up.body);
      assert.equal(up.json().filename, '扣款截图.png');
      assert.equal(up.json().size, PNG.length);
      const list = (await api(agent, 'GET', `/api/v1/work-orders/${woId}/attachments`)).json().items;
      assert.deepEqual(list.map((a: { id: string }) => a.id), [up.json().id]);

      const down = await api(agent, 'GET', `/api/v1/work-orders/${woId}/attachments/${up.json().id}`);
      assert.equal(down.statusCode, 200);
      assert.equal(down.headers['content-type'], 'image/png');
      assert.match(String(down.headers['content-disposition']), /^attachment; .*filename\*=UTF-8''%E6%89%A3/);
      assert.equal(down.headers['x-content-type-options'], 'nosniff');
      assert.match(String(down.headers['content-security-policy']), /sandbox/);
      assert.deepEqual(down.rawPayload, PNG);

      const html = await api(agent, 'POST', `/api/v1/work-orders/${woId}/attachments`, { filename: 'x.html', contentType: 'text/html', data: Buffer.from('<script>alert(1)</script>').toString('base64') });
      assert.equal(html.statusCode, 400);
      assert.equal(html.json().error.details.problems[0].code, 'attachment_type');
      const disguised = await api(agent, 'POST', `/api/v1/work-orders/${woId}/attachments`, { filename: 'x.png', contentType: 'image/png', data: Buffer.from('<html><script>alert(1)</script>').toString('base64') });
      assert.equal(disguised.statusCode, 400);
      assert.equal(disguised.json().error.details.problems[0].code, 'attachment_signature');
      const big = await api(agent, 'POST', `/api/v1/work-orders/${woId}/attachments`, { filename: 'big.txt', contentType: 'text/plain', data: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x61).toString('base64') });
      assert.equal(big.statusCode, 413, big.body.slice(0, 200));
      assert.equal((await api(agent, 'GET', `/api/v1/work-orders/${woId}/attachments`)).json().items.length, 1, 'refused files are not stored');
      assert.equal((await api(agent, 'GET', `/api/v1/work-orders/${woId}/attachments/wa_nope`)).statusCode, 404);
    });

    test('notifications: the assignee gets one live on the coordination port and stored; reassigning notifies the new one; nobody is told of their own assignment', async () => {
      const received: unknown[] = [];
      const unsubscribe = await env.deps.coordination.subscribe(agentChannel(tenantId, agentId), (m) => received.push(m));
      const receivedB: unknown[] = [];
      const unsubscribeB = await env.deps.coordination.subscribe(agentChannel(tenantId, agentBId), (m) => receivedB.push(m));
      try {
        const wo = (await create(admin, dispute({ title: `请回电${PHONE}`, assigneeUserId: agentId }))).json();
        assert.deepEqual(wo.assignee, { userId: agentId, displayName: '坐席小王' });
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(received, [{ type: 'notification', kind: 'work_order', id: wo.id, title: `${wo.number} 请回电138****8000`, at: now.toISOString() }]);

        const mine = (await api(agent, 'GET', '/api/v1/notifications')).json();
        assert.equal(mine.unread, 1);
        assert.deepEqual(mine.items.map((n: { kind: string; refId: string; readAt: null }) => [n.kind, n.refId, n.readAt]), [['work_order', wo.id, null]]);
        const read = await api(agent, 'POST', `/api/v1/notifications/${mine.items[0].id}/read`);
        assert.equal(read.json().readAt, now.toISOString());
        assert.equal((await api(agent, 'GET', '/api/v1/notifications?unread=true')).json().items.length, 0);
        assert.equal((await api(agentB, 'POST', `/api/v1/notifications/${mine.items[0].id}/read`)).statusCode, 404, "another user's notification");

        const re = await api(admin, 'PATCH', `/api/v1/work-orders/${wo.id}`, { assigneeUserId: agentBId, assigneeGroup: 'cards' });
        assert.equal(re.statusCode, 200, re.body);
        assert.equal(re.json().assigneeGroup, 'cards');
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(receivedB.length, 1);
        assert.equal((await api(agentB, 'GET', '/api/v1/notifications')).json().unread, 1);

        // Taking a work order yourself notifies nobody; an unknown assignee is refused.
        await api(agent, 'PATCH', `/api/v1/work-orders/${wo.id}`, { assigneeUserId: agentId });
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(received.length, 1);
        assert.equal((await api(agent, 'PATCH', `/api/v1/work-orders/${wo.id}`, { assigneeUserId: 'usr_ghost' })).statusCode, 400);
        const all = await api(agentB, 'POST', '/api/v1/notifications/read-all');
        assert.deepEqual(all.json(), { updated: 1 });
        const assigns = (await env.deps.audit.list(tenantId, { action: 'work_order.assign' })).filter((a) => a.target === wo.id);
        assert.equal(assigns.length, 2);
      } finally {
        await unsubscribe();
        await unsubscribeB();
      }
      // API keys have no inbox.
      const created = await api(admin, 'POST', '/api/v1/api-keys', { name: 'wo-int', roles: ['agent'] });
      assert.equal(created.statusCode, 201, created.body);
      const key = created.json().key;
      assert.equal((await env.app.inject({ url: '/api/v1/notifications', headers: { authorization: `Bearer ${key}` } })).statusCode, 403);
    });

    test('list: filters, text search over number, title, description and comments, pagination', async () => {
      const q = async (qs: string) => {
        const r = await api(agent, 'GET', `/api/v1/work-orders?${qs}`);
        assert.equal(r.statusCode, 200, r.body);
        return r.json() as { items: { id: string; number: string; status: string }[]; total: number };
      };
      const all = await q('typeId=card_dispute&limit=100');
      assert.ok(all.total >= 7);
      assert.deepEqual(all.items.map((w) => w.id), [...all.items].sort((a, b) => (a.number < b.number ? 1 : -1)).map((w) => w.id), 'newest first');
      const page = await q('typeId=card_dispute&limit=2&offset=2');
      assert.deepEqual(page.items.map((w) => w.id), all.items.slice(2, 4).map((w) => w.id));
      assert.equal(page.total, all.total);

      assert.ok((await q('status=resolved')).items.every((w) => w.status === 'resolved'));
      assert.deepEqual((await q('status=resolved,closed&typeId=card_dispute')).items.map((w) => w.id), [lateId]);
      assert.ok((await q('priority=urgent')).items.some((w) => w.id === soonId));
      assert.ok((await q('assignee=me')).items.every((w) => w.id !== soonId));
      assert.equal((await q('assignee=me')).total, 1);
      assert.ok((await q('assignee=none&typeId=card_dispute')).items.some((w) => w.id === soonId));
      assert.equal((await q('group=cards')).total, 1);
      assert.deepEqual((await q(`conversationId=${conversationId}`)).items.map((w) => w.id), [woId]);
      const created = await q(`createdFrom=${encodeURIComponent(bj('2026-11-27T00:00:00').toISOString())}&createdTo=${encodeURIComponent(bj('2026-11-28T00:00:00').toISOString())}`);
      assert.deepEqual(created.items.map((w) => w.id), [lateId]);

      assert.deepEqual((await q(`q=${woNumber}`)).items.map((w) => w.id), [woId], 'by number');
      assert.deepEqual((await q(`q=${encodeURIComponent('周五傍晚')}`)).items.map((w) => w.id), [lateId], 'by title');
      assert.ok((await q(`q=${encodeURIComponent('商户被重复扣款')}`)).total >= 7, 'by description');
      assert.deepEqual((await q(`q=${encodeURIComponent('已联系商户核实')}`)).items.map((w) => w.id), [lateId], 'by comment');
      assert.equal((await q(`q=${encodeURIComponent('100%_')}`)).total, 0, 'wildcards are literal');
      assert.equal((await api(agent, 'GET', '/api/v1/work-orders?status=bogus')).statusCode, 400);
    });

    test('links: a conversation of the tenant, linked once; another tenant sees nothing and cannot reach anything', async () => {
      const wo = (await create(agent, dispute({ title: '关联测试' }))).json();
      const linked = await api(agent, 'POST', `/api/v1/work-orders/${wo.id}/links`, { conversationId });
      assert.equal(linked.statusCode, 200, linked.body);
      assert.deepEqual(linked.json().conversationIds, [conversationId]);
      assert.equal(linked.json().contactId, contactId);
      assert.deepEqual((await api(agent, 'POST', `/api/v1/work-orders/${wo.id}/links`, { conversationId })).json().conversationIds, [conversationId]);
      assert.equal((await api(agent, 'POST', `/api/v1/work-orders/${wo.id}/links`, { conversationId: otherConversationId })).statusCode, 404);
      assert.deepEqual((await api(agent, 'DELETE', `/api/v1/work-orders/${wo.id}/links/${conversationId}`)).json().conversationIds, []);
      assert.equal((await api(agent, 'DELETE', `/api/v1/work-orders/${wo.id}/links/${conversationId}`)).statusCode, 404);

      for (const [method, url, body] of [
        ['GET', `/api/v1/work-orders/${woId}`], ['GET', `/api/v1/work-orders/${woNumber}`], ['PATCH', `/api/v1/work-orders/${woId}`, { title: 'x' }],
        ['POST', `/api/v1/work-orders/${woId}/transitions`, { to: 'resolved' }], ['GET', `/api/v1/work-orders/${woId}/comments`],
        ['POST', `/api/v1/work-orders/${woId}/comments`, { body: 'x' }], ['GET', `/api/v1/work-orders/${woId}/attachments`],
        ['POST', `/api/v1/work-orders/${woId}/links`, { conversationId }], ['GET', '/api/v1/work-order-types/card_dispute'],
      ] as const) {
        const r = await api(otherAdmin, method, url, body);
        assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
      }
      assert.equal((await api(otherAdmin, 'GET', '/api/v1/work-orders')).json().total, 0);
      const att = (await api(agent, 'GET', `/api/v1/work-orders/${woId}/attachments`)).json().items[0];
      assert.equal((await api(otherAdmin, 'GET', `/api/v1/work-orders/${woId}/attachments/${att.id}`)).statusCode, 404);
      assert.equal((await env.app.inject({ url: `/api/v1/work-orders/${woId}` })).statusCode, 401);
    });

    test("intake: a queued customer's message becomes a 客户留言 work order linked to the conversation; a re-sent one does not make a second", async () => {
      const intake = env.deps.workOrders.intake;
      const { id } = await intake.fromConversation(tenantId, conversationId, `想咨询分期，卡号${CARD}，请回电`, '13900139000 下午');
      const wo = (await api(supervisor, 'GET', `/api/v1/work-orders/${id}?unmasked=true`)).json();
      assert.equal(wo.typeId, 'message');
      assert.equal(wo.source, 'conversation');
      assert.deepEqual(wo.conversationIds, [conversationId]);
      assert.equal(wo.contactId, contactId);
      assert.equal(wo.fields.contact, '13900139000 下午');
      assert.match(wo.title, /^客户留言：想咨询分期/);
      assert.equal(wo.status, 'new');
      assert.ok(wo.sla.firstResponse.dueAt, "the message type's SLA applies");
      assert.equal(wo.createdBy, 'system:intake');
      const masked = (await api(agent, 'GET', `/api/v1/work-orders/${id}`)).json();
      assert.doesNotMatch(JSON.stringify(masked), new RegExp(`${CARD}|13900139000`));

      assert.deepEqual(await intake.fromConversation(tenantId, conversationId, `想咨询分期，卡号${CARD}，请回电`, '13900139000 下午'), { id });
      const second = await intake.fromConversation(tenantId, conversationId, '还有一个问题');
      assert.notEqual(second.id, id);
      await assert.rejects(intake.fromConversation(tenantId, otherConversationId, '跨租户'), /conversation not found/);
      await assert.rejects(intake.fromConversation(tenantId, 'cv_nope', '不存在'), /conversation not found/);
      const linked = (await api(agent, 'GET', `/api/v1/work-orders?conversationId=${conversationId}&typeId=message`)).json();
      assert.equal(linked.total, 2);

      // An admin reshaped the message type (a new required field, no contact field): a message is still stored, the
      // contact kept in the description.
      const msgType = (await api(admin, 'GET', '/api/v1/work-order-types/message')).json();
      const reshaped = await api(admin, 'PUT', '/api/v1/work-order-types/message', {
        name: msgType.name, description: msgType.description, defaultPriority: 'high', sla: msgType.sla, defaultGroup: '留言组', enabled: true,
        fields: [{ key: 'product', label: { zh: '产品', en: 'Product' }, kind: 'select', required: true, options: [{ value: 'card', label: { zh: '信用卡', en: 'Card' } }] }],
      });
      assert.equal(reshaped.statusCode, 200, reshaped.body);
      const kept = await intake.fromConversation(tenantId, conversationId, '晚上再联系我', 'wang@example.com');
      const keptWo = (await api(supervisor, 'GET', `/api/v1/work-orders/${kept.id}?unmasked=true`)).json();
      assert.equal(keptWo.description, '晚上再联系我\n\n联系方式：wang@example.com');
      assert.deepEqual(keptWo.fields, {});
      assert.equal(keptWo.priority, 'high');
      assert.equal(keptWo.assigneeGroup, '留言组', "the type's default group");
      // ...but staff creating one through the API must fill the required field.
      const staff = await create(agent, { typeId: 'message', title: '电话留言' });
      assert.deepEqual(staff.json().error.details.problems.map((p: { path: string }) => p.path), ['fields.product']);
    });

    test("with the service module's group directory: an unknown group is refused, a group assignment notifies its members", async () => {
      env.deps.workOrders.service.setGroupDirectory({
        exists: async (_t, g) => g === 'loans',
        members: async (t, g) => (t === tenantId && g === 'loans' ? [agentId, agentBId] : []),
      });
      const unknown = await create(admin, dispute({ assigneeGroup: 'nope' }));
      assert.deepEqual(unknown.json().error.details.problems.map((p: { path: string; code: string }) => `${p.path}:${p.code}`), ['assigneeGroup:unknown_group']);
      const before = (await api(agentB, 'GET', '/api/v1/notifications')).json().unread;
      const wo = (await create(agent, dispute({ title: '贷款组处理', assigneeGroup: 'loans' }))).json();
      assert.equal(wo.assigneeGroup, 'loans');
      const b = (await api(agentB, 'GET', '/api/v1/notifications')).json();
      assert.equal(b.unread, before + 1);
      assert.equal(b.items[0].refId, wo.id);
      assert.ok(!(await api(agent, 'GET', '/api/v1/notifications')).json().items.some((n: { refId: string }) => n.refId === wo.id), 'not the one who assigned it');
    });

    test('the API is in the OpenAPI document', async () => {
      const doc = (await env.app.inject({ url: '/openapi.json' })).json();
      for (const path of ['/api/v1/work-orders', '/api/v1/work-orders/{id}', '/api/v1/work-orders/{id}/transitions', '/api/v1/work-orders/{id}/comments', '/api/v1/work-orders/{id}/attachments',
        '/api/v1/work-orders/{id}/attachments/{attachmentId}', '/api/v1/work-orders/{id}/links', '/api/v1/work-orders/sla-breaches', '/api/v1/work-order-types', '/api/v1/work-order-types/{typeId}',
        '/api/v1/business-hours', '/api/v1/notifications', '/api/v1/notifications/{id}/read']) {
        assert.ok(doc.paths[path], path);
      }
    });
  });
}
