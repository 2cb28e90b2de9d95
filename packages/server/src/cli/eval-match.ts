/**
 * `lingxi eval match --train <file[,file...]> --test <file> [--seed N] [--save model.json]`
 * Trains the question-pair matcher on --train only and scores --test. Files are CSV with a
 * `sentence1,sentence2,label` header (BQ corpus layout) or header-less TSV (LCQMC, AFQMC).
 * Last stdout line: one JSON object {n, accuracy, f1, precision, recall, threshold, train_s, p50_ms, p99_ms}.
 */
import { writeFileSync } from 'node:fs';
import { parseFlags } from './main.ts';
import { trainPairModel } from '../modules/nlu/match/index.ts';
import { readPairsFile } from '../modules/nlu/match/pair-data.ts';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  if (typeof flags.train !== 'string' || typeof flags.test !== 'string') {
    throw new Error('usage: lingxi eval match --train <csv[,csv...]> --test <csv> [--seed N] [--save model.json]');
  }
  const train = flags.train.split(',').filter(Boolean).flatMap((f) => readPairsFile(f));
  const test = readPairsFile(flags.test);
  if (test.length === 0) throw new Error(`no pairs in ${flags.test}`);
  const seed = typeof flags.seed === 'string' ? Number(flags.seed) : 1;

  const t0 = performance.now();
  const model = trainPairModel(train, { seed });
  const trainS = (performance.now() - t0) / 1000;
  if (typeof flags.save === 'string') writeFileSync(flags.save, model.serialize());

  let tp = 0;
  let fp = 0;
  let fn = 0;
  let ok = 0;
  const times: number[] = [];
  for (const p of test) {
    const s = performance.now();
    const score = model.similarity(p.a, p.b);
    times.push(performance.now() - s);
    const pred = score >= model.threshold ? 1 : 0;
    if (pred === p.label) ok++;
    if (pred === 1 && p.label === 1) tp++;
    else if (pred === 1) fp++;
    else if (p.label === 1) fn++;
  }
  times.sort((x, y) => x - y);
  const q = (f: number) => times[Math.min(times.length - 1, Math.floor(f * times.length))];
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  process.stdout.write(JSON.stringify({
    n: test.length,
    accuracy: r4(ok / test.length),
    f1: r4(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
    precision: r4(precision),
    recall: r4(recall),
    threshold: model.threshold,
    n_train: train.length,
    train_s: Math.round(trainS * 100) / 100,
    p50_ms: r4(q(0.5)),
    p99_ms: r4(q(0.99)),
  }) + '\n');
}
