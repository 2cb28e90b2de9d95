import { buildApp, type App } from '../../../app.ts';
import { compose, type Deps } from '../../../compose.ts';
import { loadConfig } from '../../../config.ts';
import { seedDemo } from '../../../demo/seed.ts';
import { makeGuards } from '../../../http/auth.ts';
import { createLogger } from '../../../platform/logger.ts';
import type { Coordination } from '../../../platform/coordination.ts';
import type { Db } from '../../../storage/db.ts';
import { TEST_ADMIN_PASSWORD } from '../../../testing/app.ts';
import { createChannels, type Channels } from './index.ts';
import { channelConfigRoutes } from './routes.ts';
import { wechatRoutes } from '../wechat/routes.ts';
import { wecomRoutes } from '../wecom/routes.ts';
import type { RetryPolicy } from './vendor-http.ts';

/**
 * The full app with the demo bank and the channel routes, for channel integration tests and the benchmark. Uses
 * deps.channels and the app's own routes once compose.ts/app.ts wire them; registers them itself until then.
 */
export async function channelsApp(db: Db | undefined, opts: { coordination?: Coordination; env?: Record<string, string>; vendorTimeoutMs?: number; retry?: RetryPolicy; config?: ReturnType<typeof loadConfig> } = {}): Promise<{ app: App; deps: Deps; channels: Channels; close(): Promise<void> }> {
  const config = opts.config ?? loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...opts.env } as NodeJS.ProcessEnv);
  const deps = await compose(config, { ...(db ? { db } : {}), logger: createLogger(process.env.TEST_LOG_LEVEL ?? config.LINGXI_LOG_LEVEL), coordination: opts.coordination });
  const wired = (deps as Deps & { channels?: Channels }).channels;
  const channels = wired ?? createChannels(deps, { vendorTimeoutMs: opts.vendorTimeoutMs, retry: opts.retry });
  const app = await buildApp(deps);
  if (!app.hasRoute({ method: 'GET', url: '/api/v1/channels' })) {
    await app.register(channelConfigRoutes(channels.configs, makeGuards(deps.auth)));
    await app.register(wechatRoutes(channels.wechat));
    await app.register(wecomRoutes(channels.wecom));
  }
  if (config.LINGXI_DEMO) await seedDemo(deps);
  await app.ready();
  return {
    app, deps, channels,
    async close() {
      await channels.close();
      await app.close();
      await deps.close();
    },
  };
}
