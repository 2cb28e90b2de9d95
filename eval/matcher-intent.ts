/**
 * The robot's own model on intent data: what a bot understands when its intents (flow triggers, or FAQ entries with
 * many similar questions) are the labels of an intent set. Each label of the training CSV becomes one knowledge entry
 * whose questions are its examples; the FAQ matcher (`trainFaqMatcher`, what bots run) is trained on them and asked
 * the test rows. Top-1 = the right entry ranked first, threshold or not (the intent CLI's accuracy counts the same).
 *   npx tsx eval/matcher-intent.ts --train <csv> --test <csv>
 *   npx tsx eval/matcher-intent.ts --train <csv> --folds 5 [--seeds 1]   (cross-validation on the training file)
 * Last stdout line: {"n", "top1", "train_s", "p50_ms", "p99_ms"} (with --folds: {"n", "folds", "top1", "per_seed"}).
 */
import { readLabelledCsv, type Example } from '../packages/server/src/modules/nlu/dataset.ts';
import { trainFaqMatcher, type FaqModel } from '../packages/server/src/modules/nlu/faq-matcher.ts';
import { mulberry32 } from '../packages/server/src/modules/nlu/linear-svm.ts';
import { parseFlags } from '../packages/server/src/cli/main.ts';

const f = parseFlags(process.argv.slice(2));
if (typeof f.train !== 'string' || (typeof f.test !== 'string' && f.folds === undefined)) {
  process.stderr.write('usage: npx tsx eval/matcher-intent.ts --train <csv> (--test <csv> | --folds K [--seeds S])\n');
  process.exit(2);
}

function train(rows: Example[]): { model: FaqModel; seconds: number } {
  const byLabel = new Map<string, string[]>();
  for (const e of rows) (byLabel.get(e.label) ?? byLabel.set(e.label, []).get(e.label)!).push(e.text);
  const t0 = performance.now();
  const model = trainFaqMatcher([...byLabel].map(([id, questions]) => ({ id, questions })));
  return { model, seconds: (performance.now() - t0) / 1000 };
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const all = readLabelledCsv(f.train);

if (typeof f.test === 'string') {
  const test = readLabelledCsv(f.test);
  const { model, seconds } = train(all);
  // Warm-up (JIT, the dictionaries' first lookups) on training texts, not timed.
  for (const e of all.slice(0, 200)) model.match(e.text, 1);
  let right = 0;
  const times: number[] = [];
  for (const e of test) {
    const t0 = performance.now();
    const hit = model.match(e.text, 1)[0];
    times.push(performance.now() - t0);
    if (hit?.id === e.label) right++;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => round(times[Math.min(times.length - 1, Math.floor(p * times.length))], 3);
  process.stdout.write(JSON.stringify({ n: test.length, top1: round(right / test.length), train_s: round(seconds, 2), p50_ms: q(0.5), p99_ms: q(0.99) }) + '\n');
} else {
  // Folds at random over rows (seeded), every fold's model trained on the other folds only.
  const K = Number(f.folds);
  const S = Number(f.seeds ?? 1);
  const perSeed: number[] = [];
  for (let s = 0; s < S; s++) {
    const rand = mulberry32(1000 + s);
    const fold = all.map(() => Math.floor(rand() * K));
    let right = 0;
    for (let k = 0; k < K; k++) {
      const { model } = train(all.filter((_, i) => fold[i] !== k));
      all.forEach((e, i) => {
        if (fold[i] === k && model.match(e.text, 1)[0]?.id === e.label) right++;
      });
    }
    perSeed.push(round(right / all.length));
  }
  process.stdout.write(JSON.stringify({ n: all.length, folds: K, top1: round(perSeed.reduce((a, b) => a + b, 0) / S), per_seed: perSeed }) + '\n');
}
