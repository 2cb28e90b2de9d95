import { buildCoreApp } from '@lingxi/demo-core';

/**
 * Entry point (not a benchmark): the demo core banking service on its own, for benchmarks that need more customers
 * than `npm run demo:core` generates. Started by `startServer(env, { entry: 'bench/lib/demo-core-process.ts' })`,
 * which sets PORT and HOST and waits for /healthz. BENCH_CORE_CUSTOMERS and BENCH_CORE_TODAY choose the generated
 * data: generateCoreData is deterministic, so a benchmark computing it with the same options knows every customer.
 */
const app = await buildCoreApp({
  apiKey: process.env.BENCH_CORE_API_KEY ?? 'demo-core-key',
  data: { customers: Number(process.env.BENCH_CORE_CUSTOMERS ?? 20), ...(process.env.BENCH_CORE_TODAY ? { today: process.env.BENCH_CORE_TODAY } : {}) },
  logger: false,
});
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void app.close().then(() => process.exit(0)));
