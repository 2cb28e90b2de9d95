/**
 * Satisfaction and human service in the web widget, in a real browser against the real server:
 * - the robot's goodbye ("谢谢，再见") brings a rating card; the customer rates with the keyboard, the card is
 *   disabled while the rating is sent, thanks them, the rating is stored (read back through the ratings API), and a
 *   reload does not ask again;
 * - the human-service frames (queue position with leave-a-message, agent joined, an agent's reply with their name,
 *   a service notice with the rating card) in English, played by a scripted WebSocket peer so the widget's side is
 *   tested on its own.
 *
 * LINGXI_E2E_URL=http://host:port runs against an already running server (then set LINGXI_E2E_ADMIN_PASSWORD).
 */
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import { repoRoot, startServer, type RunningServer } from './lib/server.ts';

const PASSWORD = process.env.LINGXI_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';

describe('widget: rating card and human service', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = process.env.LINGXI_E2E_URL ?? '';
  let browser: Browser;

  before(async () => {
    const built = spawnSync(process.execPath, ['scripts/build-widget.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    if (!base) {
      server = await startServer({ env: { LINGXI_ADMIN_PASSWORD: PASSWORD } });
      base = server.url;
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const botRows = (p: Page) => p.locator('.row.bot').count();
  async function ask(p: Page, text: string, box = '输入您的问题') {
    const before = await botRows(p);
    await p.getByRole('textbox', { name: box }).fill(text);
    await p.getByRole('textbox', { name: box }).press('Enter');
    await p.waitForFunction((n) => (document.querySelector('#lingxi-widget')?.shadowRoot?.querySelectorAll('.row.bot').length ?? 0) > n, before);
    await p.locator('.typing').waitFor({ state: 'hidden' });
  }

  test('after "谢谢，再见" the robot asks for a rating; rated by keyboard, stored, not asked again after a reload', async () => {
    const p = await newPage(browser);
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    try {
      await p.goto(`${base}/`);
      await p.locator('.row.bot .bubble').first().waitFor();
      await ask(p, '信用卡丢了怎么挂失');
      assert.equal(await p.locator('.rate').count(), 0, 'no card while the customer is still asking');
      await ask(p, '谢谢，再见');
      const card = p.locator('form.rate');
      await card.waitFor();
      assert.match((await p.locator('.row.bot .bubble').last().textContent()) ?? '', /再见/);
      await card.getByText('请对本次服务评价').waitFor();
      const submit = card.getByRole('button', { name: '提交' });
      assert.equal(await submit.isDisabled(), true, 'nothing to submit before a score is chosen');

      // Keyboard only: back from the message box, Shift+Tab reaches the comment, then the stars (the last one);
      // Space chooses it, arrows move the choice.
      const active = () => p.evaluate(() => { const a = document.querySelector('#lingxi-widget')!.shadowRoot!.activeElement as HTMLInputElement | null; return a ? `${a.tagName}:${a.type ?? ''}` : ''; });
      await p.getByRole('textbox', { name: '输入您的问题' }).focus();
      await p.keyboard.press('Shift+Tab');
      assert.equal(await active(), 'TEXTAREA:textarea');
      await p.keyboard.press('Shift+Tab');
      assert.equal(await active(), 'INPUT:radio');
      await p.keyboard.press('Space');
      assert.equal(await card.locator('label.on').count(), 5, 'five stars lit');
      await p.keyboard.press('ArrowLeft');
      assert.equal(await card.locator('label.on').count(), 4, 'four stars lit');
      assert.equal(await card.getByRole('radio', { name: '4/5' }).isChecked(), true);
      await p.keyboard.press('Tab');
      await p.keyboard.type('挂失很快，谢谢');
      await screenshot(p, 'widget-rating-card');

      // Hold the POST a moment to see the card disabled while submitting.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await p.route('**/api/v1/chat/rating', async (route) => {
        await held;
        await route.continue();
      });
      await p.keyboard.press('Tab');
      await p.keyboard.press('Enter');
      await p.waitForFunction(() => (document.querySelector('#lingxi-widget')?.shadowRoot?.querySelector('form.rate button') as HTMLButtonElement | null)?.disabled === true);
      assert.equal(await card.locator('textarea').isDisabled(), true, 'disabled while submitting');
      release();
      await p.locator('.rate.done').getByText('感谢您的评价！').waitFor();
      await screenshot(p, 'widget-rating-thanks');

      // Stored: the ratings API (conversation:read) lists this session's rating.
      const sessionId = await p.evaluate(() => {
        for (let i = 0; i < localStorage.length; i++) {
          const k = localStorage.key(i)!;
          if (k.startsWith('lingxi:v1:')) return JSON.parse(localStorage.getItem(k)!).sessionId as string;
        }
        return '';
      });
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
      assert.equal(login.status, 200);
      const { token } = (await login.json()) as { token: string };
      const list = (await (await fetch(`${base}/api/v1/ratings?botId=demo`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { conversationId: string; score: number; comment: string; agentId: string | null }[] };
      const mine = list.items.find((r) => r.conversationId === sessionId);
      assert.deepEqual(mine && { score: mine.score, comment: mine.comment, agentId: mine.agentId }, { score: 4, comment: '挂失很快，谢谢', agentId: null });

      // A reload replays the conversation, the goodbye included; the answered card is not asked again.
      await p.reload();
      await p.locator('.row.bot .bubble', { hasText: '再见' }).waitFor();
      await p.waitForTimeout(500);
      assert.equal(await p.locator('form.rate').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await p.context().close();
    }
  });

  test('human service in English: queue line with leave-a-message, agent joined, named agent replies, closing notice with a rating card', async () => {
    const p = await newPage(browser, { locale: 'en-US', viewport: { width: 480, height: 760 } });
    const fromWidget: Record<string, unknown>[] = [];
    const ratings: Record<string, unknown>[] = [];
    let peer!: WebSocketRoute;
    let seq = 0;
    try {
      // A scripted server for /api/v1/ws: welcomes the widget, records what it sends, and pushes frames on cue.
      await p.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
        peer = ws;
        ws.onMessage((raw) => {
          const m = JSON.parse(String(raw));
          fromWidget.push(m);
          if (m.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', sessionId: 'cv_e2e_human_0001', bot: { id: 'b', name: 'Example Bank', greeting: 'Hello, how can I help you?', locale: 'en' } }));
        });
      });
      await p.route('**/api/v1/chat/rating', async (route) => {
        ratings.push(JSON.parse(route.request().postData() ?? '{}'));
        await route.fulfill({ status: 200, contentType: 'application/json', body: '{}' });
      });
      const push = (f: object) => peer.send(JSON.stringify(f));
      const reply = (r: object) => push({ type: 'reply', seq: ++seq, reply: r, at: new Date().toISOString() });

      await p.goto(`${base}/healthz`);
      await p.setContent(`<!doctype html><html lang="en"><body style="margin:0"><div id="c" style="height:740px"></div>
        <script src="/widget.js" data-bot="demo" data-lang="en" data-mode="inline" data-target="#c"></script></body></html>`);
      await p.locator('.row.bot .bubble').first().waitFor();

      reply({ type: 'system', text: 'Connecting you to an agent (Cards). Please hold on.' });
      push({ type: 'status', status: 'handoff' });
      push({ type: 'queue', position: 3, etaSeconds: 90, group: 'cards' });
      await p.getByText('2 ahead of you, about 2 min').waitFor();
      push({ type: 'queue', position: 1, etaSeconds: null, group: 'cards' });
      await p.getByText('0 ahead of you', { exact: true }).waitFor();
      assert.equal(await p.locator('.notice', { hasText: 'Connecting you to an agent' }).count(), 1, 'a system reply is a centred notice');

      // Leave a message instead of waiting: a small form, sent as `leave-message` on the socket.
      await p.getByRole('button', { name: 'Leave a message' }).click();
      await p.getByRole('textbox', { name: 'Your message' }).fill('Please call me back about my card');
      await p.getByRole('textbox', { name: 'Contact (optional)' }).fill('+86 138 0000 0000');
      await screenshot(p, 'widget-queue-leave-message-en');
      await p.getByRole('button', { name: 'Submit' }).click();
      await expectSoon(() => fromWidget.some((m) => m.type === 'leave-message'));
      assert.deepEqual(fromWidget.find((m) => m.type === 'leave-message'), { type: 'leave-message', text: 'Please call me back about my card', contact: '+86 138 0000 0000' });

      // An agent joins (header line), the queue line goes, the agent's replies carry their name.
      push({ type: 'status', status: 'agent', agentName: 'Agent Wang' });
      await p.getByText('Agent Wang joined').waitFor();
      await p.locator('.queue').waitFor({ state: 'hidden' });
      reply({ type: 'agent', text: 'Hello, I can help you with your card.', agentName: 'Agent Wang' });
      const agentRow = p.locator('.row.bot', { hasText: 'I can help you' });
      assert.equal(await agentRow.locator('.who').textContent(), 'Agent Wang');
      assert.equal(await agentRow.locator('.bubble .sr').textContent(), 'Agent Wang：', 'screen readers hear who wrote it');
      await screenshot(p, 'widget-agent-joined-en');

      // Closed: the notice asks for a rating, the card takes it (Enter on a star submits once a score is chosen).
      push({ type: 'status', status: 'closed' });
      reply({ type: 'system', text: 'This chat has ended. Please rate our service (1–5).', rating: { scale: 5 } });
      const card = p.locator('form.rate');
      await card.getByText('How was our service?').waitFor();
      assert.equal(await p.getByText('Agent Wang joined').isVisible(), false, 'the header line goes with the agent');
      await card.locator('label').nth(4).click(); // a mouse user clicks the fifth star
      assert.equal(await card.getByRole('radio', { name: '5/5' }).isChecked(), true);
      await card.getByRole('textbox', { name: 'Comment (optional)' }).fill('Very patient');
      await screenshot(p, 'widget-human-service-en');
      await card.getByRole('button', { name: 'Submit' }).click();
      await p.getByText('Thanks for your feedback!').waitFor();
      assert.deepEqual(ratings, [{ bot: 'demo', sessionId: 'cv_e2e_human_0001', score: 5, comment: 'Very patient' }]);
      await screenshot(p, 'widget-human-service-rated-en');
    } finally {
      await p.context().close();
    }
  });
});

async function expectSoon(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
