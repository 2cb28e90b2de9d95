/**
 * Analytics end to end: conversations created through the real chat API (3 answered, 2 fallback, 1 hand-off), an
 * admin signs in, opens 数据分析 › 运营看板, refreshes, and the dashboard shows exactly those numbers; a KPI drills down
 * to the conversation search with the right query; the CSV export holds the same figures. Screenshots of the
 * dashboard at 1366×768 and 1920×1080 go to e2e/screenshots/console-analytics-*.png.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import type { RunningServer } from './lib/server.ts';
import { startAppServer, fillSignIn } from './lib/app.ts';

const ADMIN_PASSWORD = 'e2e-admin-password';
const shanghaiToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

describe('analytics dashboard', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = '';
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    server = await startAppServer({ LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    base = server.url;
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const chat = async (text: string) => {
    const r = await fetch(`${base}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bot: 'demo', text }) });
    assert.equal(r.status, 200);
    return (await r.json()) as { sessionId: string; replies: { type: string }[] };
  };
  const kpi = (id: string) => page.locator(`[data-kpi="${id}"] .ant-statistic-content-value`);
  const kpiSub = (id: string) => page.locator(`[data-kpi="${id}"] .an-kpi-sub`);

  test('the dashboard shows the conversations the test created, drills down and exports', { timeout: 180_000 }, async () => {
    for (let i = 0; i < 3; i++) assert.equal((await chat('信用卡丢了怎么挂失')).replies[0].type, 'answer');
    for (let i = 0; i < 2; i++) assert.equal((await chat('火星上今天的天气如何')).replies[0].type, 'fallback');
    // The hand-off is served by the admin as an agent (REST, like the workbench does), closed and rated 4.
    const call = async (method: string, path: string, body?: object, token?: string) => {
      const r = await fetch(`${base}${path}`, {
        method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined,
      });
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
      return r.status === 204 ? null : r.json();
    };
    const token = (await call('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD, tenant: 'demo' })).token as string;
    const me = (await call('GET', '/api/v1/auth/me', undefined, token)).userId as string;
    await call('PUT', `/api/v1/service/agents/${me}`, { displayName: '值班经理', groups: ['general', 'cards'], maxConcurrent: 3 }, token);
    await call('PUT', '/api/v1/agent/presence', { presence: 'online' }, token);
    const handoff = await chat('我要转人工');
    assert.equal(handoff.replies[0].type, 'handoff');
    for (let i = 0; i < 100; i++) {
      const mine = (await call('GET', '/api/v1/agent/conversations', undefined, token)).items as { id: string }[];
      if (mine.some((c) => c.id === handoff.sessionId)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await call('POST', `/api/v1/agent/conversations/${handoff.sessionId}/messages`, { text: '您好，我来帮您处理' }, token);
    await call('POST', `/api/v1/agent/conversations/${handoff.sessionId}/close`, {}, token);
    await call('POST', '/api/v1/chat/rating', { bot: 'demo', sessionId: handoff.sessionId, score: 4 });

    await page.goto(`${base}/workbench/`);
    await fillSignIn(page, 'admin', ADMIN_PASSWORD);
    await page.locator('.ant-menu-submenu-title', { hasText: '数据分析' }).click();
    await page.locator('.ant-menu-item', { hasText: '运营看板' }).click();
    await page.waitForURL(/\/workbench\/analytics$/);
    // The projector runs in the background after the events; the refresh button runs it now.
    await page.getByTestId('an-refresh').click();
    await page.waitForFunction(() => document.querySelector('[data-kpi="conversations"] .ant-statistic-content-value')?.textContent === '6', null, { timeout: 20_000 });

    assert.equal(await kpi('conversations').innerText(), '6');
    assert.equal(await kpi('selfService').innerText(), '83.3%');
    assert.equal(await kpiSub('selfService').innerText(), '5 个会话');
    assert.equal(await kpi('handoff').innerText(), '16.7%');
    assert.equal(await kpiSub('handoff').innerText(), '1 个会话');
    assert.equal(await kpi('fallback').innerText(), '33.3%');
    assert.equal(await kpiSub('fallback').innerText(), '2 个会话');
    assert.equal(await kpi('clarify').innerText(), '0.0%');
    assert.equal(await kpi('satisfaction').innerText(), '4.00');
    assert.equal(await kpiSub('satisfaction').innerText(), '满意率 100.0% · 1 条');
    // The agent table: the admin served one conversation, resolved it, rated 4.
    const agentRow = page.locator('.ant-table-row', { hasText: '值班经理' });
    await agentRow.waitFor();
    const cells = await agentRow.locator('td').allInnerTexts();
    assert.equal(cells[1], '1');
    assert.equal(cells[2], '1');
    assert.equal(cells[3], '100.0%');
    assert.equal(cells[6], '4.00 (1)');
    // Charts are drawn (a canvas each) for traffic, trends, entries and intents.
    for (const id of ['an-traffic', 'an-trends', 'an-entries', 'an-intents']) await page.getByTestId(id).locator('canvas').first().waitFor();
    await page.waitForTimeout(600); // ECharts' entry animation
    await page.waitForFunction(() => !document.querySelector('.ant-message-notice'), null, { timeout: 10_000 });
    await screenshot(page, 'console-analytics-1366');
    await page.locator('.app-content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForTimeout(300);
    await screenshot(page, 'console-analytics-1366-bottom');
    await page.locator('.app-content').evaluate((el) => el.scrollTo(0, 0));
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(600);
    await screenshot(page, 'console-analytics-1920');
    // No horizontal overflow at either size.
    for (const width of [1920, 1366]) {
      await page.setViewportSize({ width, height: width === 1920 ? 1080 : 768 });
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => {
        const c = document.querySelector('.app-content') as HTMLElement;
        return c.scrollWidth - c.clientWidth;
      });
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at ${width}`);
    }

    // ---- export: the overview as CSV holds the same figures
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-export="overview"]').click().then(() => page.locator('.ant-dropdown-menu-item', { hasText: '导出 CSV' }).click()),
    ]);
    assert.match(download.suggestedFilename(), /^analytics-overview-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    assert.equal(csv.length, 2, csv.join('\n'));
    const head = csv[0].split(',');
    const row = Object.fromEntries(csv[1].split(',').map((v, i) => [head[i], v]));
    assert.equal(row['结束日期'], shanghaiToday());
    assert.equal(row['会话数'], '6');
    assert.equal(row['机器人自助'], '5');
    assert.equal(row['转人工'], '1');
    assert.equal(row['兜底'], '2');
    assert.equal(row['机器人自助率'], '0.8333');

    // ---- drill-down: the hand-off KPI opens the conversation search for those conversations
    await page.locator('[data-kpi="handoff"]').click();
    await page.waitForURL(/\/workbench\/conversations\?/);
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('outcome'), 'handoff');
    const today = shanghaiToday();
    assert.equal(q.get('to'), `${new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)}T00:00:00+08:00`, 'to: midnight after the last day');
    assert.equal(q.get('from'), `${new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
    // ---- and the agent's conversations from the agent table
    await page.goBack();
    await page.waitForURL(/\/workbench\/analytics$/);
    await page.locator(`[data-agent="${me}"]`).click();
    await page.waitForURL(/\/workbench\/conversations\?/);
    const q2 = new URL(page.url()).searchParams;
    assert.equal(q2.get('agent'), me);
    assert.equal(q2.get('outcome'), 'handoff');
    assert.deepEqual(pageErrors, []);
  });
});
