#!/usr/bin/env node
// `npx lingxi <command>`: runs the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
