/**
 * The console's sign-in page: wrong password is refused politely, the right one shows the tenant's bots with their
 * published knowledge version, and signing out returns to the form.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import { startServer, type RunningServer } from './lib/server.ts';

const PASSWORD = 'e2e-admin-password';

describe('admin sign-in page', browserTestOptions(), () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startServer({ env: { LINGXI_ADMIN_PASSWORD: PASSWORD } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('sign in, see the demo bot and its published version, sign out', async () => {
    const p = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    try {
      await p.goto(`${server.url}/admin`);
      await p.fill('#p', 'not-the-password');
      await p.click('button[type=submit]');
      await p.getByText('用户名或密码错误').waitFor();
      await p.fill('#p', PASSWORD);
      await p.click('button[type=submit]');
      await p.locator('#home').waitFor();
      assert.equal(await p.locator('#who').textContent(), 'admin');
      const row = await p.locator('#bots tr').first().innerText();
      assert.match(row, /示例银行智能客服/);
      assert.match(row, /v\d+/);
      assert.ok((await p.inputValue('#tok')).length > 20);
      await screenshot(p, 'admin-signed-in');
      await p.getByRole('button', { name: '退出登录' }).click();
      await p.locator('#login').waitFor();
    } finally {
      await p.context().close();
    }
  });
});
