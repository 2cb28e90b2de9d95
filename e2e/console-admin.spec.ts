/**
 * Administration (issue 6 item 5) in a real browser: an admin creates a knowledge operator, who signs in and sees
 * only their screens (no 系统管理 menu, the admin pages refused); changes the bot's greeting and a new chat session
 * greets with it; creates an API key, sees it once, revokes it and the key is refused (401); an invalid thresholds
 * combination shows a clear error and changes nothing; filters the audit log to those actions and exports CSV.
 * Screenshots go to e2e/screenshots/console-admin-*.png (1366×768 and 1920×1080 for the main screens).
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import type { RunningServer } from './lib/server.ts';
import { startAppServer, fillSignIn } from './lib/app.ts';

const ADMIN_PASSWORD = 'e2e-admin-password';
const KOP = { username: 'kop_e2e', displayName: '知识运营小李', password: 'kop-e2e-password-1' };
const GREETING = '您好，这里是示例银行端到端测试客服，请问有什么可以帮您？';

describe('console: administration', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = '';
  let browser: Browser;
  let admin: Page;
  let adminToken = '';
  const pageErrors: string[] = [];

  before(async () => {
    server = await startAppServer({ LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    base = server.url;
    browser = await launchBrowser();
    admin = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    admin.on('pageerror', (e) => pageErrors.push(String(e)));
    adminToken = (await apiJson('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD, tenant: 'demo' })).body.token;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function apiJson(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const shot = (p: Page, name: string) => screenshot(p, `console-admin-${name}`);
  const bothSizes = async (p: Page, name: string) => {
    await shot(p, `${name}-1366`);
    await p.setViewportSize({ width: 1920, height: 1080 });
    await p.waitForTimeout(300);
    await shot(p, `${name}-1920`);
    await p.setViewportSize({ width: 1366, height: 768 });
    await p.waitForTimeout(200);
  };
  const toastsGone = (p: Page) => p.waitForFunction(() => !document.querySelector('.ant-message-notice'), null, { timeout: 10_000 });
  /** No horizontal overflow of the page itself (tables scroll inside their card). */
  const noPageOverflow = async (p: Page) => {
    const o = await p.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    assert.ok(o.sw <= o.cw + 1, `page overflows horizontally: ${o.sw} > ${o.cw}`);
  };
  const signIn = async (p: Page, username: string, password: string) => {
    await p.goto(`${base}/workbench/`);
    await fillSignIn(p, username, password);
    await p.locator('.app-user').waitFor();
  };
  const open = async (p: Page, path: string) => {
    await p.goto(`${base}/workbench${path}`);
    await p.locator('.app-user').waitFor();
  };

  test('users: create a knowledge operator who signs in and sees only their screens', { timeout: 120_000 }, async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await admin.locator('.ant-menu-submenu-title', { hasText: '系统管理' }).click();
    await admin.locator('.ant-menu-item', { hasText: '用户管理' }).click();
    await admin.locator('.ant-table-row', { hasText: 'admin' }).first().waitFor();

    await admin.getByTestId('user-new').click();
    const dialog = admin.getByRole('dialog', { name: '新建用户' });
    await dialog.getByTestId('new-username').fill(KOP.username);
    await dialog.getByTestId('new-displayname').fill(KOP.displayName);
    await dialog.getByTestId('new-password').fill(KOP.password);
    await dialog.locator('.ant-checkbox-wrapper', { hasText: '坐席' }).click(); // the default role, unticked
    await dialog.locator('.ant-checkbox-wrapper', { hasText: '知识运营' }).click();
    await dialog.getByRole('button', { name: /新\s*建/ }).click();
    const row = admin.locator('.ant-table-row', { hasText: KOP.username });
    await row.waitFor();
    assert.match(await row.innerText(), /知识运营/);
    assert.doesNotMatch(await row.innerText(), /坐席/);
    const users = (await apiJson('GET', '/api/v1/users', undefined, adminToken)).body.items;
    assert.deepEqual(users.find((u: { username: string }) => u.username === KOP.username).roles, ['knowledge_operator']);
    // The admin's own row cannot disable itself.
    assert.equal(await admin.getByTestId('user-actions-admin').getByRole('button', { name: /停\s*用/ }).isDisabled(), true);
    await toastsGone(admin);
    await noPageOverflow(admin);
    await bothSizes(admin, 'users');

    await open(admin, '/admin/roles');
    await admin.getByTestId('roles-matrix').getByRole('columnheader', { name: '知识运营' }).waitFor();
    assert.match(await admin.getByTestId('roles-matrix').innerText(), /查看个人信息明文/);
    await shot(admin, 'roles-1366');

    // A temporary password set by the admin replaces the first one.
    await open(admin, '/admin/users');
    await admin.getByTestId(`user-actions-${KOP.username}`).locator('button', { hasText: '重置密码' }).click();
    const reset = admin.getByRole('dialog', { name: /设置临时密码/ });
    const temp = await reset.getByTestId('temp-password').inputValue();
    assert.ok(temp.length >= 12);
    await reset.getByRole('button', { name: /保\s*存/ }).click();
    // The dialog closes once the server took the password (the toast saying so may be gone on a busy machine).
    await reset.waitFor({ state: 'hidden' });
    assert.equal((await apiJson('POST', '/api/v1/auth/login', { username: KOP.username, password: KOP.password, tenant: 'demo' })).status, 401);
    KOP.password = temp;

    // The new user signs in: knowledge screens, no administration menu, admin pages refused.
    const kop = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    try {
      await signIn(kop, KOP.username, KOP.password);
      await kop.locator('.app-user', { hasText: KOP.displayName }).waitFor();
      const menu = await kop.locator('.ant-layout-sider .ant-menu').innerText();
      assert.doesNotMatch(menu, /系统管理|用户管理|审计日志/);
      assert.match(menu, /知识/);
      await open(kop, '/admin/users');
      await kop.locator('.ant-result', { hasText: '您的角色无权访问此页面' }).waitFor();
      await shot(kop, 'kop-forbidden');
    } finally {
      await kop.context().close();
    }
  });

  test('bot settings: a new greeting is used by a new chat; clarify above answer is refused and nothing changes', { timeout: 60_000 }, async () => {
    await open(admin, '/admin/bot');
    const greeting = admin.getByTestId('bot-greeting');
    await greeting.waitFor();
    assert.notEqual(await greeting.inputValue(), '');
    await greeting.fill(GREETING);
    await admin.getByTestId('bot-save').click();
    await admin.locator('.ant-message-notice', { hasText: '机器人设置已保存' }).waitFor();

    const chat = await apiJson('POST', '/api/v1/chat', { bot: 'demo', text: '你好' });
    assert.equal(chat.status, 200);
    assert.equal(chat.body.replies[0].text, GREETING);

    const before = (await apiJson('GET', '/api/v1/bots/demo', undefined, adminToken)).body.settings;
    await admin.getByTestId('bot-greeting').fill('这段文字不应被保存');
    const clarify = admin.getByTestId('th-clarify');
    await clarify.fill('0.9');
    await clarify.press('Tab');
    await admin.getByTestId('bot-save').click();
    const err = admin.getByTestId('bot-error');
    await err.waitFor();
    assert.match(await err.innerText(), /澄清阈值（0\.9）不能高于直接回答阈值（0\.55）/);
    await admin.locator('.ant-form-item-explain-error', { hasText: '不能高于直接回答阈值' }).waitFor();
    await toastsGone(admin);
    await noPageOverflow(admin);
    await bothSizes(admin, 'bot-settings-invalid');
    const after = (await apiJson('GET', '/api/v1/bots/demo', undefined, adminToken)).body.settings;
    assert.deepEqual(after, before, 'nothing changed');
    assert.equal(after.greeting, GREETING);

    // English: the same form, its hints and the error in English.
    await admin.locator('.app-header .ant-segmented-item', { hasText: 'EN' }).click();
    await admin.getByText('Answer threshold', { exact: true }).waitFor();
    await admin.locator('.ant-form-item-explain-error', { hasText: 'must not be above the answer threshold' }).waitFor();
    await admin.getByTestId('bot-error').filter({ hasText: 'Settings not saved: The clarify threshold (0.9)' }).waitFor();
    await noPageOverflow(admin);
    await shot(admin, 'bot-settings-en-1366');
    await admin.locator('.app-header .ant-segmented-item', { hasText: '中文' }).click();
    await admin.getByText('直接回答阈值', { exact: true }).waitFor();
  });

  test('api keys: shown once with copy, revoked key is refused', { timeout: 60_000 }, async () => {
    await open(admin, '/admin/api-keys');
    await admin.getByTestId('key-new').click();
    const dialog = admin.getByRole('dialog', { name: '创建密钥' });
    await dialog.getByTestId('key-name').fill('e2e-crm');
    await dialog.getByRole('button', { name: /新\s*建/ }).click();
    const secret = admin.getByTestId('key-secret');
    await secret.waitFor();
    const key = await secret.inputValue();
    assert.match(key, /^lx_.{20,}/);
    await admin.locator('.ant-alert', { hasText: '关闭此窗口后将无法再次查看' }).waitFor();
    await admin.waitForFunction(() => document.querySelectorAll('.ant-modal-wrap:not([style*="none"])').length === 1);
    await admin.waitForTimeout(300);
    await shot(admin, 'api-key-once');
    assert.equal((await apiJson('GET', '/api/v1/bots', undefined, key)).status, 200);
    await admin.getByTestId('key-done').click();
    await secret.waitFor({ state: 'hidden' });
    const row = admin.locator('.ant-table-row', { hasText: 'e2e-crm' });
    await row.waitFor();
    assert.ok(!(await admin.content()).includes(key), 'the key is not on the page any more');
    assert.match(await row.innerText(), new RegExp(key.slice(0, 8).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    await admin.getByTestId('key-revoke-e2e-crm').click();
    await admin.locator('.ant-popconfirm').getByRole('button', { name: /确\s*定/ }).click();
    await row.locator('.ant-tag', { hasText: '已吊销' }).waitFor();
    assert.equal((await apiJson('GET', '/api/v1/bots', undefined, key)).status, 401);
  });

  test('channels: type, enable/disable, credentials write-only; skill groups listed', { timeout: 60_000 }, async () => {
    const bot = (await apiJson('GET', '/api/v1/bots/demo', undefined, adminToken)).body;
    const SECRET = 'app-secret-e2e-value-1';
    const created = await apiJson('POST', '/api/v1/channels', {
      botId: bot.id, type: 'wechat', name: '公众号E2E', public: { appId: 'wx_e2e', encryptMode: 'plain' }, secrets: { token: 'Tok3nE2E', appSecret: SECRET },
    }, adminToken);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await open(admin, '/admin/channels');
    const row = admin.locator('.ant-table-row', { hasText: '公众号E2E' });
    await row.waitFor();
    assert.match(await row.innerText(), /微信公众号/);
    assert.match(await row.innerText(), /appSecret: 已设置/);
    assert.ok(!(await admin.content()).includes(SECRET) && !(await admin.content()).includes('Tok3nE2E'), 'credentials are never displayed');

    await admin.getByTestId('ch-enabled-公众号E2E').click();
    await admin.locator('.ant-message-notice', { hasText: '已保存' }).waitFor();
    assert.equal((await apiJson('GET', `/api/v1/channels/${created.body.id}`, undefined, adminToken)).body.enabled, false);

    await admin.getByTestId('ch-edit-公众号E2E').click();
    const dialog = admin.getByRole('dialog', { name: /编辑渠道/ });
    assert.equal(await dialog.getByTestId('ch-secret-appSecret').inputValue(), '', 'an existing credential is not loaded into the form');
    assert.ok(!(await admin.content()).includes(SECRET));
    await dialog.getByTestId('ch-secret-appSecret').fill('app-secret-e2e-value-2');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    const log = (await apiJson('GET', `/api/v1/audit-log/entries?action=channel.update&target=${created.body.id}`, undefined, adminToken)).body;
    assert.equal(log.total, 2);
    assert.deepEqual(log.items[0].details.secrets, ['appSecret']);
    assert.ok(!JSON.stringify(log).includes('app-secret-e2e-value'));
    await toastsGone(admin);
    await noPageOverflow(admin);
    await shot(admin, 'channels-1366');

    await open(admin, '/admin/groups');
    const groups = (await apiJson('GET', '/api/v1/service/groups', undefined, adminToken)).body.items;
    assert.ok(groups.length > 0);
    await admin.locator('.ant-table-row', { hasText: groups[0].id }).first().waitFor();
    await admin.locator('.ant-table-row', { hasText: 'agent1' }).waitFor();
    await noPageOverflow(admin);
    await shot(admin, 'groups-1366');

    // Working hours: office hours on weekdays for the loans group.
    await admin.locator('.ant-table-row', { hasText: 'loans' }).getByRole('button', { name: /编\s*辑/ }).click();
    const g = admin.getByRole('dialog', { name: /loans/ });
    // The group starts "always open"; untick it once the dialog has finished opening (a click during the opening
    // animation can be lost on a loaded machine), and make sure it took.
    const always = g.getByRole('checkbox', { name: '全天候' });
    await always.waitFor();
    assert.equal(await always.isChecked(), true, 'loans starts always open');
    await admin.waitForTimeout(400);
    await always.uncheck();
    await g.locator('.adm-day', { hasText: '周一' }).locator('.ant-picker').waitFor();
    await admin.waitForTimeout(300);
    await shot(admin, 'group-hours-1366');
    await g.getByRole('button', { name: /保\s*存/ }).click();
    await g.waitFor({ state: 'hidden' });
    const loans = (await apiJson('GET', '/api/v1/service/groups', undefined, adminToken)).body.items.find((x: { id: string }) => x.id === 'loans');
    assert.deepEqual(loans.workingHours.weekly.mon, [{ start: '09:00', end: '18:00' }]);
    assert.deepEqual(loans.workingHours.weekly.sun, []);
    await admin.locator('.ant-table-row', { hasText: 'loans' }).locator('td', { hasText: '周一 09:00–18:00' }).waitFor();
  });

  test('audit log: filter to those actions, expand details, export CSV', { timeout: 60_000 }, async () => {
    // Through the menu, at 1366×768 (the last item of a long menu must still be reachable).
    await admin.locator('.ant-menu-item', { hasText: '审计日志' }).click();
    await admin.locator('.app-header-title', { hasText: '审计日志' }).waitFor();
    await admin.getByTestId('audit-action').fill('apikey.');
    await admin.getByTestId('audit-search').click();
    const table = admin.getByTestId('audit-table');
    await table.locator('.ant-table-row', { hasText: 'apikey.revoke' }).waitFor();
    const rows = await table.locator('.ant-table-row').allInnerTexts();
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows[0], /apikey\.revoke/);
    assert.match(rows[1], /apikey\.create/);
    assert.ok(rows.every((r) => /admin/.test(r)), 'the actor is named');

    // The user and bot changes of the earlier steps are there too, with their details.
    await admin.getByTestId('audit-action').fill('bot.settings');
    await admin.getByTestId('audit-search').click();
    const botRow = table.locator('.ant-table-row', { hasText: 'bot.settings_update' });
    await botRow.waitFor();
    assert.equal(await table.locator('.ant-table-row').count(), 1, 'the refused change was not recorded');
    await botRow.locator('.ant-table-row-expand-icon').click();
    const json = table.locator('pre.adm-json');
    await json.waitFor();
    assert.match(await json.innerText(), /settings\.greeting/);
    assert.ok((await json.innerText()).includes(GREETING));
    await toastsGone(admin);
    // The header is still in view: the long side menu scrolls inside the sider, not the whole frame.
    assert.equal(await admin.evaluate(() => document.scrollingElement?.scrollTop ?? 0), 0);
    await noPageOverflow(admin);
    await bothSizes(admin, 'audit');

    // The seed's users were created by `system`: the admin's own user.create is the only one by them.
    const me = (await apiJson('GET', '/api/v1/auth/me', undefined, adminToken)).body;
    await admin.getByTestId('audit-action').fill('user.create');
    await admin.getByTestId('audit-actor').fill(me.actor);
    await admin.getByTestId('audit-search').click();
    await table.locator('.ant-table-row', { hasText: KOP.username }).waitFor();
    assert.equal(await table.locator('.ant-table-row').count(), 1);
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('audit-export-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r\n/);
    assert.equal(lines[0], '时间,操作人,操作人账号,操作,对象,详情');
    assert.equal(lines.length, 2, csv);
    assert.match(lines[1], /,admin,user\.create,usr_/);
    assert.ok(lines[1].includes(KOP.username) && lines[1].includes('knowledge_operator'));

    // The export itself is audited.
    const exports = (await apiJson('GET', '/api/v1/audit-log/entries?action=audit.export', undefined, adminToken)).body;
    assert.equal(exports.total, 1);
    assert.equal(exports.items[0].details.filters.action, 'user.create');
    assert.deepEqual(pageErrors, []);
  });
});
