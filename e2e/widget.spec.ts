/**
 * The web widget in a real browser against the real server (started as a child process): the customer's path
 * through the demo page — ask, get a clarifying question, click an option, read the answer — plus the promises
 * the widget makes: text stays text, a dropped connection loses and duplicates nothing, a reload keeps the
 * conversation, and a phone gets a usable full-screen chat.
 *
 * LINGXI_E2E_URL=http://host:port runs against an already running server instead of starting one.
 */
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import { repoRoot, startServer, type RunningServer } from './lib/server.ts';

const opts = browserTestOptions();

describe('web widget', opts, () => {
  let server: RunningServer | undefined;
  let base = process.env.LINGXI_E2E_URL ?? '';
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    // The server reads the bundle when it starts: build it first so the test never runs a stale widget.
    const built = spawnSync(process.execPath, ['scripts/build-widget.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    if (!base) {
      server = await startServer();
      base = server.url;
    }
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${base}/`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // Locators pierce the widget's open shadow root.
  const bubbles = (who: 'me' | 'bot') => page.locator(`.row.${who} .bubble`);

  /**
   * Loads `html` as a page of the server's own origin. (A page faked with route.fulfill would count as a public
   * address, and Chromium's Local Network Access checks then block its WebSocket to 127.0.0.1.)
   */
  async function hostPage(p: Page, html: string) {
    await p.goto(`${base}/healthz`);
    await p.setContent(html);
  }

  async function ask(text: string, p: Page = page) {
    const box = p.getByRole('textbox', { name: '输入您的问题' });
    await box.fill(text);
    await box.press('Enter');
  }

  async function waitForBotRows(p: Page, n: number, timeout = 20_000) {
    await p.waitForFunction(
      (min) => (document.querySelector('#lingxi-widget')?.shadowRoot?.querySelectorAll('.row.bot').length ?? 0) >= min,
      n,
      { timeout },
    );
  }

  /**
   * Asks lost-card questions until the bot answers with a clarifying question; returns its live option buttons.
   * "卡丢了" is the canonical ambiguity (debit or credit card?), but whether a given phrasing clarifies or answers is
   * the matcher's call and its thresholds move with the NLU work, so a few phrasings of the same need are tried.
   * The test still fails if none of them clarifies.
   */
  async function askUntilClarified(p: Page) {
    for (const q of CLARIFY_QUESTIONS) {
      const n = await p.locator('.row.bot').count();
      await ask(q, p);
      await waitForBotRows(p, n + 1);
      await p.locator('.typing').waitFor({ state: 'hidden' });
      const live = p.locator('.row.bot').last().locator('.opt:not([disabled])');
      if ((await live.count()) >= 2) return live;
    }
    assert.fail(`none of ${CLARIFY_QUESTIONS.join(' / ')} got a clarifying question from the demo bot`);
  }

  test('the demo page shows the inline widget with the bot greeting', async () => {
    await assert.doesNotReject(page.locator('#chat .panel').waitFor());
    await bubbles('bot').first().waitFor();
    const greeting = (await bubbles('bot').first().textContent()) ?? '';
    assert.ok(greeting.replace(/^客服：/, '').trim().length > 0, 'a greeting is shown');
    assert.equal(await page.locator('.launcher').count(), 0, 'inline mode has no floating launcher');
    await screenshot(page, 'desktop-greeting');
  });

  test('an ambiguous Chinese question gets clickable options, and clicking one answers it', async () => {
    const options = await askUntilClarified(page);
    await screenshot(page, 'desktop-clarify');
    const botBefore = await bubbles('bot').count();
    const debit = options.filter({ hasText: '借记卡' });
    const choice = (await debit.count()) ? debit.first() : options.first();
    const chosen = ((await choice.textContent()) ?? '').replace(/^\d+\.\s*/, '');
    await choice.click();
    // The customer's side shows the option's words, not a bare number.
    await page.locator('.row.me .bubble', { hasText: chosen }).waitFor();
    await waitForBotRows(page, botBefore + 1);
    const answer = (await bubbles('bot').last().textContent()) ?? '';
    assert.match(answer, /挂失/, `answer about reporting the card lost, got: ${answer}`);
    assert.equal(await page.locator('.row.bot .opt:not([disabled])').count(), 0, 'the answered options are disabled');
    await screenshot(page, 'desktop-answer');
  });

  test('a script tag typed by the customer is shown literally and never runs', async () => {
    const payload = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    await ask(payload);
    const mine = page.locator('.row.me .bubble', { hasText: '<script>alert(1)</script>' });
    await mine.waitFor();
    assert.equal(((await mine.last().textContent()) ?? '').replace(/^我：/, ''), payload);
    assert.equal(await page.locator('.log script, .log img').count(), 0);
    await page.locator('.typing').waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], 'no alert() fired');
  });

  test('a message sent while the socket is down is delivered after reconnect and answered exactly once', async () => {
    await page.locator('.typing').waitFor({ state: 'hidden' });
    const botBefore = await bubbles('bot').count();
    await page.evaluate(() => (window as any).Lingxi.__debugDropSocket());
    await ask('信用卡挂失');
    await page.locator('.row.me .bubble', { hasText: '信用卡挂失' }).waitFor();
    // Delivered: the pending style goes away only when the server echoes the message back.
    await page.locator('.row.me .bubble.pending').waitFor({ state: 'detached' }).catch(() => undefined);
    await page.waitForFunction(
      () => !document.querySelector('#lingxi-widget')?.shadowRoot?.querySelector('.bubble.pending'),
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      (n) => document.querySelector('#lingxi-widget')?.shadowRoot?.querySelectorAll('.row.bot').length! > n,
      botBefore,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(1500); // a duplicate would arrive in this window
    assert.equal(await bubbles('bot').count(), botBefore + 1, 'exactly one reply');
    assert.equal(await page.locator('.row.me .bubble', { hasText: '信用卡挂失' }).count(), 1);
  });

  test('a message in flight when the socket dies is re-sent with its id and still answered once', async () => {
    await page.locator('.typing').waitFor({ state: 'hidden' });
    const botBefore = await bubbles('bot').count();
    // Send and kill the socket in the same tick: the server may or may not have it; the widget re-sends
    // after reconnect and the server's clientMsgId dedupe must make that harmless.
    await page.evaluate(() => {
      const L = (window as any).Lingxi;
      L.send('转账限额');
      L.__debugDropSocket();
    });
    await page.waitForFunction(
      (n) => document.querySelector('#lingxi-widget')?.shadowRoot?.querySelectorAll('.row.bot').length! > n,
      botBefore,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(1500);
    assert.equal(await bubbles('bot').count(), botBefore + 1, 'exactly one reply');
    assert.equal(await page.locator('.row.me .bubble', { hasText: '转账限额' }).count(), 1);
  });

  test('a reload continues the same conversation and shows its history again', async () => {
    await page.locator('.typing').waitFor({ state: 'hidden' });
    const mineBefore = (await bubbles('me').allTextContents()).map(clean);
    const botBefore = await bubbles('bot').count();
    await page.reload();
    await page.locator('.row.me .bubble', { hasText: '转账限额' }).waitFor();
    await page.waitForFunction(
      (n) => document.querySelector('#lingxi-widget')?.shadowRoot?.querySelectorAll('.row.bot').length! >= n,
      botBefore,
    );
    assert.deepEqual((await bubbles('me').allTextContents()).map(clean), mineBefore);
    assert.equal(await bubbles('bot').count(), botBefore, 'greeting + every reply, none twice');
    await screenshot(page, 'desktop-after-reload');
    assert.deepEqual(pageErrors, []);
  });

  test('on a 375 px phone the floating launcher opens a full-screen chat', async () => {
    const phone = await newPage(browser, { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true });
    try {
      // The demo page itself on a phone: the inline chat comes first, above the introduction.
      await phone.goto(`${base}/`);
      await phone.locator('.row.bot .bubble').first().waitFor();
      const chatBox = await phone.locator('#chat').boundingBox();
      assert.ok(chatBox && chatBox.width <= 375 && chatBox.y < 200, `chat visible at the top: ${JSON.stringify(chatBox)}`);
      assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 375, 'no horizontal scrolling');
      await screenshot(phone, 'mobile-demo-page');
      await phone.evaluate(() => localStorage.clear());

      // A bank page embedding the floating launcher, on the server's origin.
      await hostPage(
        phone,
        `<!doctype html><html lang="zh-CN"><meta name="viewport" content="width=device-width, initial-scale=1">
        <body style="font-family:sans-serif;margin:16px"><h1>示例银行</h1><p>手机银行页面</p>
        <script src="/widget.js" data-bot="demo" async></script></body></html>`,
      );
      const launcher = phone.getByRole('button', { name: '打开在线客服' });
      await launcher.waitFor();
      await screenshot(phone, 'mobile-launcher');
      await launcher.click();
      const panel = phone.getByRole('dialog');
      await panel.waitFor();
      const box = await panel.boundingBox();
      assert.deepEqual(box && [box.x, box.y, box.width, box.height], [0, 0, 375, 700], 'full screen');
      await phone.locator('.row.bot .bubble').first().waitFor();
      const isFocused = await phone.evaluate(
        () => document.querySelector('#lingxi-widget')?.shadowRoot?.activeElement?.tagName,
      );
      assert.equal(isFocused, 'TEXTAREA', 'focus moves into the chat');
      await phone.getByRole('textbox', { name: '输入您的问题' }).fill('我的卡丢了怎么办');
      await phone.getByRole('button', { name: '发送' }).click();
      await waitForBotRows(phone, 2);
      await phone.locator('.typing').waitFor({ state: 'hidden' });
      await screenshot(phone, 'mobile-chat');
      await phone.getByRole('button', { name: '关闭在线客服' }).click();
      await launcher.waitFor();
      assert.equal(await phone.getByRole('dialog').count(), 0);
    } finally {
      await phone.context().close();
    }
  });

  test('when WebSockets are blocked (a proxy stripping Upgrade), the widget falls back to POST /api/v1/chat', async () => {
    const p = await newPage(browser);
    try {
      await p.routeWebSocket(/\/api\/v1\/ws/, (ws) => ws.close());
      const posts: string[] = [];
      p.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/v1/chat')) posts.push(r.postData() ?? '');
      });
      await p.goto(`${base}/`);
      await p.locator('.row.bot .bubble').first().waitFor();
      const options = await askUntilClarified(p);
      const botBefore = await p.locator('.row.bot').count();
      await options.first().click();
      await waitForBotRows(p, botBefore + 1);
      assert.match((await p.locator('.row.bot .bubble').last().textContent()) ?? '', /挂失/);
      const bodies = posts.map((b) => JSON.parse(b));
      assert.ok(bodies.length >= 2, 'the conversation went over HTTP');
      const last = bodies[bodies.length - 1];
      assert.match(String(last.text), /^\d+$/, 'an option is chosen by its number');
      // The first request opens the session; every later one sends back the session id from the first reply.
      assert.ok(last.sessionId, 'the session id from the first reply is sent back');
      assert.ok(bodies.slice(1).every((b) => b.sessionId === last.sessionId), 'one session across turns');
    } finally {
      await p.context().close();
    }
  });

  test('data-lang="en" gives an English interface', async () => {
    const p = await newPage(browser, { locale: 'en-US' });
    try {
      await hostPage(
        p,
        `<!doctype html><html lang="en"><body><div id="c" style="height:500px"></div>
        <script src="/widget.js" data-bot="demo" data-lang="en" data-mode="inline" data-target="#c"></script></body></html>`,
      );
      await p.getByRole('button', { name: 'Send' }).waitFor();
      await p.getByRole('textbox', { name: 'Type your question' }).waitFor();
    } finally {
      await p.context().close();
    }
  });
});

const CLARIFY_QUESTIONS = ['卡丢了', '我的卡丢了怎么办', '丢卡了'];

function clean(s: string): string {
  return s.replace(/^(我|客服)：/, '').trim();
}
