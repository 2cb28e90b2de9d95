import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config.ts';
import { compose, type Deps } from '../../compose.ts';
import { buildApp, type App } from '../../app.ts';
import { createLogger } from '../../platform/logger.ts';
import { seedDemo } from '../../demo/seed.ts';
import type { Db } from '../../storage/db.ts';
import { TEST_ADMIN_PASSWORD } from '../../testing/app.ts';

/**
 * Test-only: the full app with extra plugins registered before it is ready — used by the messaging, channel and
 * webhook integration tests until app.ts registers their routes itself.
 */
export async function appWith(db: Db, extend: (deps: Deps, app: App) => Promise<void>): Promise<{ app: App; deps: Deps; close(): Promise<void> }> {
  const config = loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD } as NodeJS.ProcessEnv);
  const deps = await compose(config, { db, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  const app = await buildApp(deps);
  await seedDemo(deps);
  await extend(deps, app);
  await app.ready();
  return { app, deps, async close() { await app.close(); await deps.close(); } };
}

export type Received = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

/**
 * A real HTTP server on 127.0.0.1 standing in for an external vendor (SMS gateway, MaaP platform, webhook receiver,
 * app push endpoint). `handler` decides each response; every request is recorded.
 */
export async function fakeVendor(handler: (r: Received, res: ServerResponse) => void | Promise<void>): Promise<{ url: string; received: Received[]; close(): Promise<void>; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      try { await handler(r, res); } catch (err) { res.statusCode = 500; res.end(String(err)); }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, received, server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
