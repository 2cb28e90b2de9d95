/**
 * The human service end to end, in two real browsers against the real server: a customer in the web widget asks
 * for a person; the demo agent (agent1, 客服小王) signed in to the workbench sees them waiting and accepts; they
 * write to each other; the agent inserts an assist suggestion, edits and sends it; creates a work order from the
 * conversation (a bad card number is refused under its field); wraps up and closes; the customer rates the service.
 * Screenshots of the workbench at each step (Chinese) and one in English go to e2e/screenshots/workbench-*.png.
 *
 * LINGXI_E2E_URL=http://host:port runs against an already running server instead of starting one (its demo agent
 * password must then be in LINGXI_DEMO_AGENT_PASSWORD).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import type { RunningServer } from './lib/server.ts';
import { startAppServer, fillSignIn } from './lib/app.ts';

const AGENT_PASSWORD = process.env.LINGXI_DEMO_AGENT_PASSWORD ?? 'agent-e2e-password';

/** A card number with a valid check digit (ISO/IEC 7812 Luhn), so the work-order form accepts it. */
function luhnCard(prefix: string): string {
  for (let d = 0; d <= 9; d++) {
    const s = prefix + d;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let x = Number(s[s.length - 1 - i]);
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

describe('agent workbench', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = process.env.LINGXI_E2E_URL ?? '';
  let browser: Browser;
  let agent: Page;
  let customer: Page;
  const pageErrors: string[] = [];

  before(async () => {
    if (!base) {
      // The server reads the widget bundle at start and serves the web app from its dist: build both first.
      server = await startAppServer({ LINGXI_DEMO_AGENT_PASSWORD: AGENT_PASSWORD, LINGXI_ADMIN_PASSWORD: 'e2e-admin-password' });
      base = server.url;
    }
    browser = await launchBrowser();
    agent = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    customer = await newPage(browser, { viewport: { width: 1000, height: 760 } });
    agent.on('pageerror', (e) => pageErrors.push(`agent: ${e}`));
    // Counts the workbench's beeps (WebAudio oscillators): the new-chat alert has no sound file to watch for.
    await agent.addInitScript(() => {
      const AC = window.AudioContext;
      const create = AC.prototype.createOscillator;
      AC.prototype.createOscillator = function (this: AudioContext) {
        (window as unknown as { __beeps: number }).__beeps = ((window as unknown as { __beeps?: number }).__beeps ?? 0) + 1;
        return create.call(this);
      };
    });
    customer.on('pageerror', (e) => pageErrors.push(`customer: ${e}`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // The widget's shadow root is open: locators pierce it.
  const ask = async (text: string) => {
    const box = customer.getByRole('textbox', { name: '输入您的问题' });
    await box.fill(text);
    await box.press('Enter');
  };
  const transcript = () => agent.getByTestId('transcript');
  const shot = (name: string) => screenshot(agent, `workbench-${name}`);
  const shot2 = (p: Page, name: string) => screenshot(p, `workbench-${name}`);
  /** Toasts fade after 3 s; screenshots of a state wait for them to go. */
  const toastsGone = (p: Page = agent) => p.waitForFunction(() => !document.querySelector('.ant-message-notice, .ant-notification-notice'), null, { timeout: 10_000 });

  test('customer asks for a person, the agent accepts, they talk, assist helps, wrap-up, close, rating', { timeout: 240_000 }, async () => {
    // ---- the agent signs in and goes busy, so the customer waits in the queue for them to pick
    await agent.goto(`${base}/workbench/`);
    await fillSignIn(agent, 'agent1', AGENT_PASSWORD);
    await agent.locator('.conn-status[data-status="open"]').waitFor({ timeout: 20_000 });
    await agent.locator('.app-user', { hasText: '客服小王' }).waitFor();
    await agent.locator('.wb-me .ant-segmented-item', { hasText: '忙碌' }).click();
    await agent.locator('.wb-me .ant-segmented-item-selected', { hasText: '忙碌' }).waitFor();
    await shot('01-signed-in');

    // ---- the customer asks for a person in the widget
    await customer.goto(`${base}/`);
    await customer.locator('.row.bot .bubble').first().waitFor();
    await ask('转人工');
    await customer.locator('.queue:not([hidden])').waitFor({ timeout: 20_000 });

    // ---- the agent sees them waiting (live: the socket's queue figures) and accepts
    await agent.getByTestId('queue-tab').click();
    const waiting = agent.locator('.conv-item.queue').last();
    await waiting.waitFor({ timeout: 20_000 });
    await agent.waitForFunction(() => ((window as unknown as { __beeps?: number }).__beeps ?? 0) > 0, null, { timeout: 5000 });
    assert.match(await waiting.innerText(), /转接人工|转人工/);
    await shot('02-queue');
    await waiting.getByRole('button', { name: /接\s*入/ }).click();
    await agent.getByTestId('conversation-pane').waitFor();
    // The robot's part is there, styled as the robot's, with the customer's request.
    await transcript().locator('.msg-customer', { hasText: '转人工' }).waitFor();
    assert.ok((await transcript().locator('.msg-bot').count()) >= 1, "the robot's replies are in the transcript");
    await customer.locator('.sub', { hasText: '客服小王' }).waitFor({ timeout: 15_000 });

    // ---- they write to each other
    const hello = '您好，我是客服小王，请问有什么可以帮您？';
    await agent.getByTestId('reply-input').fill(hello);
    await agent.getByTestId('reply-input').press('Enter');
    await customer.locator('.row.bot', { hasText: hello }).waitFor({ timeout: 15_000 });
    assert.match(await customer.locator('.row.bot', { hasText: hello }).innerText(), /客服小王/, "the reply carries the agent's display name");
    await transcript().locator('.msg-agent', { hasText: hello }).waitFor();

    // ---- while the agent reads work orders, the customer writes: the title and the menu count it
    await agent.locator('.ant-menu-item', { hasText: '工单列表' }).click();
    await agent.locator('.table-card').waitFor();
    const question = '信用卡年费怎么收？';
    await ask(question);
    await agent.waitForFunction(() => document.title.startsWith('(1) 新消息'), null, { timeout: 15_000 });
    await agent.locator('.ant-menu-item', { hasText: '坐席工作台' }).locator('.ant-badge-count').waitFor();
    await agent.locator('.ant-menu-item', { hasText: '坐席工作台' }).click();
    await transcript().locator('.msg-customer', { hasText: question }).waitFor({ timeout: 15_000 });
    await agent.waitForFunction(() => !document.title.startsWith('('), null, { timeout: 5000 });

    // ---- assist: suggestions for the customer's last message; one click inserts, the agent edits and sends
    const suggestion = agent.getByTestId('assist-answer').first();
    await suggestion.waitFor({ timeout: 20_000 });
    await agent.locator('.assist-for-text', { hasText: question }).waitFor();
    await shot('03-assist');
    await suggestion.getByTestId('assist-insert').click();
    const box = agent.getByTestId('reply-input');
    const inserted = await box.inputValue();
    assert.ok(inserted.trim().length > 10, `an answer was inserted into the reply box, got: ${inserted}`);
    const edited = `${inserted.trim()}\n还有其他可以帮您的吗？`;
    await box.fill(edited);
    await agent.getByTestId('send').click();
    const firstLine = inserted.trim().split('\n')[0].slice(0, 20);
    await customer.locator('.row.bot', { hasText: firstLine }).last().waitFor({ timeout: 15_000 });
    await customer.locator('.row.bot', { hasText: '还有其他可以帮您的吗' }).waitFor();
    assert.equal(await box.inputValue(), '', 'the box is empty after sending');

    // ---- the same screen in English
    await agent.locator('.app-header .ant-segmented-item', { hasText: 'EN' }).click();
    await agent.getByRole('tab', { name: 'Assist' }).waitFor();
    await agent.getByTestId('send').filter({ hasText: 'Send' }).waitFor();
    await toastsGone();
    await shot('04-assist-en');
    await agent.locator('.app-header .ant-segmented-item', { hasText: '中文' }).click();
    await agent.getByRole('tab', { name: '坐席辅助' }).waitFor();

    // ---- a work order from the conversation: custom fields from the type, a bad card number refused under its field
    await agent.getByRole('button', { name: /创建工单/ }).click();
    const modal = agent.locator('.ant-modal', { hasText: '创建工单' });
    await modal.waitFor();
    await modal.getByLabel('类型').click();
    await agent.locator('.ant-select-item-option[title="投诉"]').click();
    await modal.getByLabel('投诉类别').waitFor();
    await modal.getByLabel('投诉类别').click();
    await agent.locator('.ant-select-item-option[title="收费争议"]').click();
    await modal.getByLabel('涉及卡号').fill('6222 1234');
    await modal.getByRole('button', { name: /提\s*交/ }).click();
    await modal.locator('.ant-form-item-explain-error', { hasText: '卡号无效' }).waitFor({ timeout: 10_000 });
    await shot('05-work-order-field-error');
    await modal.getByLabel('涉及卡号').fill(luhnCard('622202100012345'));
    await modal.getByRole('button', { name: /提\s*交/ }).click();
    await agent.locator('.ant-message', { hasText: /工单 WO-\d{8}-\d+ 已创建/ }).waitFor({ timeout: 10_000 });
    await modal.waitFor({ state: 'hidden' });

    // ---- wrap-up (通话小结) and close in one step
    await agent.getByTestId('wrapup').click();
    const wrap = agent.locator('.ant-modal', { hasText: '通话小结' });
    await wrap.waitFor();
    await wrap.getByLabel('服务分类').click();
    await agent.locator('.ant-select-item-option[title="业务咨询"]').click();
    await wrap.getByLabel('小结内容').fill('客户咨询信用卡年费，已按知识库答复，并登记收费争议投诉工单。');
    assert.ok(await wrap.getByRole('checkbox', { name: '保存并结束会话' }).isChecked());
    await wrap.getByRole('button', { name: /提\s*交/ }).click();
    await wrap.waitFor({ state: 'hidden' });
    await transcript().locator('.msg-system', { hasText: '业务咨询' }).waitFor({ timeout: 10_000 });
    await transcript().locator('.msg-system', { hasText: '会话已结束' }).waitFor({ timeout: 10_000 });
    await agent.locator('.wb-center .ant-alert', { hasText: '只读' }).waitFor();
    assert.equal(await agent.getByTestId('reply-input').isDisabled(), true, 'a closed conversation cannot be written to');
    await toastsGone();
    await shot('06-closed');

    // ---- the customer rates the service in the widget
    const card = customer.locator('form.rate:not(.done)');
    await card.waitFor({ timeout: 15_000 });
    await card.locator('label').nth(4).click();
    await card.locator('textarea').fill('客服很耐心，谢谢！');
    await card.getByRole('button').click();
    await customer.locator('.rate.done').waitFor({ timeout: 10_000 });
    await screenshot(customer, 'workbench-07-customer-rated');

    assert.deepEqual(pageErrors, [], 'no script errors in either page');
  });

  test('a supervisor sees queues and agents live; the work order moves only along its workflow', { timeout: 120_000 }, async () => {
    const sup = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    sup.on('pageerror', (e) => pageErrors.push(`supervisor: ${e}`));
    try {
      await sup.goto(`${base}/workbench/supervisor`);
      await fillSignIn(sup, 'admin', 'e2e-admin-password');
      // The demo bank's five skill groups, each with its figures, and the demo agent with state and load.
      await sup.locator('.queue-tile').nth(4).waitFor({ timeout: 15_000 });
      assert.match(await sup.locator('.queue-grid').innerText(), /信用卡[\s\S]*综合/);
      await sup.locator('.sup-card tr', { hasText: '客服小王' }).waitFor();
      await shot2(sup, '08-supervisor');

      await sup.locator('.ant-menu-item', { hasText: '工单列表' }).click();
      const row = sup.locator('.clickable-row', { hasText: '信用卡年费怎么收' }).first();
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      await sup.getByTestId('wo-detail').waitFor();
      const moves = async () => (await sup.locator('[data-transition]').evaluateAll((els) => els.map((e) => e.getAttribute('data-transition')))).sort();
      assert.deepEqual(await moves(), ['in_progress', 'pending_customer', 'resolved']);
      await sup.locator('[data-transition="in_progress"]').click();
      await sup.locator('.wo-head [data-status="in_progress"]').waitFor();
      assert.deepEqual(await moves(), ['pending_customer', 'resolved']);
      await sup.getByPlaceholder('添加备注或回复…').fill('已联系客户，核实年费收取情况。');
      await sup.getByRole('button', { name: /添\s*加/ }).click();
      await sup.locator('.comment-body', { hasText: '已联系客户' }).waitFor();
      await toastsGone(sup);
      await shot2(sup, '09-work-order');
      assert.deepEqual(pageErrors, []);
    } finally {
      await sup.context().close();
    }
  });
});

