/**
 * Conversation search and contact merge in the console, against the real server: conversations are created through
 * the real chat API (one with a distinctive word, one handed off where the customer types a phone number) and the
 * real SMS channel (two customers known by their phones, which become contacts). The admin searches by the word,
 * opens a transcript (phone masked), shows personal data (clear, audited), follows an outcome=handoff link, and
 * merges the two SMS customers through the UI. Screenshots: e2e/screenshots/console-conversations-*.png.
 */
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import type { RunningServer } from './lib/server.ts';
import { startAppServer, fillSignIn } from './lib/app.ts';

const ADMIN_PASSWORD = 'e2e-admin-password';
const INBOUND_SECRET = 'sms-inbound-secret-1';
const WORD = 'zebrafox';
const PHONE = '13812345678';
const PHONE_MASKED = '138****5678';
const SMS_A = '13600001111';
const SMS_B = '13700002222';

type Hit = { conversationId: string; outcome: string; handoff: boolean; customer: { id: string } | null };

describe('conversation search console', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = '';
  let browser: Browser;
  let page: Page;
  let token = '';
  let adminId = '';
  const conv = { word: '', handoff: '', smsA: '', smsB: '' };
  const pageErrors: string[] = [];

  const apiGet = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json();
  };
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.ok(res.status < 300, `${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const chat = (body: Record<string, unknown>) => post('/api/v1/chat', body) as Promise<{ sessionId: string; replies: { type: string }[] }>;
  const search = async (qs: string) => (await apiGet(`/api/v1/conversations/search?${qs}`)) as { items: Hit[]; total: number };
  /** The index is written by a listener just after each turn: wait until a search sees what it should. */
  const until = async <T>(what: string, fn: () => Promise<T | undefined | false>) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const rows = () => page.getByTestId('conv-row');

  before(async () => {
    server = await startAppServer({ LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    base = server.url;
    token = (await post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD, tenant: 'demo' })).token;
    adminId = (await apiGet('/api/v1/auth/me')).userId;

    // Web chat: a question with a distinctive word; a hand-off where the customer then gives a phone number.
    const a = await chat({ bot: 'demo', text: `信用卡丢了怎么挂失 ${WORD}`, channel: 'web' });
    conv.word = a.sessionId;
    const h = await chat({ bot: 'demo', text: '转人工', channel: 'web' });
    conv.handoff = h.sessionId;
    assert.equal(h.replies.at(-1)!.type, 'handoff');
    await chat({ bot: 'demo', sessionId: conv.handoff, text: `我的手机号是${PHONE}，请回电`, channel: 'web' });

    // SMS: two customers, each becomes a contact known by their phone.
    const bots = (await apiGet('/api/v1/bots')).items as { id: string; slug: string }[];
    const botId = bots.find((b) => b.slug === 'demo')!.id;
    const res = await fetch(`${base}/api/v1/channels`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ botId, type: 'sms', name: '短信', public: {}, secrets: { inboundSecret: INBOUND_SECRET } }),
    });
    const created = await res.text();
    assert.equal(res.status, 201, created);
    const channelId = JSON.parse(created).id;
    let n = 0;
    const sms = async (from: string, text: string) => {
      const body = JSON.stringify({ mobile: from, content: text, msgId: `e2e-${++n}` });
      const r = await fetch(`${base}/api/v1/channels/${channelId}/sms`, {
        method: 'POST', body, headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', INBOUND_SECRET).update(body).digest('hex') },
      });
      const answer = await r.text();
      assert.equal(r.status, 200, answer);
    };
    await sms(SMS_A, '信用卡年费怎么收');
    await sms(SMS_B, '信用卡年费是多少');
    conv.smsA = (await until('SMS A indexed', async () => (await search(`customer=${SMS_A}`)).items[0]?.conversationId))!;
    conv.smsB = (await until('SMS B indexed', async () => (await search(`customer=${SMS_B}`)).items[0]?.conversationId))!;
    await until('web conversations indexed', async () => (await search(`q=${WORD}`)).total === 1 && (await search('outcome=handoff')).total >= 1);

    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${base}/workbench/conversations`);
    await fillSignIn(page, 'admin', ADMIN_PASSWORD);
    await rows().first().waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('search by a distinctive word finds exactly that conversation; the filter is kept in the URL', async () => {
    await page.getByTestId('conv-q').fill(WORD);
    await page.getByTestId('conv-q').press('Enter');
    await page.waitForURL(new RegExp(`/conversations\\?q=${WORD}`), { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="conv-row"]').length === 1, undefined, { timeout: 30_000 });
    await assert.doesNotReject(rows().filter({ hasText: WORD }).waitFor());
    assert.equal(await rows().count(), 1);
    assert.match(await page.locator('.ant-pagination-total-text').innerText(), /共 1 个会话/);
    await screenshot(page, 'console-conversations-search-1366');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'console-conversations-search-1920');
    await page.setViewportSize({ width: 1366, height: 768 });
    // No horizontal overflow of the page at 1366.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  });

  test('outcome=handoff from a link: only handed-off conversations; transcript masked, then shown in clear and audited', async () => {
    await page.goto(`${base}/workbench/conversations?outcome=handoff`);
    await rows().first().waitFor();
    const api = await search('outcome=handoff');
    assert.ok(api.items.every((h) => h.handoff));
    assert.equal(await rows().count(), Math.min(api.total, 20));
    for (const tag of await page.getByTestId('conv-outcome-tag').allInnerTexts()) assert.match(tag, /转人工/);
    await rows().filter({ hasText: '转人工' }).first().click();
    const drawer = page.getByTestId('conv-transcript');
    await drawer.waitFor();
    await drawer.getByText(PHONE_MASKED).waitFor();
    assert.equal(await drawer.getByText(PHONE).count(), 0);
    await drawer.getByTestId('conv-ev-decision').first().waitFor();
    await drawer.getByText(/转人工（原因/).waitFor();
    await page.waitForTimeout(400); // the drawer's slide-in
    await screenshot(page, 'console-conversations-transcript-1366');

    const before = (await apiGet('/api/v1/audit-log?action=conversation.view_unmasked')).items.filter((a: { target: string }) => a.target === conv.handoff).length;
    await page.getByTestId('conv-unmask').click();
    await page.getByTestId('conv-pii-notice').waitFor();
    await drawer.getByText(PHONE, { exact: false }).first().waitFor();
    const audit = (await apiGet('/api/v1/audit-log?action=conversation.view_unmasked')).items.filter((a: { target: string; actor: string }) => a.target === conv.handoff);
    assert.equal(audit.length, before + 1);
    assert.equal(audit[0].actor, `user:${adminId}`);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'console-conversations-transcript-1920');
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.keyboard.press('Escape');
  });

  test('merge two contacts through the UI; the API shows one contact with both phones and both conversations', async () => {
    // The customer filter takes a phone however written; the list and the transcript show it masked.
    await page.goto(`${base}/workbench/conversations?customer=${encodeURIComponent('+86 136-0000-1111')}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="conv-row"]').length === 1);
    assert.match(await page.getByTestId('conv-customer-cell').innerText(), /136\*\*\*\*1111/);
    assert.doesNotMatch(await page.locator('.table-card').innerText(), new RegExp(SMS_A));
    await rows().first().click();
    await page.getByTestId('conv-customer-info').getByText('136****1111', { exact: false }).waitFor();
    await page.waitForTimeout(400);
    await screenshot(page, 'console-conversations-customer-1366');
    // From the transcript's customer: that contact is picked; find the other by phone and pick it.
    await page.getByTestId('conv-merge-from-transcript').click();
    await page.getByTestId('conv-merge-picked').getByText(/已选择 1 \/ 2/).waitFor();
    const box = page.getByTestId('conv-merge-search');
    await box.fill(SMS_B);
    await box.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="conv-merge-pick"]').length === 1);
    await page.getByTestId('conv-merge-pick').click();
    await page.getByTestId('conv-merge-preview').click();
    const result = page.getByTestId('conv-merge-result');
    await result.waitFor();
    assert.equal(await page.getByTestId('conv-merge-count').innerText(), '2');
    assert.match(await result.innerText(), /136\*\*\*\*1111/);
    assert.match(await result.innerText(), /137\*\*\*\*2222/);
    await page.waitForTimeout(300);
    await screenshot(page, 'console-conversations-merge-1366');
    await page.getByTestId('conv-merge-confirm').click();
    await page.getByText('联系人已合并').waitFor();
    await page.keyboard.press('Escape');

    const a = (await search(`customer=${SMS_A}`)).items;
    assert.deepEqual(a.map((h) => h.conversationId).sort(), [conv.smsA, conv.smsB].sort());
    const survivor = a[0].customer!.id;
    const contact = await apiGet(`/api/v1/contacts/${survivor}`);
    assert.equal(contact.mergedInto, null);
    assert.equal(contact.identities.filter((i: { kind: string }) => i.kind === 'phone').length, 2);
    const merges = (await apiGet('/api/v1/audit-log?action=contact.merge')).items;
    assert.equal(merges[0].target, survivor);
    assert.deepEqual(pageErrors, []);
  });
});
