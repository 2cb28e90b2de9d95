/**
 * K-fold cross-validation of the pair matcher on the shared (non-test) files.
 *   npx tsx eval/match/cv.ts --data <file> [--folds 5] [--group] [--extra <file,...>] [--opts '{"gbdt":{"trees":300}}']
 * --group: pairs that share a sentence (transitively) go to the same fold, so no test sentence was seen in
 *   training: the pessimistic estimate, for a test split drawn from other sentences. Without it, folds are random
 *   over pairs: the estimate for a test split that reuses the training sentences (as pairs drawn from one pool do).
 * --extra files are added to every training fold (e.g. AFQMC train) but never scored.
 * Last stdout line: JSON with per-fold and mean accuracy.
 */
import { pathToFileURL } from 'node:url';
import { parseFlags } from '../../packages/server/src/cli/main.ts';
import { readPairsFile } from '../../packages/server/src/modules/nlu/match/pair-data.ts';
import { trainPairModel, type Pair, type TrainPairOptions } from '../../packages/server/src/modules/nlu/match/index.ts';
import { componentFolds } from '../../packages/server/src/modules/nlu/match/augment.ts';
import { mulberry32 } from '../../packages/server/src/modules/nlu/match/sparse-model.ts';

export type CvResult = { mean_accuracy: number; accuracies: number[]; train_s: number; p50_ms: number };

export function crossValidate(
  data: Pair[],
  o: { folds?: number; maxFolds?: number; group?: boolean; extra?: Pair[]; opts?: TrainPairOptions; log?: (s: string) => void } = {},
): CvResult {
  const k = o.folds ?? 5;
  const rnd = mulberry32(12345);
  const order = data.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const shuffled = order.map((i) => data[i]);
  const foldOf = o.group ? componentFolds(shuffled, k) : shuffled.map((_, r) => r % k);
  const accs: number[] = [];
  const times: number[] = [];
  const lat: number[] = [];
  for (let f = 0; f < Math.min(k, o.maxFolds ?? k); f++) {
    const test = shuffled.filter((_, r) => foldOf[r] === f);
    const train = shuffled.filter((_, r) => foldOf[r] !== f).concat(o.extra ?? []);
    const t0 = performance.now();
    const model = trainPairModel(train, o.opts);
    const trainS = (performance.now() - t0) / 1000;
    let ok = 0;
    for (const p of test) {
      const s = performance.now();
      const score = model.similarity(p.a, p.b);
      lat.push(performance.now() - s);
      if ((score >= model.threshold ? 1 : 0) === p.label) ok++;
    }
    accs.push(ok / test.length);
    times.push(trainS);
    o.log?.(`fold ${f}: n=${test.length} acc=${(ok / test.length).toFixed(4)} train_s=${trainS.toFixed(1)}\n`);
  }
  lat.sort((x, y) => x - y);
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    mean_accuracy: r4(accs.reduce((s, v) => s + v, 0) / accs.length),
    accuracies: accs.map(r4),
    train_s: Math.round((times.reduce((s, v) => s + v, 0) / times.length) * 10) / 10,
    p50_ms: r4(lat[Math.floor(lat.length / 2)]),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flags = parseFlags(process.argv.slice(2));
  const data = readPairsFile(String(flags.data));
  const extra = typeof flags.extra === 'string' ? flags.extra.split(',').flatMap((f) => readPairsFile(f)) : [];
  const res = crossValidate(data, {
    folds: Number(flags.folds ?? 5),
    maxFolds: flags['max-folds'] ? Number(flags['max-folds']) : undefined,
    group: !!flags.group,
    extra,
    opts: typeof flags.opts === 'string' ? (JSON.parse(flags.opts) as TrainPairOptions) : {},
    log: (s) => process.stderr.write(s),
  });
  console.log(JSON.stringify({ data: flags.data, extra: flags.extra ?? null, group: !!flags.group, ...res }));
}
