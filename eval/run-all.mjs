#!/usr/bin/env node
/**
 * `npm run eval`: converts the shared datasets (eval/convert-datasets.ts → eval/.cache/), runs the intent
 * evaluations on the validation splits available here, the FAQ matcher on the demo knowledge and on the same intent
 * data (eval/matcher-intent.ts: what a bot whose intents are these labels understands), prints a
 * table and writes eval/baseline.json. Compares with the committed baseline and says what moved.
 *   node eval/run-all.mjs [--only banking77,clinc150,...] [--no-write]
 * The held-out test splits are not here; see eval/README.md for what each number means.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const CACHE = join(HERE, '.cache');
const LINGXI = join(ROOT, 'packages', 'server', 'bin', 'lingxi.mjs');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const write = !args.includes('--no-write');

function lastJson(cmd, argv) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cmd, ...argv], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const out = JSON.parse(lines[lines.length - 1]);
  out.wall_s = Math.round((Date.now() - t0) / 100) / 10;
  return out;
}

const c = (f) => join(CACHE, f);
const SUITES = [
  { name: 'banking77', what: 'train 80% → seeded 20% hold-out of train', argv: ['eval', 'intent', '--train', c('banking77-train80.csv'), '--test', c('banking77-holdout20.csv')], metric: 'accuracy' },
  { name: 'clinc150', what: 'train+oos_train → val+oos_val', argv: ['eval', 'intent', '--train', c('clinc150-train.csv'), '--test', c('clinc150-val.csv'), '--oos-label', 'oos'], metric: 'inscope_accuracy' },
  { name: 'smp2019', what: 'train → dev (domain.intent)', argv: ['eval', 'intent', '--train', c('smp2019-train.csv'), '--test', c('smp2019-dev.csv')], metric: 'accuracy' },
  { name: 'smp2020', what: 'train → dev (domain.intent)', argv: ['eval', 'intent', '--train', c('smp2020-train.csv'), '--test', c('smp2020-dev.csv')], metric: 'accuracy' },
];

const conv = spawnSync(process.execPath, [TSX, join(HERE, 'convert-datasets.ts')], { cwd: ROOT, encoding: 'utf8' });
if (conv.status !== 0) {
  process.stderr.write(conv.stderr);
  process.exit(1);
}

const results = {};
for (const s of SUITES) {
  if (only && !only.includes(s.name)) continue;
  if (!existsSync(s.argv[3])) {
    process.stderr.write(`skip ${s.name}: ${s.argv[3]} missing (dataset not present)\n`);
    continue;
  }
  process.stderr.write(`${s.name}: ${s.what} …\n`);
  results[s.name] = { split: s.what, ...lastJson(LINGXI, s.argv) };
}
for (const lang of ['zh', 'en']) {
  const name = `faq-${lang}`;
  if (only && !only.includes(name)) continue;
  if (!existsSync(join(HERE, 'faq', `queries-${lang}.csv`))) continue;
  process.stderr.write(`${name}: FAQ matcher on the demo knowledge …\n`);
  results[name] = { split: `demo knowledge ${lang}.json → eval/faq/queries-${lang}.csv (+ oos)`, ...lastJson(TSX, [join(HERE, 'faq-matcher-eval.ts'), '--lang', lang]) };
}

// The robot's own model (the FAQ matcher bots run) on the same intent data: each label one knowledge entry.
const ROBOT = [
  { name: 'robot-banking77', what: 'FAQ matcher, labels as entries: train 80% → seeded 20% hold-out of train', train: 'banking77-train80.csv', test: 'banking77-holdout20.csv' },
  { name: 'robot-smp2019', what: 'FAQ matcher, labels as entries: train → dev', train: 'smp2019-train.csv', test: 'smp2019-dev.csv' },
  { name: 'robot-smp2020', what: 'FAQ matcher, labels as entries: train → dev', train: 'smp2020-train.csv', test: 'smp2020-dev.csv' },
];
for (const r of ROBOT) {
  if (only && !only.includes(r.name)) continue;
  if (!existsSync(c(r.train))) continue;
  process.stderr.write(`${r.name}: ${r.what} …\n`);
  results[r.name] = { split: r.what, ...lastJson(TSX, [join(HERE, 'matcher-intent.ts'), '--train', c(r.train), '--test', c(r.test)]) };
}

const basePath = join(HERE, 'baseline.json');
const old = existsSync(basePath) ? JSON.parse(readFileSync(basePath, 'utf8')).results ?? {} : {};
const KEYS = ['n', 'accuracy', 'inscope_accuracy', 'oos_recall', 'top1', 'top3', 'oos_fallback', 'train_s', 'train_ms', 'p50_ms', 'p99_ms'];
const rows = [['suite', ...KEYS]];
for (const [name, r] of Object.entries(results)) rows.push([name, ...KEYS.map((k) => (r[k] === undefined ? '' : String(r[k])))]);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) process.stdout.write(r.map((v, i) => v.padEnd(widths[i])).join('  ') + '\n');
for (const [name, r] of Object.entries(results)) {
  for (const k of ['accuracy', 'inscope_accuracy', 'oos_recall', 'top1', 'top3']) {
    const before = old[name]?.[k];
    if (typeof before === 'number' && typeof r[k] === 'number' && r[k] < before - 0.005) process.stdout.write(`REGRESSION ${name}.${k}: ${before} → ${r[k]}\n`);
  }
}
if (write && !only) {
  writeFileSync(basePath, JSON.stringify({ generated: new Date().toISOString().slice(0, 10), node: process.version, results }, null, 2) + '\n');
  process.stderr.write(`wrote ${basePath}\n`);
}
