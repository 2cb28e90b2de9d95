import { loadConfig } from './config.ts';
import { compose } from './compose.ts';
import { buildApp } from './app.ts';
import { seedDemo } from './demo/seed.ts';

/** Starts listening; nothing else. Composition lives in compose.ts, HTTP in app.ts. */
const config = loadConfig();
const deps = await compose(config);
const app = await buildApp(deps);
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
    await deps.close();
    process.exit(0);
  });
}
