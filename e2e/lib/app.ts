import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { repoRoot, startServer, type RunningServer } from './server.ts';

/** Builds the widget bundle and the web app (the server reads both at start and serves the web app from its dist). */
export function buildApps(): void {
  for (const script of ['scripts/build-widget.mjs', 'scripts/build-web.mjs']) {
    const built = spawnSync(process.execPath, [script], { cwd: repoRoot, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`${script} failed (${built.status}): ${built.stderr}`);
  }
}

/** Builds the apps, then starts the real server (see startServer) with these settings. */
export async function startAppServer(env: Record<string, string>): Promise<RunningServer> {
  buildApps();
  return startServer({ env, timeoutMs: 120_000 });
}

/** A bearer token for a console user of the demo tenant, from the real login API. */
export async function apiToken(base: string, username: string, password: string, tenant = 'demo'): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, tenant }) });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** Fills the web app's sign-in form (already on screen) and submits it. */
export async function fillSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
}
