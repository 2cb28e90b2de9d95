/**
 * Repeated, stratified k-fold cross-validation of the intent classifier on a TRAINING split only (the dev/validation
 * split is never read): how engine changes are chosen without tuning on the split the eval reports.
 *   npx tsx eval/intent-cv.ts --data smp2019 [--folds 5] [--seeds 3] [--variants default,old,g:c13:cw1] [--errors]
 * --data: smp2019 | smp2020 (the shared JSON, so slot annotations are available to `swap`) or a `text,label` CSV.
 * Each variant prints its accuracy (mean of the per-seed out-of-fold accuracies, their spread) and, for every variant
 * after the first, the paired difference to the first over the same seeds × folds with its standard error.
 * --errors prints the first seed's out-of-fold errors (gold → predicted, text) to stderr.
 *
 * Variants: `default` (the engine's own choice), `prev` (the Chinese defaults without radicals, before 2026-11-24),
 * `old` (the Chinese defaults before 2026-11-25), `mlp` (SVM + MLP), or a grid point over the Chinese feature set,
 * e.g. `g:c12:cw1.5:p11:eps0.1:C2` — unset keys take ZH_FEATURES and the default SVM:
 *   c/w/p/r   char/word/pinyin/radical n-gram range, two digits (`r00`: no radicals); cw/ww/pw/rw/gw view weights
 *             (`gw0`: no CC-CEDICT glosses);
 *   C, eps, balance, posWeight (SVM); sw<w> SVM ensemble weight
 *   knn<k> [knnw<w>]  harness only: the k nearest training texts' cosine vote, log-share × w added to the logits
 *   swap<k>   k slot-swapped copies per annotated example (SMP only)
 * --seed0 <s>: first fold seed (confirm a choice on fold splits it was not chosen on).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLabelledCsv, type Example } from '../packages/server/src/modules/nlu/dataset.ts';
import {
  trainIntentClassifierDetailed,
  predictIntent,
  ZH_FEATURES,
  type IntentClassifierOptions,
  type LearnerConfig,
} from '../packages/server/src/modules/nlu/intent-classifier.ts';
import type { FeatureConfig } from '../packages/server/src/modules/nlu/features.ts';
import { mulberry32 } from '../packages/server/src/modules/nlu/linear-svm.ts';
import { extractCounts, vectorize, dot, type SparseVec } from '../packages/server/src/modules/nlu/features.ts';
import { normalize } from '../packages/server/src/modules/nlu/text-prep.ts';
import { margins, type IntentModel } from '../packages/server/src/modules/nlu/intent-classifier.ts';
import { parseFlags } from '../packages/server/src/cli/main.ts';
import { CACHE, SHARED } from './convert-datasets.ts';

type Slotted = Example & { slots?: Record<string, string> };
/** `knn`: harness-only experiment — k nearest training texts (tf-idf cosine) as a vote added to the ensemble logits */
type Variant = IntentClassifierOptions & { augment?: (train: Slotted[], seed: number) => Example[]; knn?: { k: number; w: number } };

/**
 * Slot-value swapping (measured, not adopted — see eval/README.md): every annotated example gets k copies in which
 * each slot value is replaced by another value of the same slot type seen with the same label.
 */
function slotSwap(k: number) {
  return (train: Slotted[], seed: number): Example[] => {
    const rand = mulberry32(seed * 7919 + 13);
    const pools = new Map<string, string[]>();
    for (const e of train) {
      for (const [t, v] of Object.entries(e.slots ?? {})) {
        if (!v || !e.text.includes(v)) continue;
        const p = pools.get(e.label + '|' + t) ?? pools.set(e.label + '|' + t, []).get(e.label + '|' + t)!;
        if (!p.includes(v)) p.push(v);
      }
    }
    const out: Example[] = train.map((e) => ({ text: e.text, label: e.label }));
    const seen = new Set(train.map((e) => e.text));
    for (const e of train) {
      const slots = Object.entries(e.slots ?? {}).filter(([t, v]) => v && e.text.includes(v) && (pools.get(e.label + '|' + t)?.length ?? 0) > 1);
      if (!slots.length) continue;
      for (let j = 0; j < k; j++) {
        let text = e.text;
        for (const [t, v] of slots) {
          const p = pools.get(e.label + '|' + t)!;
          let w = v;
          for (let tries = 0; tries < 5 && w === v; tries++) w = p[Math.floor(rand() * p.length)];
          text = text.replace(v, w);
        }
        if (!seen.has(text)) {
          seen.add(text);
          out.push({ text, label: e.label });
        }
      }
    }
    return out;
  };
}

const svm = (o: Partial<LearnerConfig> = {}): LearnerConfig => ({ kind: 'svm', view: 0, C: 2, temperature: 4, weight: 1, eps: 0.1, ...o }) as LearnerConfig;

const OLD_ZH: FeatureConfig = { word: [1, 2], char: [1, 3], pinyin: [1, 2], weights: { word: 1, char: 1, pinyin: 0.5 }, stem: true, edges: true };

/** The Chinese defaults from 2026-11-25 until radicals were added (2026-11-24 section of eval/README.md). */
const PREV_ZH: FeatureConfig = { ...ZH_FEATURES, radical: undefined, gloss: false, weights: { word: 1, char: 1.5, pinyin: 0.5 } };

const VARIANTS: Record<string, Variant> = {
  default: {},
  prev: { views: [{ features: PREV_ZH, minDf: 1 }], learners: [svm()] },
  old: { views: [{ features: OLD_ZH, minDf: 1 }], learners: [svm({ eps: 1 })] },
  mlp: { views: [{ features: ZH_FEATURES, minDf: 1 }], learners: [svm(), { kind: 'mlp', view: 0, hidden: 64, epochs: 8, lr1: 1, weight: 1 }] },
};

function grid(name: string): Variant | undefined {
  if (!name.startsWith('g:')) return undefined;
  const f: FeatureConfig = { ...ZH_FEATURES, weights: { ...ZH_FEATURES.weights } };
  const l: Record<string, number> = {};
  const knn: Record<string, number> = {};
  let augment: Variant['augment'];
  for (const part of name.slice(2).split(':')) {
    const m = /^([a-zA-Z]+)([\d.]+)$/.exec(part);
    if (!m) throw new Error(`bad grid key ${part}`);
    const [, k, val] = m;
    const range = (): [number, number] => [Number(val[0]), Number(val[1])];
    if (k === 'c') f.char = range();
    else if (k === 'w') f.word = range();
    else if (k === 'p') f.pinyin = range();
    else if (k === 'cw') f.weights.char = Number(val);
    else if (k === 'ww') f.weights.word = Number(val);
    else if (k === 'pw') f.weights.pinyin = Number(val);
    else if (k === 'r') f.radical = range();
    else if (k === 'rw') f.weights.radical = Number(val);
    else if (k === 'gw') [f.gloss, f.weights.gloss] = [Number(val) > 0, Number(val)];
    else if (k === 'swap') augment = slotSwap(Number(val));
    else if (['C', 'eps', 'balance', 'posWeight'].includes(k)) l[k] = Number(val);
    else if (k === 'sw') l.weight = Number(val);
    else if (k.startsWith('knn')) knn[k.slice(3) || 'k'] = Number(val);
    else throw new Error(`unknown grid key ${k}`);
  }
  return { views: [{ features: f, minDf: 1 }], learners: [svm(l as Partial<LearnerConfig>)], augment, knn: knn.k ? { k: knn.k, w: knn.w ?? 0.5 } : undefined };
}

const flags = parseFlags(process.argv.slice(2));
const data = String(flags.data ?? 'smp2019');
const K = Number(flags.folds ?? 5);
const S = Number(flags.seeds ?? 3);
/** first seed: confirm a choice on fold splits it was not chosen on (e.g. --seed0 10) */
const S0 = Number(flags.seed0 ?? 0);
const names = String(flags.variants ?? 'default').split(',');
const showErrors = Boolean(flags.errors);

function load(): Slotted[] {
  if (/^smp20(19|20)$/.test(data)) {
    const rows = JSON.parse(readFileSync(join(SHARED, 'smp_ecdt_nlu', `${data}.train.json`), 'utf8')) as { text: string; domain: string; intent: string | null; slots?: Record<string, string> }[];
    return rows.map((r) => ({ text: r.text, label: `${r.domain}.${r.intent}`, slots: r.slots }));
  }
  return readLabelledCsv(data.includes('/') || data.endsWith('.csv') ? data : join(CACHE, `${data}-train.csv`));
}
const all = load();

/** Per-label stratified fold assignment, seeded. */
function folds(seed: number): Int32Array {
  const rand = mulberry32(1000 + seed);
  const byLabel = new Map<string, number[]>();
  all.forEach((e, i) => (byLabel.get(e.label) ?? byLabel.set(e.label, []).get(e.label)!).push(i));
  const out = new Int32Array(all.length);
  let offset = 0;
  for (const [, idx] of [...byLabel].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((k, r) => (out[k] = (r + offset) % K));
    offset += idx.length;
  }
  return out;
}

function knnPredictor(model: IntentModel, train: Example[], o: { k: number; w: number }): (text: string) => string {
  const v = model.views[0];
  const vec = (t: string) => vectorize(extractCounts(normalize(t), v.cfg.features, true), v.vocab, v.cfg.features);
  const li = new Map(model.labels.map((l, i) => [l, i]));
  const X: SparseVec[] = train.map((e) => vec(e.text));
  const L = model.labels.length;
  return (text: string) => {
    const m = margins(model, normalize(text), L);
    const x = vec(text);
    const sims = X.map((xi, i) => [dot(x, xi), i] as const).sort((a, b) => b[0] - a[0]).slice(0, o.k);
    const q = new Float64Array(L).fill(0.05);
    for (const [s, i] of sims) q[li.get(train[i].label)!] += Math.max(0, s);
    let z = 0;
    for (const t of q) z += t;
    let best = 0;
    for (let c = 0; c < L; c++) {
      m[c] += o.w * Math.log(q[c] / z);
      if (m[c] > m[best]) best = c;
    }
    return model.labels[best];
  };
}

let firstFolds: number[] | null = null;
for (const name of names) {
  const v = VARIANTS[name] ?? grid(name);
  if (!v) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS).join(', ')} or g:…`);
  const { augment, knn, ...opts } = v;
  const seedAcc: number[] = [];
  const foldAcc: number[] = [];
  let trainMs = 0;
  const errors: string[] = [];
  for (let s = S0; s < S0 + S; s++) {
    const fold = folds(s);
    let ok = 0;
    for (let k = 0; k < K; k++) {
      const train = all.filter((_, i) => fold[i] !== k);
      const test = all.filter((_, i) => fold[i] === k);
      const t0 = performance.now();
      // No calibration folds: the temperature does not change the argmax, and CV needs only the argmax.
      const { model } = trainIntentClassifierDetailed(augment ? augment(train, s * 100 + k) : train, { calibrationFolds: 0, seed: 1 + s, ...opts });
      trainMs += performance.now() - t0;
      let okK = 0;
      const predict = knn ? knnPredictor(model, train, knn) : (t: string) => predictIntent(model, t, 1).label;
      for (const e of test) {
        const label = predict(e.text);
        if (label === e.label) okK++;
        else if (showErrors && s === S0) errors.push(`${e.label}\t→ ${label}\t${e.text}`);
      }
      ok += okK;
      foldAcc.push(okK / test.length);
    }
    seedAcc.push(ok / all.length);
  }
  const mean = seedAcc.reduce((a, b) => a + b, 0) / S;
  const sd = Math.sqrt(seedAcc.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, S - 1));
  process.stdout.write(`${name.padEnd(28)} acc ${mean.toFixed(4)} ±${sd.toFixed(4)}  [${seedAcc.map((x) => x.toFixed(4)).join(' ')}]  train ${(trainMs / S / K / 1000).toFixed(2)} s/fold\n`);
  if (!firstFolds) firstFolds = foldAcc;
  else {
    const d = foldAcc.map((a, i) => a - firstFolds![i]);
    const md = d.reduce((a, b) => a + b, 0) / d.length;
    const se = Math.sqrt(d.reduce((a, b) => a + (b - md) ** 2, 0) / Math.max(1, d.length - 1) / d.length);
    process.stdout.write(`${''.padEnd(28)} vs ${names[0]}: ${md >= 0 ? '+' : ''}${(md * 100).toFixed(2)} ± ${(se * 100).toFixed(2)} points (paired over ${d.length} folds)\n`);
  }
  if (showErrors) for (const e of errors.sort()) process.stderr.write(e + '\n');
}
