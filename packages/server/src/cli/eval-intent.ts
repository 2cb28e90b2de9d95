/**
 * `lingxi eval intent --train <csv> --test <csv> [--oos-label oos] [--seed N]`
 * Trains the intent engine on --train only (any rejection threshold is chosen from it), predicts every
 * --test row and prints, as the last stdout line, one JSON object:
 *   {n, accuracy, train_s, p50_ms, p99_ms [, inscope_accuracy, oos_recall]}  (fractions 0..1)
 * CSV: header row, first column text, second label (quote-aware); a row without a label column is an error.
 * With --oos-label L, rows labelled L are out of scope: `accuracy` counts a rejection as predicting L,
 * `inscope_accuracy` = in-scope rows with the right intent and not rejected, `oos_recall` = L rows rejected.
 * --seed N: the training seed (calibration folds, SVM visiting order, MLP initialisation; default 1), to see how much
 * a figure owes to the seed rather than to the data.
 */
import { parseFlags } from './main.ts';
import { readLabelledCsv } from '../modules/nlu/dataset.ts';
import { trainIntentEngineAsync, predictWithEngine } from '../modules/nlu/intent-engine.ts';

export type IntentEvalResult = {
  n: number;
  accuracy: number;
  train_s: number;
  train_cpu_s: number;
  p50_ms: number;
  p99_ms: number;
  inscope_accuracy?: number;
  oos_recall?: number;
  threshold?: number;
};

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export async function evaluateIntent(trainPath: string, testPath: string, oosLabel?: string, seed?: number): Promise<IntentEvalResult> {
  const train = readLabelledCsv(trainPath);
  const test = readLabelledCsv(testPath);
  if (!test.length) throw new Error(`${testPath}: no rows`);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await trainIntentEngineAsync(train, { oosLabel, seed });
  const trainS = (performance.now() - t0) / 1000;
  // CPU seconds as well: the machines are shared, and wall time alone says more about the neighbours than about us.
  const trainCpuS = process.cpuUsage(c0).user / 1e6;
  process.stderr.write(`trained on ${train.length} rows, ${model.classifier.labels.length} labels in ${trainS.toFixed(1)} s; threshold ${model.threshold.toFixed(3)}\n`);
  for (const e of test.slice(0, 20)) predictWithEngine(model, e.text); // JIT warm-up, not timed
  const times: number[] = [];
  let ok = 0;
  let insN = 0;
  let insOk = 0;
  let oosN = 0;
  let oosOk = 0;
  for (const e of test) {
    const s = performance.now();
    const p = predictWithEngine(model, e.text);
    times.push(performance.now() - s);
    const isOos = oosLabel !== undefined && e.label === oosLabel;
    const predicted = p.label ?? oosLabel ?? p.ranking[0]?.label ?? null;
    if (predicted === e.label) ok++;
    if (isOos) {
      oosN++;
      if (p.label === null) oosOk++;
    } else {
      insN++;
      if (p.label === e.label) insOk++;
    }
  }
  times.sort((a, b) => a - b);
  const out: IntentEvalResult = {
    n: test.length,
    accuracy: r4(ok / test.length),
    train_s: Math.round(trainS * 100) / 100,
    train_cpu_s: Math.round(trainCpuS * 100) / 100,
    p50_ms: Math.round(quantile(times, 0.5) * 1000) / 1000,
    p99_ms: Math.round(quantile(times, 0.99) * 1000) / 1000,
  };
  if (oosLabel !== undefined) {
    out.inscope_accuracy = insN ? r4(insOk / insN) : 0;
    out.oos_recall = oosN ? r4(oosOk / oosN) : 0;
    out.threshold = r4(model.threshold);
  }
  return out;
}

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const usage = 'usage: lingxi eval intent --train <csv> --test <csv> [--oos-label oos] [--seed N]';
  if (typeof f.train !== 'string' || typeof f.test !== 'string') throw new Error(usage);
  const oos = typeof f['oos-label'] === 'string' ? f['oos-label'] : undefined;
  const seed = f.seed === undefined ? undefined : Number(f.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed must be an integer; ${usage}`);
  const res = await evaluateIntent(f.train, f.test, oos, seed);
  process.stdout.write(JSON.stringify(res) + '\n');
}
