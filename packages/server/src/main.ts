import { loadConfig } from './config.ts';
import { compose } from './compose.ts';
import { buildApp } from './app.ts';
import { seedDemo } from './demo/seed.ts';
import { startDemoCore } from './demo/demo-core.ts';

/** Starts listening; nothing else. Composition lives in compose.ts, HTTP in app.ts. */
const config = loadConfig();
const deps = await compose(config);
const app = await buildApp(deps);
// The demo bank's core system (fake customers, accounts, cards…), which the demo tenant's flows reach through the
// HTTP connector exactly as a bank's real core would be reached. Its own HTTP server, on LINGXI_DEMO_CORE_URL.
const demoCore = config.LINGXI_DEMO && config.LINGXI_DEMO_CORE_START ? await startDemoCore(config.LINGXI_DEMO_CORE_URL, config.LINGXI_DEMO_CORE_API_KEY) : null;
if (config.LINGXI_DEMO) {
  const seeded = await seedDemo(deps);
  if (seeded.generatedPassword) {
    // Printed once, on the console only (never logged): the first administrator's password.
    process.stdout.write(`\n  示例银行 demo seeded. Console login: ${seeded.adminUser} / ${seeded.generatedPassword}\n  (set LINGXI_ADMIN_PASSWORD to choose it)\n\n`);
  }
}
await app.listen({ port: config.PORT, host: config.HOST });
await deps.startBackground();
const addr = app.server.address();
const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
process.stdout.write(`  Lingxi listening on http://localhost:${port}  (chat page /, API docs /docs, storage ${deps.db.kind}, coordination ${deps.coordination.kind})\n`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await demoCore?.close();
    await deps.close();
    process.exit(0);
  });
}
