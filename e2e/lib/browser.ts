import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { repoRoot } from './server.ts';

/**
 * Launches Debian's chromium through playwright-core (we never download Playwright's browser builds; see
 * scripts/install-browser.sh). Headless, no sandbox (containers), no background traffic.
 */
export const CHROMIUM = process.env.LINGXI_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'e2e/screenshots');
const isCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * Options for a browser test: without chromium the test is skipped with a visible reason on a developer's machine,
 * but in CI (CI=true) it runs and fails — a CI that silently skips its browser test proves nothing.
 */
export function browserTestOptions(): { skip: string | false } {
  if (existsSync(CHROMIUM) || isCI) return { skip: false };
  const why = `chromium not found at ${CHROMIUM}; run scripts/install-browser.sh (browser tests skipped)`;
  console.warn(`# SKIP ${why}`);
  return { skip: why };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: run scripts/install-browser.sh`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function newPage(browser: Browser, opts: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, ...opts });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/**
 * Saves e2e/screenshots/<name>.png (gitignored) and returns its path. Running animations (a drawer sliding in, a
 * mask fading) are fast-forwarded to their end first, so the picture shows the settled layout.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}
