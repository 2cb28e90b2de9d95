import { buildCoreApp } from '@lingxi/demo-core';

/**
 * Starts the demo core banking service on the host and port of `url` (npm start does this for the demo tenant).
 * When the port is taken — `npm run demo:core` already runs, or another node of a cluster started it — the running
 * one is used and null is returned.
 */
export async function startDemoCore(url: string, apiKey: string): Promise<{ close(): Promise<void> } | null> {
  const u = new URL(url);
  const core = await buildCoreApp({ apiKey, logger: false });
  try {
    await core.listen({ host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) });
  } catch (err) {
    await core.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return null;
    throw err;
  }
  const c1 = core.coreStore.data.customers[0];
  process.stdout.write(`  demo core banking on ${url} (demo customer ${c1.name.slice(0, 1)}*, mobile ${c1.mobile})\n`);
  return { close: () => core.close() };
}
