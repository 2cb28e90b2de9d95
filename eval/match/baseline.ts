/**
 * Reproduces eval/match/baseline.json: 5-fold cross-validation of the pair matcher on the shared BQ and LCQMC
 * dev files (random and sentence-grouped folds), and cross-corpus transfer between the shared files.
 *   nice -n 10 npx tsx eval/match/baseline.ts [--out eval/match/baseline.json]
 * Takes a few minutes on two cores. Held-out test splits are never read.
 */
import { writeFileSync } from 'node:fs';
import { parseFlags } from '../../packages/server/src/cli/main.ts';
import { readPairsFile } from '../../packages/server/src/modules/nlu/match/pair-data.ts';
import { trainPairModel, type Pair } from '../../packages/server/src/modules/nlu/match/index.ts';
import { crossValidate } from './cv.ts';

const D = process.env.LINGXI_DATASETS ?? '/work/shared/datasets';
const flags = parseFlags(process.argv.slice(2));
const out = typeof flags.out === 'string' ? flags.out : 'eval/match/baseline.json';
const log = (s: string) => process.stderr.write(s);

const bq = readPairsFile(`${D}/bq_corpus/dev.csv`);
const lcqmc = readPairsFile(`${D}/lcqmc/dev.txt`);
const afqmc = readPairsFile(`${D}/afqmc/train.txt`);

function transfer(train: Pair[], test: Pair[]): { accuracy: number; n: number; train_s: number } {
  const t0 = performance.now();
  const m = trainPairModel(train);
  const trainS = (performance.now() - t0) / 1000;
  let ok = 0;
  for (const p of test) if ((m.similarity(p.a, p.b) >= m.threshold ? 1 : 0) === p.label) ok++;
  return { accuracy: Math.round((ok / test.length) * 1e4) / 1e4, n: test.length, train_s: Math.round(trainS * 10) / 10 };
}

const results: Record<string, unknown> = {};
for (const [name, data] of [['bq_dev', bq], ['lcqmc_dev', lcqmc]] as const) {
  for (const group of [false, true]) {
    const key = `${name}_cv5_${group ? 'grouped' : 'random'}`;
    log(`${key}\n`);
    results[key] = crossValidate(data, { folds: 5, group, log });
  }
}
log('transfer\n');
results.train_bq_test_lcqmc = transfer(bq, lcqmc);
results.train_lcqmc_test_bq = transfer(lcqmc, bq);
results.train_afqmc_test_bq = transfer(afqmc, bq);
const summary = { generated: new Date().toISOString().slice(0, 10), ...results };
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
console.log(JSON.stringify(summary));
