/**
 * The test console and learning from traffic end to end, against the real server and the demo bank. The admin tests
 * the published demo bot in the test console: a known FAQ question is answered (with the matched entry and its
 * score in the trace), a vague one is asked back (clarify), nonsense falls back (with the reason). Test turns are
 * not collected. Then real customers (POST /api/v1/chat) ask the same unanswerable question in several wordings;
 * the learning screen shows them as one cluster with its count, and two clicks turn it into a draft entry, which
 * the knowledge API then returns. The hot-question chart shows the answers of real chats.
 * Screenshots: e2e/screenshots/console-learning-*.png (1366×768 and 1920×1080).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import type { RunningServer } from './lib/server.ts';
import { apiToken, fillSignIn, startAppServer } from './lib/app.ts';

const ADMIN_PASSWORD = 'e2e-admin-password';
const UNANSWERABLE = ['火星银行的外星人账户怎么开通', '火星银行外星人账户如何开通？', '怎么开通火星银行的外星人账户', '火星银行的外星人账户怎么开通'];

describe('test console and learning', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = '';
  let browser: Browser;
  let page: Page;
  let token = '';
  const pageErrors: string[] = [];

  const apiGet = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, path);
    return res.json();
  };
  const chat = async (text: string) => {
    const res = await fetch(`${base}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bot: 'demo', text }) });
    assert.equal(res.status, 200);
    return (await res.json()) as { replies: { type: string; entryId?: string }[] };
  };
  const toastsGone = () => page.waitForFunction(() => !document.querySelector('.ant-message-notice'), null, { timeout: 10_000 });

  before(async () => {
    server = await startAppServer({ LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    base = server.url;
    token = await apiToken(base, 'admin', ADMIN_PASSWORD);
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('test console traces answer, clarify and fallback; real unanswered traffic becomes an entry in two clicks', { timeout: 150_000 }, async () => {
    const bot = await apiGet('/api/v1/bots/demo');
    assert.ok(bot.publishedVersion >= 1);

    // ---- sign in, open the test console: the published (current) version is preselected
    await page.goto(`${base}/workbench/test-console`);
    await fillSignIn(page, 'admin', ADMIN_PASSWORD);
    await page.locator('.ant-menu-item', { hasText: '测试台' }).waitFor();
    await page.locator('[data-testid="tc-version"] .ant-select-selection-item', { hasText: `v${bot.publishedVersion}` }).waitFor();
    const input = page.getByTestId('tc-input');
    const say = async (text: string) => {
      const before = await page.getByTestId('tc-bot-turn').count();
      await input.fill(text);
      await input.press('Enter');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tc-bot-turn"]').length > n, before, { timeout: 60_000 });
    };

    // A known FAQ question: answered, the entry and its score in the trace.
    await say('借记卡丢了怎么挂失？');
    assert.equal(await page.getByTestId('tc-decision').innerText(), '直接回答');
    assert.match(await page.getByTestId('tc-reason').innerText(), /≥ 回答阈值 0\.55/);
    const hits = page.getByTestId('tc-hits');
    assert.match(await hits.locator('.tc-hit').first().innerText(), /借记卡丢了怎么挂失/);
    assert.match(await page.getByTestId('tc-trace').innerText(), /zh-debit-001/);
    const score = Number(await hits.locator('.tc-hit .ant-tag').first().innerText());
    assert.ok(score >= 0.55 && score <= 1, `score ${score}`);
    assert.match(await page.getByTestId('tc-messages').innerText(), /挂失/);
    await screenshot(page, 'console-learning-01-answer');

    // A vague one: asked back, with options.
    await say('卡丢了');
    assert.equal(await page.getByTestId('tc-decision').innerText(), '澄清');
    assert.ok((await page.locator('.tc-bot').last().locator('.tc-options .ant-btn').count()) >= 2);
    await screenshot(page, 'console-learning-02-clarify');

    // Nonsense: fallback, with the reason.
    await say('火星上的企鹅喜欢什么口味的冰淇淋');
    assert.equal(await page.getByTestId('tc-decision').innerText(), '兜底');
    assert.match(await page.getByTestId('tc-reason').innerText(), /澄清阈值 0\.15 → 兜底|没有任何候选条目/);
    await screenshot(page, 'console-learning-03-fallback');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'console-learning-03-fallback-1920');
    await page.setViewportSize({ width: 1366, height: 768 });

    // Test turns are not collected for learning.
    assert.equal((await apiGet('/api/v1/bots/demo/learning/clusters')).questionCount, 0);

    // ---- real traffic: customers ask an unanswerable question in several wordings, and a known one
    for (const q of UNANSWERABLE) assert.ok(['fallback', 'clarify'].includes((await chat(q)).replies[0].type), q);
    for (let i = 0; i < 3; i++) assert.equal((await chat('信用卡年费怎么收？')).replies[0].type, 'answer');
    for (let i = 0; i < 50; i++) {
      if ((await apiGet('/api/v1/bots/demo/learning/clusters')).questionCount >= UNANSWERABLE.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // ---- the learning screen: one cluster of 4, first
    await page.locator('.ant-menu-item', { hasText: '学习中心' }).click();
    const row = page.locator('[data-testid="learn-clusters"] tr.ant-table-row').first();
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /火星银行的外星人账户怎么开通/);
    assert.equal(await row.getByTestId('learn-count').innerText(), '4');
    await row.locator('.ant-table-row-expand-icon').click();
    await page.locator('.learn-members .ant-list-item', { hasText: '怎么开通火星银行的外星人账户' }).waitFor();
    await screenshot(page, 'console-learning-04-clusters');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'console-learning-04-clusters-1920');
    await page.setViewportSize({ width: 1366, height: 768 });

    // ---- two clicks: "new entry", then "create draft"
    await row.getByRole('button', { name: /新建条目/ }).click();
    const modal = page.locator('.ant-modal', { hasText: '由问题类新建知识条目' });
    await modal.waitFor();
    await screenshot(page, 'console-learning-05-new-entry');
    await modal.getByRole('button', { name: /创建草稿/ }).click();
    await page.locator('.ant-message-notice', { hasText: '已创建草稿条目' }).waitFor();
    await modal.waitFor({ state: 'hidden' });
    await page.locator('[data-testid="learn-clusters"]', { hasText: '暂无待学习的问题' }).waitFor();

    // The entry exists, as a draft, with the other wordings as similar questions.
    const found = await apiGet(`/api/v1/bots/demo/knowledge/entries?q=${encodeURIComponent('火星银行的外星人账户')}&status=draft`);
    assert.equal(found.items.length, 1, JSON.stringify(found));
    assert.equal(found.items[0].question, '火星银行的外星人账户怎么开通');
    assert.deepEqual([...found.items[0].similar].sort(), ['怎么开通火星银行的外星人账户', '火星银行外星人账户如何开通？'].sort());
    assert.equal((await apiGet('/api/v1/bots/demo/learning/clusters')).questionCount, 0);

    // ---- more traffic about it; this time add the wordings to the new entry, found with the picker's search
    await toastsGone();
    for (const q of ['火星外星人账户年费多少钱', '火星外星人账户的年费是多少钱']) assert.ok(['fallback', 'clarify'].includes((await chat(q)).replies[0].type), q);
    for (let i = 0; i < 50; i++) {
      if ((await apiGet('/api/v1/bots/demo/learning/clusters')).questionCount >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.getByRole('button', { name: /刷\s*新/ }).click();
    const row2 = page.locator('[data-testid="learn-clusters"] tr.ant-table-row', { hasText: '年费' }).first();
    await row2.waitFor();
    assert.equal(await row2.getByTestId('learn-count').innerText(), '2');
    await row2.getByRole('button', { name: /加入已有条目/ }).click();
    const addModal = page.locator('.ant-modal', { hasText: '加入已有条目的相似问题' });
    await addModal.waitFor();
    await addModal.getByTestId('learn-entry-picker').click();
    await page.keyboard.type('火星银行的外星人账户');
    await page.locator('.ant-select-item-option', { hasText: '火星银行的外星人账户怎么开通' }).click();
    await screenshot(page, 'console-learning-05b-add-to-entry');
    await addModal.getByRole('button', { name: /加\s*入/ }).click();
    await page.locator('.ant-message-notice', { hasText: '个相似问题' }).waitFor();
    const updated = await apiGet(`/api/v1/bots/demo/knowledge/entries/${found.items[0].externalId}`);
    assert.ok(updated.similar.includes('火星外星人账户年费多少钱') && updated.similar.includes('火星外星人账户的年费是多少钱'), JSON.stringify(updated.similar));

    // ---- hot questions from the real chats (the test console's turns are not counted)
    await toastsGone();
    await page.getByRole('tab', { name: /热门问题/ }).click();
    const table = page.getByTestId('learn-hot-table');
    await table.waitFor();
    const first = table.locator('tr.ant-table-row').first();
    assert.match(await first.innerText(), /信用卡年费/);
    assert.match(await first.innerText(), /\b3\b/);
    await page.getByTestId('learn-hot-chart').locator('canvas').waitFor();
    await page.getByTestId('learn-hot-menu').waitFor();
    await screenshot(page, 'console-learning-06-hot');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'console-learning-06-hot-1920');
    assert.deepEqual(pageErrors, []);
  });
});
