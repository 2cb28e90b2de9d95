#!/usr/bin/env node
// Test runner: finds test files by tier (file suffix decides the tier, see ENGINEERING.md) and runs them with
// Node's own test runner through tsx, so CI reads node's closing summary lines.
//   *.test.ts               unit (no I/O beyond temp files)
//   *.integration.test.ts   real PostgreSQL / Redis / child processes
//   e2e/*.spec.ts           real browser (Debian chromium via playwright-core)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const tierIdx = args.indexOf('--tier');
const tier = tierIdx >= 0 ? args[tierIdx + 1] : 'all';
const filters = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--tier');

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist' || name === 'data') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(relative(root, p));
  }
  return out;
}
const all = walk(join(root, 'packages'), []).concat(walk(join(root, 'e2e'), [])).concat(walk(join(root, 'eval'), []));
const isInteg = (f) => f.endsWith('.integration.test.ts');
const isUnit = (f) => f.endsWith('.test.ts') && !isInteg(f);
const isE2e = (f) => f.startsWith('e2e/') && f.endsWith('.spec.ts');
let files = all.filter((f) =>
  tier === 'unit' ? isUnit(f) : tier === 'integration' ? isInteg(f) : tier === 'e2e' ? isE2e(f) : isUnit(f) || isInteg(f) || isE2e(f),
);
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
function rank(f) { return isUnit(f) ? 0 : isInteg(f) ? 1 : 2; }
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Integration tests start servers on fixed-free ports and share PostgreSQL databases: run files one at a time.
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
