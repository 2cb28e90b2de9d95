#!/usr/bin/env node
// `npm run bench -- <name> [args]` runs bench/<name>.ts through tsx with the remaining arguments.
// Benchmarks are not tests (ENGINEERING.md): each prints progress on stderr and one JSON object as its last stdout line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'bench');
const available = existsSync(benchDir)
  ? readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort()
  : [];
const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.error(`usage: npm run bench -- <name> [options]\navailable: ${available.join(', ') || '(none)'}`);
  process.exit(name ? 0 : 2);
}
if (!available.includes(name)) {
  console.error(`unknown benchmark "${name}"; available: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}
// `node --import tsx` is what `npx tsx` does, without npx's start-up cost.
const r = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.ts`), ...rest], { stdio: 'inherit', cwd: root });
if (r.error) console.error(r.error.message);
process.exit(r.status ?? 1);
