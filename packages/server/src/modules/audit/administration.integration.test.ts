import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp, login, TEST_ADMIN_PASSWORD } from '../../testing/app.ts';
import { parseCsv } from '../../platform/csv.ts';

for (const variant of await bothDatabases()) {
  describe(`administration (users, bot settings, audit log) on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let admin: string;
    let adminId: string;
    before(async () => {
      admin = await login(env.app);
      adminId = (await call('GET', '/api/v1/auth/me')).json().userId;
    });
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = admin) =>
      env.app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    const audit = async (query: string) => (await call('GET', `/api/v1/audit-log/entries?${query}`)).json();

    test('an admin cannot disable themself or drop their own admin role (400, nothing changed)', async () => {
      const a = await call('PATCH', `/api/v1/users/${adminId}`, { disabled: true });
      const b = await call('PATCH', `/api/v1/users/${adminId}`, { roles: ['supervisor'] });
      assert.equal(a.statusCode, 400);
      assert.equal(b.statusCode, 400);
      const me = (await call('GET', '/api/v1/users')).json().items.find((u: { id: string }) => u.id === adminId);
      assert.deepEqual([me.disabled, me.roles], [false, ['admin']]);
      assert.equal((await call('GET', '/api/v1/auth/me')).statusCode, 200);
    });

    test('user admin: roles change, disable signs out, enable, password reset — each audited as its own action', async () => {
      const created = await call('POST', '/api/v1/users', { username: 'kop1', displayName: '知识运营甲', password: 'first-password', roles: ['knowledge_operator'] });
      assert.equal(created.statusCode, 201);
      const id = created.json().id;
      const kop = await login(env.app, 'kop1', 'first-password', 'demo');
      // Knowledge operators manage knowledge, not users.
      assert.equal((await call('GET', '/api/v1/users', undefined, kop)).statusCode, 403);

      const roles = await call('PATCH', `/api/v1/users/${id}`, { roles: ['knowledge_operator', 'analyst'] });
      assert.deepEqual(roles.json().roles, ['knowledge_operator', 'analyst']);

      assert.equal((await call('PATCH', `/api/v1/users/${id}`, { disabled: true })).json().disabled, true);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, kop)).statusCode, 401, 'a disabled user is signed out');
      const refused = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'kop1', password: 'first-password', tenant: 'demo' } });
      assert.equal(refused.statusCode, 401);
      assert.equal((await call('PATCH', `/api/v1/users/${id}`, { disabled: false })).json().disabled, false);

      const weak = await call('POST', `/api/v1/users/${id}/reset-password`, { password: 'short' });
      assert.equal(weak.statusCode, 400);
      const kop2 = await login(env.app, 'kop1', 'first-password', 'demo');
      assert.equal((await call('POST', `/api/v1/users/${id}/reset-password`, { password: 'temporary-123' })).statusCode, 200);
      assert.equal((await call('GET', '/api/v1/auth/me', undefined, kop2)).statusCode, 401, 'a password reset signs the user out');
      await assert.rejects(login(env.app, 'kop1', 'first-password', 'demo'));
      await login(env.app, 'kop1', 'temporary-123', 'demo');
      assert.equal((await call('POST', '/api/v1/users/usr_nobody/reset-password', { password: 'temporary-123' })).statusCode, 404);

      const log = await audit(`target=${id}&action=user.`);
      assert.deepEqual(log.items.map((e: { action: string }) => e.action), ['user.password_reset', 'user.enable', 'user.disable', 'user.roles_change', 'user.create']);
      assert.equal(log.total, 5);
      const change = log.items.find((e: { action: string }) => e.action === 'user.roles_change');
      assert.deepEqual(change.details.from, ['knowledge_operator']);
      assert.deepEqual(change.details.to, ['knowledge_operator', 'analyst']);
      assert.equal(change.actorName, 'admin');
      assert.ok(!JSON.stringify(log).includes('temporary-123'), 'passwords never reach the audit log');
    });

    test('roles matrix lists every role with its permissions', async () => {
      const r = (await call('GET', '/api/v1/roles')).json();
      const ko = r.items.find((x: { role: string }) => x.role === 'knowledge_operator');
      assert.ok(ko.permissions.includes('kb:write'));
      assert.ok(!ko.permissions.includes('user:manage'));
      assert.equal(r.items.find((x: { role: string }) => x.role === 'admin').permissions.length, r.permissions.length);
    });

    test('bot settings: a patch keeps what it does not mention; clarify above answer is refused and changes nothing', async () => {
      const before = (await call('GET', '/api/v1/bots/demo')).json().settings;
      const ok = await call('PATCH', '/api/v1/bots/demo', { settings: { greeting: '欢迎来到示例银行', thresholds: { answer: 0.6 }, handoffKeywords: ['转人工', '转人工', '投诉'] } });
      assert.equal(ok.statusCode, 200);
      const s = ok.json().settings;
      assert.equal(s.greeting, '欢迎来到示例银行');
      assert.deepEqual(s.thresholds, { ...before.thresholds, answer: 0.6 });
      assert.deepEqual(s.handoffKeywords, ['转人工', '投诉']);
      assert.equal(s.fallback, before.fallback);
      assert.equal(s.maxClarifyOptions, before.maxClarifyOptions);

      // The robot greets with the new text.
      const chat = await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', text: '你好' } });
      assert.equal(chat.statusCode, 200);
      assert.equal(chat.json().replies[0].text, '欢迎来到示例银行');

      const bad = await call('PATCH', '/api/v1/bots/demo', { settings: { greeting: '不应保存', thresholds: { clarify: 0.7 } } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /clarify threshold \(0\.7\) must not be above the answer threshold \(0\.6\)/);
      assert.equal(bad.json().error.details.problems[0].path, 'thresholds.clarify');
      assert.equal((await call('PATCH', '/api/v1/bots/demo', { settings: { thresholds: { answer: 1.5 } } })).statusCode, 400);
      const after = (await call('GET', '/api/v1/bots/demo')).json().settings;
      assert.equal(after.greeting, '欢迎来到示例银行');
      assert.deepEqual(after.thresholds, s.thresholds);

      const log = await audit('action=bot.settings_update');
      assert.equal(log.total, 1);
      assert.deepEqual(log.items[0].details.changes['settings.greeting'], { from: before.greeting, to: '欢迎来到示例银行' });
      assert.ok(!('settings.fallback' in log.items[0].details.changes));
    });

    test('api keys: shown once, revoked key is refused, both audited', async () => {
      const k = await call('POST', '/api/v1/api-keys', { name: 'crm', roles: ['analyst'] });
      assert.equal(k.statusCode, 201);
      const key = k.json().key as string;
      assert.equal((await call('GET', '/api/v1/bots', undefined, key)).statusCode, 200);
      assert.ok(!JSON.stringify((await call('GET', '/api/v1/api-keys')).json()).includes(key));
      assert.equal((await call('DELETE', `/api/v1/api-keys/${k.json().id}`)).statusCode, 204);
      assert.equal((await call('GET', '/api/v1/bots', undefined, key)).statusCode, 401);
      const log = await audit(`action=apikey.&target=${k.json().id}`);
      assert.deepEqual(log.items.map((e: { action: string }) => e.action), ['apikey.revoke', 'apikey.create']);
    });

    test('audit log: filters by actor, action prefix (literal), date range and pages; bad range is 400', async () => {
      const all = await audit('limit=500');
      assert.ok(all.total >= 10);
      const page1 = await audit('limit=3&offset=0');
      const page2 = await audit('limit=3&offset=3');
      assert.equal(page1.items.length, 3);
      assert.deepEqual([...page1.items, ...page2.items].map((e: { id: number }) => e.id), all.items.slice(0, 6).map((e: { id: number }) => e.id));
      assert.equal(page1.total, all.total);

      const mine = await audit(`actor=user:${adminId}&limit=500`);
      assert.ok(mine.items.length > 0 && mine.items.every((e: { actor: string }) => e.actor === `user:${adminId}`));
      // `_` in a prefix is literal, not a LIKE wildcard.
      assert.equal((await audit('action=user_')).total, 0);
      await env.deps.audit.record({ tenantId: (await env.deps.tenancy.findTenantBySlug('demo'))!.id, actor: `user:${adminId}`, action: 'contact.view_unmasked', target: 'ct_1' });
      const pii = await audit('action=*.view_unmasked');
      assert.deepEqual(pii.items.map((e: { action: string }) => e.action), ['contact.view_unmasked']);
      assert.ok((await audit('action=user.')).items.every((e: { action: string }) => e.action.startsWith('user.')));

      const future = new Date(Date.now() + 3600_000).toISOString();
      assert.equal((await audit(`from=${encodeURIComponent(future)}`)).total, 0);
      const recent = await audit(`from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&to=${encodeURIComponent(future)}&limit=500`);
      const latest = await audit('limit=1');
      assert.equal(recent.total, latest.total);
      // `from` is inclusive, `to` exclusive: split at the newest record's instant.
      const at = encodeURIComponent(latest.items[0].at);
      const since = await audit(`from=${at}&limit=500`);
      const until = await audit(`to=${at}&limit=500`);
      assert.ok(since.items.some((e: { id: number }) => e.id === latest.items[0].id));
      assert.ok(until.items.every((e: { at: string }) => e.at < latest.items[0].at));
      assert.equal(since.total + until.total, latest.total);
      assert.equal((await call('GET', `/api/v1/audit-log/entries?from=${encodeURIComponent(future)}&to=2020-01-01T00:00:00Z`)).statusCode, 400);

      // Another tenant's admin sees none of this.
      const t = await env.deps.tenancy.createTenant('bank-c', '丙银行');
      await env.deps.auth.createUser(t.id, { username: 'admin', password: 'bank-c-password', roles: ['admin'] });
      const other = await login(env.app, 'admin', 'bank-c-password', 'bank-c');
      const theirs = (await call('GET', '/api/v1/audit-log/entries?limit=500', undefined, other)).json();
      assert.ok(theirs.items.every((e: { actor: string }) => !e.actor.includes(adminId)));
      // Only audit:read roles.
      const kop = await login(env.app, 'kop1', 'temporary-123', 'demo');
      assert.equal((await call('GET', '/api/v1/audit-log/entries', undefined, kop)).statusCode, 403);
      assert.equal((await call('GET', '/api/v1/audit-log/export', undefined, kop)).statusCode, 403);
    });

    test('audit log export: CSV and Excel hold the filtered rows, and the export is itself audited', async () => {
      const r = await call('GET', '/api/v1/audit-log/export?action=user.&format=csv&lang=zh');
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /text\/csv/);
      const rows = parseCsv(r.body.replace(/^\uFEFF/, ''));
      assert.deepEqual(rows[0], ['时间', '操作人', '操作人账号', '操作', '对象', '详情']);
      const data = rows.slice(1).filter((x) => x.length > 1);
      assert.equal(data.length, (await audit('action=user.')).total);
      assert.ok(data.some((x) => x[3] === 'user.roles_change' && x[2] === 'admin' && JSON.parse(x[5]).to.includes('analyst')));

      const x = await call('GET', '/api/v1/audit-log/export?action=apikey.&format=xlsx&lang=en');
      assert.equal(x.statusCode, 200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      assert.equal(ws.getRow(1).getCell(4).value, 'Action');
      assert.equal(ws.rowCount, 3);
      assert.equal(ws.getRow(2).getCell(4).value, 'apikey.revoke');

      const exports = await audit('action=audit.export');
      assert.equal(exports.total, 2);
      assert.deepEqual(exports.items.map((e: { details: { format: string; rows: number } }) => e.details.format), ['xlsx', 'csv']);
      assert.equal(exports.items[0].details.rows, 2);
      assert.equal(exports.items[1].details.filters.action, 'user.');
    });

    test('the seeded admin still signs in after all these changes', async () => {
      await login(env.app, 'admin', TEST_ADMIN_PASSWORD, 'demo');
    });
  });
}
