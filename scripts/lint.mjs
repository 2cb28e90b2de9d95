#!/usr/bin/env node
// Project lint: the house rules that a type checker does not see (ENGINEERING.md "Habits").
//  - kebab-case file names under packages/, e2e/, eval/, bench/
//  - no focused tests (`.only(`) left behind
//  - no console.log in server code (use the redacting logger); CLIs and scripts may print
//  - no fetch of models or data from the internet at run time
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, basename } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', 'data', '.cache', 'screenshots'].includes(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else check(relative(root, p));
  }
}
function check(file) {
  if (!/\.(ts|tsx|mjs|js)$/.test(file)) return;
  const base = basename(file).replace(/\.(test|integration\.test|spec|contract)?\.(ts|tsx|mjs|js)$/, '');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9-]+)*$/.test(base)) problems.push(`${file}: file name is not kebab-case`);
  const src = readFileSync(join(root, file), 'utf8');
  if (/\b(test|it|describe)\.only\(/.test(src)) problems.push(`${file}: focused test (.only) left in`);
  const isServerRuntime = file.startsWith('packages/server/src/') && !/\/(cli|demo|testing|tools)\//.test(file) && !/\.(test|spec)\.ts$/.test(file) && !file.endsWith('main.ts');
  if (isServerRuntime && /console\.log\(/.test(src)) problems.push(`${file}: console.log in server code (use the logger)`);
  if (/https?:\/\/(huggingface\.co|cdn\.jsdelivr|unpkg\.com|raw\.githubusercontent)/.test(src) && !/\.(test|spec)\.ts$/.test(file)) problems.push(`${file}: fetches from the internet`);
}
for (const d of ['packages', 'e2e', 'eval', 'bench', 'scripts']) {
  try { walk(join(root, d)); } catch { /* folder may not exist yet */ }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('lint: ok');
