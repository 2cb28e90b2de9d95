/**
 * The visual flow editor end to end, in a real browser against the real server: the administrator opens a shipped
 * flow and sees its steps drawn as nodes with their connections; creates a new flow on the canvas (say → ask for an
 * amount → say with the amount → end) from the palette, wiring it by dragging handles and with the side panel; sees
 * the validator's complaint on the canvas for the step left unconnected and fixes it; saves; checks through the API
 * that the stored JSON is exactly the document the engine runs; and plays it in the dry-run chat.
 * Screenshots: e2e/screenshots/console-flows-*.png (1366×768 and 1920×1080).
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import { repoRoot, type RunningServer } from './lib/server.ts';
import { startAppServer, fillSignIn } from './lib/app.ts';

const ADMIN_PASSWORD = process.env.LINGXI_ADMIN_PASSWORD ?? 'e2e-admin-password';

type StepJson = { type: string; options?: unknown[]; onFail?: string };
const cardLoss = JSON.parse(readFileSync(`${repoRoot}/packages/server/src/modules/flows/shipped/card-loss.flow.json`, 'utf8')) as { steps: Record<string, StepJson> };
const outgoing = (s: StepJson) =>
  s.type === 'say' || s.type === 'set' ? 1
    : s.type === 'choice' ? (s.options?.length ?? 0) + (s.onFail ? 1 : 0)
      : s.type === 'transfer' || s.type === 'end' ? 0 : 2;

describe('console: flow editor', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = process.env.LINGXI_E2E_URL ?? '';
  let browser: Browser;
  let page: Page;
  let wide: Page | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    if (!base) {
      server = await startAppServer({ LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD });
      base = server.url;
    }
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    if (page) await screenshot(page, 'console-flows-last').catch(() => undefined);
    if (wide) await screenshot(wide, 'console-flows-last-wide').catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  /** The REST API with the page's own session. */
  const apiGet = (path: string) => page.evaluate(async (p) => {
    const s = JSON.parse(sessionStorage.getItem('lingxi.session') ?? '{}') as { token?: string };
    const res = await fetch(p, { headers: { authorization: `Bearer ${s.token}` } });
    return { status: res.status, body: await res.json() as unknown };
  }, path);
  const node = (id: string) => page.getByTestId(`flow-node-${id}`);
  /** A real drag on the canvas: from an output handle of one node to the input handle of another. */
  const dragConnect = async (from: string, handle: string, to: string) => {
    const a = await node(from).locator(`.react-flow__handle[data-handleid="${handle}"]`).boundingBox();
    const b = await node(to).locator('.react-flow__handle[data-handleid="in"]').boundingBox();
    assert.ok(a && b, `handles of ${from} and ${to} are on screen`);
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + 40, a.y + 10, { steps: 4 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
    await page.mouse.up();
  };
  const pick = async (select: Locator, option: string) => {
    await select.click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: new RegExp(`^${option}$`) }).first().click();
  };
  /** Fits the flow into the canvas (the Controls' button), once the new nodes have been measured. */
  const fit = async () => {
    await page.waitForTimeout(300);
    await page.locator('.react-flow__controls-fitview').click();
    await page.waitForTimeout(400);
  };

  test('open a shipped flow; build, validate, save and dry-run a new one', { timeout: 150_000 }, async () => {
    await page.goto(`${base}/workbench/flows`);
    await fillSignIn(page, 'admin', ADMIN_PASSWORD);

    // ---- the list: the shipped flows of the demo bot
    await page.getByTestId('flow-open-card-loss').waitFor({ timeout: 20_000 });
    const row = page.locator('tr', { has: page.getByTestId('flow-open-card-loss') });
    assert.match(await row.innerText(), new RegExp(`银行卡挂失[\\s\\S]*\\b12\\b[\\s\\S]*\\b${Object.keys(cardLoss.steps).length}\\b`));
    await screenshot(page, 'console-flows-01-list');

    // ---- a shipped flow drawn: one node per step, one edge per connection, valid
    await page.getByTestId('flow-open-card-loss').click();
    await node('intro').waitFor();
    assert.equal(await page.locator('.react-flow__node').count(), Object.keys(cardLoss.steps).length);
    const edges = Object.values(cardLoss.steps).reduce((n, s) => n + outgoing(s), 0);
    assert.equal(await page.locator('.react-flow__edge').count(), edges);
    assert.equal(await node('askType').getAttribute('data-step-type'), 'ask');
    await page.getByTestId('flow-status').filter({ hasText: '校验通过' }).waitFor();
    await node('askType').click();
    assert.equal(await page.getByTestId('flow-step-id').inputValue(), 'askType');
    assert.equal(await page.getByTestId('flow-ask-slot').inputValue(), 'cardType');
    assert.equal(await page.getByTestId('flow-ask-maxtries').inputValue(), '3');
    await page.waitForTimeout(400); // the tab's ink bar slides over
    await screenshot(page, 'console-flows-02-shipped-1366');
    wide = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
    await wide.addInitScript((s) => sessionStorage.setItem('lingxi.session', s), await page.evaluate(() => sessionStorage.getItem('lingxi.session') ?? ''));
    await wide.goto(page.url());
    await wide.getByTestId('flow-node-intro').waitFor();
    await wide.getByTestId('flow-status').waitFor();
    await screenshot(wide, 'console-flows-02-shipped-1920');

    // ---- a new flow
    await page.getByRole('button', { name: '返回流程列表' }).click();
    await page.getByTestId('flow-new').click();
    await page.getByTestId('flow-new-id').fill('e2e-amount');
    await page.getByTestId('flow-new-name').fill('转账金额登记');
    await page.getByRole('button', { name: '创建并编辑' }).click();
    await node('end1').waitFor();
    await page.getByTestId('flow-phrases').locator('input').fill('我要登记转账金额');
    await page.keyboard.press('Enter');

    // Steps from the palette; each opens in the side panel.
    await page.getByTestId('flow-add-say').click();
    await page.getByTestId('flow-say-text-zh').fill('好的，我来帮您登记转账金额。');
    await page.getByRole('button', { name: /设为起始/ }).click();
    await page.getByTestId('flow-add-ask').click();
    await page.getByTestId('flow-ask-slot').fill('amount');
    await pick(page.getByTestId('flow-ask-entity'), '金额');
    await page.getByTestId('flow-ask-prompt-zh').fill('请问您要转账多少钱？');
    await page.getByTestId('flow-ask-reprompt-zh').fill('请输入 1 到 50000 之间的金额：');
    await page.getByTestId('flow-ask-min').fill('1');
    await page.getByTestId('flow-ask-max').fill('50000');
    await page.getByTestId('flow-ask-maxtries').fill('2');
    await pick(page.getByTestId('flow-target-onFail'), 'end1'); // connected with the panel
    await screenshot(page, 'console-flows-03a-ask-panel');
    await page.getByTestId('flow-add-say').click();
    await page.getByTestId('flow-say-text-zh').fill('已为您登记转账金额 {amount|money} 元。');
    // A step added by mistake goes with the Delete key.
    await page.getByTestId('flow-add-transfer').click();
    await node('transfer1').waitFor();
    await page.keyboard.press('Delete');
    await node('transfer1').waitFor({ state: 'detached' });
    await fit();

    // Connections by dragging handles on the canvas.
    await dragConnect('say1', 'next', 'ask1');
    await page.locator('.react-flow__edge[data-id="say1:next"], [data-testid="rf__edge-say1:next"]').first().waitFor();
    await dragConnect('ask1', 'next', 'say2');
    await page.locator('[data-testid="rf__edge-ask1:next"]').waitFor();

    // say2 still leads nowhere: the validator says so on its node (and nothing else is wrong).
    await page.getByTestId('flow-status').filter({ hasText: '1 个问题' }).waitFor({ timeout: 10_000 });
    const badge = page.getByTestId('flow-node-problems-say2');
    await badge.waitFor();
    assert.match(await node('say2').getAttribute('class') ?? await node('say2').evaluate((e) => e.className), /has-problems/);
    await page.getByTestId('flow-tab-problems').click();
    const problem = page.getByTestId('flow-problem').filter({ hasText: 'say2' }).first();
    assert.match(await problem.innerText(), /“下一步”未连接（next）/);
    await screenshot(page, 'console-flows-03-problem');
    await problem.click(); // selects the step
    assert.equal(await page.getByTestId('flow-step-id').inputValue(), 'say2');

    // Fix: connect say2 → end1 by dragging; the badge goes and the flow is valid.
    await fit(); // the problem's click centred its step with a short animation
    await dragConnect('say2', 'next', 'end1');
    await badge.waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('flow-status').filter({ hasText: '校验通过' }).waitFor({ timeout: 10_000 });
    await node('end1').click();
    await page.getByTestId('flow-end-text-zh').fill('感谢您的使用，再见。');
    await page.getByTestId('flow-status').filter({ hasText: '校验通过' }).waitFor({ timeout: 10_000 });

    // ---- save, and the stored JSON is the document the engine runs
    await page.getByTestId('flow-save').click();
    await page.locator('.ant-message-notice', { hasText: '已保存' }).waitFor();
    const saved = await apiGet('/api/v1/bots/demo/flows/e2e-amount');
    assert.equal(saved.status, 200);
    const def = (saved.body as { definition: Record<string, unknown>; version: number }).definition;
    assert.deepEqual(def, {
      id: 'e2e-amount',
      version: 1,
      name: '转账金额登记',
      triggers: { phrases: ['我要登记转账金额'] },
      slots: { amount: { entity: 'money' } },
      start: 'say1',
      steps: {
        end1: { type: 'end', text: '感谢您的使用，再见。' },
        say1: { type: 'say', text: '好的，我来帮您登记转账金额。', next: 'ask1' },
        ask1: {
          type: 'ask', slot: 'amount', entity: 'money', prompt: '请问您要转账多少钱？', reprompt: '请输入 1 到 50000 之间的金额：',
          maxTries: 2, validate: { min: 1, max: 50000 }, reuse: false, next: 'say2', onFail: 'end1',
        },
        say2: { type: 'say', text: '已为您登记转账金额 {amount|money} 元。', next: 'end1' },
      },
    });
    assert.equal(await page.getByTestId('flow-save').isDisabled(), true, 'nothing left unsaved');
    // The layout is the editor's, not the flow's: rearranging leaves nothing to save.
    const before = await node('say2').boundingBox();
    await page.getByTestId('flow-relayout').click();
    await page.mouse.move(600, 600);
    await page.waitForTimeout(400);
    assert.notDeepEqual(await node('say2').boundingBox(), before);
    assert.equal(await page.getByTestId('flow-save').isDisabled(), true, 'a new layout is no change to the flow');
    await screenshot(page, 'console-flows-04-saved');

    // ---- dry run in the chat beside the canvas
    await page.getByRole('tab', { name: '试运行' }).click();
    const input = page.getByTestId('flow-run-input');
    await input.fill('我要登记转账金额');
    await input.press('Enter');
    await page.getByTestId('flow-run-reply').filter({ hasText: '请问您要转账多少钱？' }).waitFor();
    assert.match(await node('ask1').getAttribute('class') ?? '', /run-current/);
    await input.fill('十万块');
    await input.press('Enter');
    await page.getByTestId('flow-run-reply').filter({ hasText: '请输入 1 到 50000 之间的金额' }).waitFor();
    await input.fill('转 500 元');
    await input.press('Enter');
    await page.getByTestId('flow-run-reply').filter({ hasText: '已为您登记转账金额 500.00 元。' }).waitFor();
    await page.getByTestId('flow-run-outcome').filter({ hasText: '已结束' }).waitFor();
    assert.match(await page.getByTestId('flow-run-vars').innerText(), /amount\s*500/);
    assert.match(await node('end1').getAttribute('class') ?? '', /run-current/);
    assert.match(await node('say2').getAttribute('class') ?? '', /run-visited/);
    await screenshot(page, 'console-flows-05-dry-run-1366');
    // In-app navigation (the app's router follows popstate): no reload of the bundle.
    await wide.evaluate(() => {
      history.pushState(null, '', '/workbench/flows/demo/e2e-amount');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await wide.getByTestId('flow-node-say2').waitFor({ timeout: 30_000 });
    await wide.getByRole('tab', { name: '试运行' }).click();
    await wide.getByTestId('flow-run-input').fill('我要登记转账金额');
    await wide.getByTestId('flow-run-input').press('Enter');
    await wide.getByTestId('flow-run-reply').filter({ hasText: '请问您要转账多少钱？' }).waitFor();
    await screenshot(wide, 'console-flows-05-dry-run-1920');

    // ---- the list shows it (also in English); deleting asks first
    await page.getByRole('button', { name: '返回流程列表' }).click();
    await page.getByTestId('flow-open-e2e-amount').waitFor();
    await page.locator('.ant-segmented-item', { hasText: 'EN' }).click();
    await page.getByRole('button', { name: 'New flow' }).waitFor();
    await screenshot(page, 'console-flows-06-list-en');
    await page.getByTestId('flow-open-card-loss').click();
    await node('intro').waitFor();
    await node('askType').click();
    await page.getByTestId('flow-step-panel').getByText('Connections').waitFor();
    await screenshot(page, 'console-flows-07-editor-en');
    await page.getByRole('button', { name: 'Back to the flows' }).click();
    await page.locator('.ant-segmented-item', { hasText: '中文' }).click();
    await page.getByTestId('flow-open-e2e-amount').waitFor();
    await page.getByTestId('flow-delete-e2e-amount').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /删\s*除/ }).click();
    await page.getByTestId('flow-open-e2e-amount').waitFor({ state: 'detached' });
    assert.equal((await apiGet('/api/v1/bots/demo/flows/e2e-amount')).status, 404);

    assert.deepEqual(pageErrors, [], 'no script errors');
  });
});
