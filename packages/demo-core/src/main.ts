import { buildCoreApp } from './app.ts';
import { DEMO_CUSTOMERS } from './data.ts';

// The demo bank's core system, run on its own: `npm run demo:core`. Fake data only.
const port = Number(process.env.DEMO_CORE_PORT ?? 3100);
const host = process.env.DEMO_CORE_HOST ?? '127.0.0.1';
const apiKey = process.env.DEMO_CORE_API_KEY ?? 'demo-core-key';
const app = await buildCoreApp({
  apiKey,
  hmacSecret: process.env.DEMO_CORE_HMAC_SECRET || undefined,
  latencyMs: Number(process.env.DEMO_CORE_LATENCY_MS ?? 0),
  data: { seed: process.env.DEMO_CORE_SEED ? Number(process.env.DEMO_CORE_SEED) : undefined },
  logger: true,
});
await app.listen({ port, host });
const demo = DEMO_CUSTOMERS.map((c) => `${c.id} ${c.mobile} (${c.profile})`).join('; ');
console.log(`demo core banking on http://${host}:${port} (X-Api-Key: ${apiKey}); demo customers: ${demo}`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void app.close().then(() => process.exit(0)));
