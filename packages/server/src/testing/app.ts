import { before, after } from 'node:test';
import { loadConfig } from '../config.ts';
import { compose, type Deps } from '../compose.ts';
import { buildApp, type App } from '../app.ts';
import { createLogger } from '../platform/logger.ts';
import { seedDemo } from '../demo/seed.ts';
import type { Db } from '../storage/db.ts';
import type { Coordination } from '../platform/coordination.ts';
import type { Clock } from '../platform/clock.ts';

export const TEST_ADMIN_PASSWORD = 'test-admin-password-1';

/** A full app on the given database, with the demo bank seeded (admin / TEST_ADMIN_PASSWORD). */
export async function demoApp(db: Db, opts: { coordination?: Coordination; env?: Record<string, string>; clock?: Clock } = {}): Promise<{ app: App; deps: Deps; close(): Promise<void> }> {
  const config = loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...opts.env } as NodeJS.ProcessEnv);
  const deps = await compose(config, { db, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), coordination: opts.coordination, clock: opts.clock });
  const app = await buildApp(deps);
  await seedDemo(deps);
  await app.ready();
  return {
    app,
    deps,
    async close() {
      await app.close();
      await deps.close();
    },
  };
}

export async function login(app: App, username = 'admin', password = TEST_ADMIN_PASSWORD, tenant?: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password, tenant } });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.statusCode} ${r.body}`);
  return r.json().token;
}

export type DemoEnv = Awaited<ReturnType<typeof demoApp>>;

/**
 * Inside a describe(): a demo app on a fresh database of the given variant (see bothDatabases()) for the suite,
 * closed with its database after it. The returned object is filled in before the first test.
 */
export function useDemoApp(variant: { open(): Promise<{ db: Db; close(): Promise<void> }> }, opts: Parameters<typeof demoApp>[1] = {}): DemoEnv {
  const env = {} as DemoEnv;
  let closeDb: (() => Promise<void>) | undefined;
  before(async () => {
    const { db, close } = await variant.open();
    closeDb = close;
    Object.assign(env, await demoApp(db, opts));
  });
  after(async () => {
    await env.close?.();
    await closeDb?.();
  });
  return env;
}
