/**
 * Intent classifier: an ensemble of linear SVMs over sparse n-gram views, with softmax calibration.
 *
 * Each member sees one feature configuration (e.g. words+chars, chars only, with or without pinyin);
 * their decision values are averaged. The temperature that turns averaged margins into probabilities is
 * fit by cross-validation on the training set, so `score` behaves like a probability and the
 * out-of-scope threshold (oos-detector.ts) can be chosen from training data alone.
 */
import {
  extractCounts,
  fitVocabulary,
  vectorize,
  vocabularyFrom,
  type FeatureConfig,
  type SparseVec,
  type Vocabulary,
} from './features.ts';
import { normalize, hasHan } from './text-prep.ts';
import { trainMlp, mlpLogits, type MlpModel } from './mlp.ts';
import { trainOvrSvm, trainHardNegativeSvm, denseOf, decision, softmax, mulberry32, type LinearModel } from './linear-svm.ts';
import { f32ToB64, b64ToF32, i32ToB64, b64ToI32, toText, roundBf16, bf16ToB64, b64ToBf16 } from './codec.ts';
import { TrainingError, type Example, type IntentPrediction, type NluComponent } from './component.ts';

export type ViewConfig = { features: FeatureConfig; minDf: number };
export type LearnerConfig =
  /** `parent`: trained on the label's prefix before the first '.' (domain of "domain.intent"), its
   * log-probability added to every label of that domain — the domain pools its intents' examples. */
  | {
      kind: 'svm';
      view: number;
      C: number;
      temperature?: number;
      weight?: number;
      parent?: boolean;
      /** C multiplier of each class's positives: (median class size / class size)^balance, in [1/4, 4] */
      balance?: number;
      /** C multiplier of every one-vs-rest problem's positives */
      posWeight?: number;
      /** stopping tolerance of the dual coordinate descent (default 1: loose, fast; LIBLINEAR's is 0.1) */
      eps?: number;
      /**
       * Train each one-vs-rest problem on the class's rows and its `negatives` hardest negatives only (the rows most
       * like the class's own: `trainHardNegativeSvm`) instead of every row — for bots with many examples × intents.
       */
      negatives?: number;
    }
  | { kind: 'mlp'; view: number; hidden: number; epochs: number; lr1?: number; dropout?: number; weight?: number };

export type IntentClassifierOptions = {
  views?: ViewConfig[];
  learners?: LearnerConfig[];
  /** SVM passes over the data */
  epochs?: number;
  /** folds used to fit the softmax temperature and OOS threshold (0 = none; default 3, 2 for big sets) */
  calibrationFolds?: number;
  /** MLP epochs inside calibration folds, as a share of the final model's (time budget: ≤ 15 s for 10k examples) */
  foldEpochShare?: number;
  seed?: number;
};

type View = { cfg: ViewConfig; vocab: Vocabulary };
type Learner = { cfg: LearnerConfig; svm?: LinearModel; mlp?: MlpModel; parents?: Parents };
type Parents = { of: Int32Array; n: number };

function parentsOf(labels: string[]): Parents {
  const names = labels.map((l) => (l.includes('.') ? l.slice(0, l.indexOf('.')) : l));
  const uniq = [...new Set(names)].sort();
  const ix = new Map(uniq.map((u, i) => [u, i]));
  return { of: Int32Array.from(names, (n) => ix.get(n)!), n: uniq.length };
}

export type IntentModel = {
  labels: string[];
  views: View[];
  learners: Learner[];
  temperature: number;
};

export const EN_FEATURES: FeatureConfig = { word: [1, 2], char: [1, 4], pinyin: [0, 0], weights: { word: 1, char: 1, pinyin: 0 }, stem: true, edges: true };
/**
 * Chinese: Han char 1–2-grams weighted 1.5 next to jieba word 1–2-grams, pinyin syllables (homophone typos).
 * Chosen by repeated 5-fold CV on the SMP2019 and SMP2020 training splits (eval/README.md, eval/intent-cv.ts):
 * char unigrams carry most of what generalises to unseen names (病, 炎, 鸡, 台…); char trigrams, pinyin bigrams and
 * idf-heavier weighting mostly memorise the training texts. Radical unigrams (view weight 0.75) carry it one step
 * further, to characters the bot has never seen (湿疹, 脑瘫, 黄疸 → 疒): +0.2–0.3 points in SMP CV (2026-11-24).
 * The English glosses of the words (CC-CEDICT, view weight 1) carry what a dictionary knows of names and dishes the
 * bot has never seen (搜狗 → company, 干锅 → dish): +0.6 points in SMP2019 CV, +0.2 in SMP2020 (2026-11-24).
 */
export const ZH_FEATURES: FeatureConfig = {
  word: [1, 2],
  char: [1, 2],
  pinyin: [1, 1],
  radical: [1, 1],
  gloss: true,
  weights: { word: 1, char: 1.5, pinyin: 0.5, radical: 0.75, gloss: 1 },
  stem: true,
  edges: true,
};

/** From this many examples × intents on, the SVM trains each intent against its hardest negatives only. */
export const INTENT_HARD_NEGATIVES_FROM = 1_500_000;
export const INTENT_HARD_NEGATIVES = 2000;

/** True when a third or more of the texts have Han characters: the bot is Chinese. */
function isChinese(texts: string[]): boolean {
  return texts.filter((t) => hasHan(t)).length > texts.length / 3;
}

/** The feature set for these training texts, from their script: ZH_FEATURES for a Chinese bot, else EN_FEATURES. */
export function intentFeatures(texts: string[]): FeatureConfig {
  return isChinese(texts) ? ZH_FEATURES : EN_FEATURES;
}

/** Picks the feature set from the script of the training data: pinyin and short char n-grams for Chinese. */
export function defaultOptions(texts: string[], classes = 1): Required<Pick<IntentClassifierOptions, 'views' | 'learners'>> {
  const zh = isChinese(texts);
  const features = zh ? ZH_FEATURES : EN_FEATURES;
  // The MLP needs data (tiny bots get the SVM alone and train instantly). On Chinese it did not help in
  // cross-validation (SMP2019/2020: −0.3 to −0.5 points), so Chinese bots use the SVM alone — and can afford to
  // run it to LIBLINEAR's tolerance (eps 0.1: +0.2 points in SMP CV; on Banking77 +0.1, so English keeps the faster 1).
  const big = texts.length >= 400 && !zh;
  // Many examples × many intents (CLINC150: 15,100 × 151): each one-vs-rest problem sees the intent's examples and
  // its 2,000 hardest negatives instead of every example — the SVM 4× faster, accuracy within noise (eval/README.md).
  const hard = texts.length * classes >= INTENT_HARD_NEGATIVES_FROM ? { negatives: INTENT_HARD_NEGATIVES } : {};
  return {
    views: [{ features, minDf: 1 }],
    learners: big
      ? [
          { kind: 'svm', view: 0, C: 2, temperature: 4, weight: 1, ...hard },
          { kind: 'mlp', view: 0, hidden: 64, epochs: 8, lr1: 1, weight: 1 },
        ]
      : [{ kind: 'svm', view: 0, C: 2, temperature: 4, weight: 1, ...(zh ? { eps: 0.1 } : {}) }],
  };
}

const DEFAULT_TEMPERATURE = 1;

/** Deduplicates (text, label) pairs; a text given two labels keeps the majority (first on ties). */
function clean(examples: Example[]): { texts: string[]; y: Int32Array; labels: string[] } {
  if (!Array.isArray(examples) || examples.length === 0) throw new TrainingError('no training examples: add at least one example to an intent');
  const byText = new Map<string, Map<string, number>>();
  for (const e of examples) {
    if (!e || typeof e.text !== 'string' || typeof e.label !== 'string') throw new TrainingError('every example needs text and label strings');
    const label = e.label.trim();
    if (!label) throw new TrainingError(`example "${e.text.slice(0, 40)}" has an empty label`);
    const norm = normalize(e.text);
    if (!norm) continue;
    const m = byText.get(norm) ?? byText.set(norm, new Map()).get(norm)!;
    m.set(label, (m.get(label) ?? 0) + 1);
  }
  const labelSet = new Set<string>();
  for (const e of examples) labelSet.add(e.label.trim());
  const labels = [...labelSet].sort();
  const li = new Map(labels.map((l, i) => [l, i]));
  const texts: string[] = [];
  const y: number[] = [];
  for (const [t, m] of byText) {
    let best = '';
    let bc = -1;
    for (const [l, c] of m) if (c > bc) [best, bc] = [l, c];
    texts.push(t);
    y.push(li.get(best)!);
  }
  if (!texts.length) throw new TrainingError('no usable training text: every example is empty after normalisation');
  return { texts, y: Int32Array.from(y), labels };
}

type Fitted = { views: View[]; learners: Learner[] };

type Counts = Map<number, number>[][];

function countAll(texts: string[], views: ViewConfig[]): Counts {
  return views.map((v) => texts.map((t) => extractCounts(t, v.features, true)));
}

/** Fits the views and every learner except those in `skip` (left as holes, for a worker thread to fill in). */
function fit(texts: string[], y: Int32Array, labels: string[], views: ViewConfig[], learners: LearnerConfig[], epochs: number, seed: number, pre?: Counts, skip?: ReadonlySet<number>): Fitted {
  const nLabels = labels.length;
  const vs: View[] = [];
  const Xs: SparseVec[][] = [];
  for (const [vi, cfg] of views.entries()) {
    const counts = pre ? pre[vi] : texts.map((t) => extractCounts(t, cfg.features, true));
    const vocab = fitVocabulary(counts, cfg.minDf);
    vs.push({ cfg, vocab });
    Xs.push(counts.map((c) => vectorize(c, vocab, cfg.features)));
  }
  const ls = learners.map((cfg, k): Learner => {
    if (skip?.has(k)) return { cfg };
    const X = Xs[cfg.view];
    const dim = vs[cfg.view].vocab.ids.length;
    if (cfg.kind === 'svm' && cfg.parent) {
      const parents = parentsOf(labels);
      const py = Int32Array.from(y, (c) => parents.of[c]);
      return { cfg, parents, svm: trainOvrSvm(X, py, dim, parents.n, { C: cfg.C, epochs, eps: 1, seed: seed + k }) };
    }
    if (cfg.kind === 'svm') {
      let posWeight: number | Float64Array = cfg.posWeight ?? 1;
      if (cfg.balance) {
        const n = new Float64Array(nLabels);
        for (const c of y) n[c]++;
        const med = [...n].filter((v) => v > 0).sort((a, b) => a - b)[Math.floor(n.filter((v) => v > 0).length / 2)] ?? 1;
        posWeight = Float64Array.from(n, (v) => (cfg.posWeight ?? 1) * Math.min(4, Math.max(0.25, Math.pow(med / Math.max(1, v), cfg.balance!))));
      }
      const o = { C: cfg.C, epochs, eps: cfg.eps ?? 1, seed: seed + k, posWeight };
      // Hard negatives are found through the features rows share, skipping those in > 5 % of rows (the, what, 的).
      const svm = cfg.negatives ? denseOf(trainHardNegativeSvm(X, y, dim, nLabels, { ...o, negatives: cfg.negatives, maxDfShare: 0.05 })) : trainOvrSvm(X, y, dim, nLabels, o);
      return { cfg, svm };
    }
    return { cfg, mlp: trainMlp(X, y, dim, nLabels, { hidden: cfg.hidden, epochs: cfg.epochs, lr1: cfg.lr1, dropout: cfg.dropout, seed: seed + k }) };
  });
  // Store-precision weights from the start (bfloat16 for the big matrices), so a saved model predicts exactly as trained.
  for (const l of ls) {
    if (l.svm) roundBf16(l.svm.W);
    if (l.mlp) roundBf16(l.mlp.W1);
  }
  return { views: vs, learners: ls };
}

/** One learner of the final model, fitted on its own (a worker thread's job): the same weights `fit` gives it. */
export function fitOneLearner(texts: string[], y: Int32Array, labels: string[], views: ViewConfig[], learners: LearnerConfig[], epochs: number, seed: number, index: number): { svm?: LinearModel; mlp?: MlpModel } {
  const skip = new Set(learners.map((_, k) => k).filter((k) => k !== index));
  const l = fit(texts, y, labels, views, learners, epochs, seed, undefined, skip).learners[index];
  return { svm: l.svm, mlp: l.mlp };
}

/**
 * Ensemble score per label: weighted sum of each learner's log-probabilities (SVM margins through a
 * fixed-temperature softmax, MLP logits as they are). Returned as logits for the calibrated softmax.
 */
export function margins(f: Fitted, norm: string, nLabels: number): Float64Array {
  const acc = new Float64Array(nLabels);
  const tmp = new Float64Array(nLabels);
  const xs = f.views.map((v) => vectorize(extractCounts(norm, v.cfg.features, true), v.vocab, v.cfg.features));
  let wsum = 0;
  for (const l of f.learners) {
    const x = xs[l.cfg.view];
    const w = l.cfg.weight ?? 1;
    wsum += w;
    if (l.parents && l.svm) {
      const T = l.cfg.kind === 'svm' ? (l.cfg.temperature ?? 4) : 1;
      const ps = decision(l.svm, x);
      let mx = -Infinity;
      for (let c = 0; c < ps.length; c++) mx = Math.max(mx, (ps[c] *= T));
      let z = 0;
      for (let c = 0; c < ps.length; c++) z += Math.exp(ps[c] - mx);
      const lz = mx + Math.log(z);
      for (let c = 0; c < nLabels; c++) acc[c] += w * (ps[l.parents.of[c]] - lz);
      continue;
    }
    if (l.svm) {
      decision(l.svm, x, tmp);
      const T = l.cfg.kind === 'svm' ? (l.cfg.temperature ?? 4) : 1;
      for (let c = 0; c < nLabels; c++) tmp[c] *= T;
    } else if (l.mlp) mlpLogits(l.mlp, x, tmp);
    let mx = -Infinity;
    for (let c = 0; c < nLabels; c++) if (tmp[c] > mx) mx = tmp[c];
    let z = 0;
    for (let c = 0; c < nLabels; c++) z += Math.exp(tmp[c] - mx);
    const lz = mx + Math.log(z);
    for (let c = 0; c < nLabels; c++) acc[c] += w * (tmp[c] - lz);
  }
  if (wsum > 0) for (let c = 0; c < nLabels; c++) acc[c] /= wsum;
  return acc;
}

/** Temperature minimising held-out log-loss, by golden-section search over log T. */
function fitTemperature(rows: { m: Float64Array; y: number }[]): number {
  const nll = (T: number) => {
    let s = 0;
    for (const r of rows) {
      let mx = -Infinity;
      for (let c = 0; c < r.m.length; c++) mx = Math.max(mx, r.m[c]);
      let z = 0;
      for (let c = 0; c < r.m.length; c++) z += Math.exp((r.m[c] - mx) * T);
      s += -((r.m[r.y] - mx) * T - Math.log(z));
    }
    return s;
  };
  let a = Math.log(0.5);
  let b = Math.log(100);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 40; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (nll(Math.exp(c)) < nll(Math.exp(d))) b = d;
    else a = c;
  }
  return Math.exp((a + b) / 2);
}

/** Which calibration fold each training text falls in (seeded, so a worker thread computes the same split). */
function foldOf(n: number, folds: number, seed: number): Int32Array {
  const rand = mulberry32(seed + 101);
  return Int32Array.from({ length: n }, () => Math.floor(rand() * folds));
}

/**
 * Out-of-fold ensemble logits for every training text (used for temperature and OOS thresholds), or with
 * `only`, for the texts of that one fold (the rest of the array left empty): what a worker thread computes.
 */
export function outOfFoldMargins(texts: string[], y: Int32Array, labels: string[], views: ViewConfig[], learners: LearnerConfig[], folds: number, epochs: number, seed: number, pre?: Counts, only?: number): Float64Array[] {
  const all = pre ?? countAll(texts, views);
  const fold = foldOf(texts.length, folds, seed);
  const out: Float64Array[] = new Array(texts.length);
  for (let f = 0; f < folds; f++) {
    if (only !== undefined && f !== only) continue;
    const tr: number[] = [];
    for (let i = 0; i < texts.length; i++) if (fold[i] !== f) tr.push(i);
    const nLabels = labels.length;
    const m = fit(tr.map((i) => texts[i]), Int32Array.from(tr, (i) => y[i]), labels, views, learners, epochs, seed, all.map((c) => tr.map((i) => c[i])));
    for (let i = 0; i < texts.length; i++) if (fold[i] === f) out[i] = margins(m, texts[i], nLabels);
  }
  return out;
}

export type TrainResult = { model: IntentModel; oof?: Float64Array[]; y: Int32Array; texts: string[] };

/** Work a worker thread does for the parallel trainer (plain data): one calibration fold, or one final learner. */
export type OffThreadJob = { texts: string[]; y: Int32Array; labels: string[]; views: ViewConfig[]; learners: LearnerConfig[]; epochs: number; seed: number } & (
  | { kind: 'fold'; folds: number; fold: number }
  | { kind: 'learner'; index: number }
);

/** What a worker hands back: the fold's held-out logits (holes elsewhere), or the learner's weights. */
export type OffThreadRunner = {
  fold(job: OffThreadJob & { kind: 'fold' }): Promise<Float64Array[]>;
  learner(job: OffThreadJob & { kind: 'learner' }): Promise<{ svm?: LinearModel; mlp?: MlpModel }>;
};

type Plan = {
  texts: string[];
  y: Int32Array;
  labels: string[];
  views: ViewConfig[];
  learners: LearnerConfig[];
  epochs: number;
  seed: number;
  counts: Counts;
  /** calibration folds, or null when the bot is too small to calibrate */
  calibration: { folds: number; learners: LearnerConfig[] } | null;
};

function plan(examples: Example[], opts: IntentClassifierOptions): Plan {
  const { texts, y, labels } = clean(examples);
  const def = defaultOptions(texts, labels.length);
  const views = opts.views ?? def.views;
  const learners = opts.learners ?? def.learners;
  const folds = opts.calibrationFolds ?? (texts.length >= 5000 ? 2 : 3);
  // Calibration needs every class to have a chance of being held out and predicted; skip it for toy bots.
  const calibrate = folds >= 2 && labels.length >= 2 && texts.length >= 4 * labels.length;
  const share = opts.foldEpochShare ?? 0.5;
  return {
    texts,
    y,
    labels,
    views,
    learners,
    epochs: opts.epochs ?? 20,
    seed: opts.seed ?? 1,
    counts: countAll(texts, views),
    calibration: calibrate ? { folds, learners: learners.map((l) => (l.kind === 'mlp' ? { ...l, epochs: Math.max(2, Math.round(l.epochs * share)) } : l)) } : null,
  };
}

function finish(p: Plan, fitted: Fitted, oof: Float64Array[] | undefined): TrainResult {
  const model: IntentModel = { labels: p.labels, ...fitted, temperature: DEFAULT_TEMPERATURE };
  if (oof) model.temperature = fitTemperature(oof.map((m, i) => ({ m, y: p.y[i] })));
  return { model, oof, y: p.y, texts: p.texts };
}

function trainOnThisThread(p: Plan): TrainResult {
  const fitted = fit(p.texts, p.y, p.labels, p.views, p.learners, p.epochs, p.seed, p.counts);
  const c = p.calibration;
  return finish(p, fitted, c ? outOfFoldMargins(p.texts, p.y, p.labels, p.views, c.learners, c.folds, p.epochs, p.seed, p.counts) : undefined);
}

export function trainIntentClassifierDetailed(examples: Example[], opts: IntentClassifierOptions = {}): TrainResult {
  return trainOnThisThread(plan(examples, opts));
}

/** From this many training texts on, the async trainer spreads its work over worker threads. */
export const PARALLEL_MIN_TEXTS = 3000;

/**
 * The same model as `trainIntentClassifierDetailed` (identical weights, temperature and out-of-fold logits), with the
 * work spread over threads: each calibration fold, and every learner of the final model but the last, on a worker
 * thread (`oof-pool.ts`) while this thread fits the last learner (the MLP, for big English bots). On two cores a
 * 10,000-example English bot trains in about half the wall time. Small bots, or `parallel: false`, train on this
 * thread alone.
 */
export async function trainIntentClassifierParallel(examples: Example[], opts: IntentClassifierOptions & { parallel?: boolean }, run: OffThreadRunner): Promise<TrainResult> {
  const p = plan(examples, opts);
  const c = p.calibration;
  if (!(opts.parallel ?? p.texts.length >= PARALLEL_MIN_TEXTS)) return trainOnThisThread(p);
  const base = { texts: p.texts, y: p.y, labels: p.labels, views: p.views, epochs: p.epochs, seed: p.seed };
  const offloaded = p.learners.map((_, k) => k).slice(0, -1);
  const learnerJobs = offloaded.map((index) => run.learner({ ...base, learners: p.learners, kind: 'learner', index }));
  const foldJobs = c ? Array.from({ length: c.folds }, (_, fold) => run.fold({ ...base, learners: c.learners, kind: 'fold', folds: c.folds, fold })) : [];
  // Every job settles before anything is thrown, so a failed one never leaves an unhandled rejection behind.
  const settledLearners = Promise.allSettled(learnerJobs);
  const settledFolds = Promise.allSettled(foldJobs);
  const fitted = fit(p.texts, p.y, p.labels, p.views, p.learners, p.epochs, p.seed, p.counts, new Set(offloaded));
  const [ls, fs] = [await settledLearners, await settledFolds];
  for (const r of [...ls, ...fs]) if (r.status === 'rejected') throw r.reason;
  ls.forEach((r, j) => {
    const l = fitted.learners[offloaded[j]];
    const w = (r as PromiseFulfilledResult<{ svm?: LinearModel; mlp?: MlpModel }>).value;
    if (w.svm) l.svm = w.svm;
    if (w.mlp) l.mlp = w.mlp;
    if (l.cfg.kind === 'svm' && l.cfg.parent) l.parents = parentsOf(p.labels);
  });
  let oof: Float64Array[] | undefined;
  if (c) {
    oof = new Array(p.texts.length);
    for (const r of fs) (r as PromiseFulfilledResult<Float64Array[]>).value.forEach((m, i) => (oof![i] = m));
  }
  return finish(p, fitted, oof);
}

export function predictIntent(model: IntentModel, text: string, topN = 5): IntentPrediction {
  const norm = normalize(text);
  const L = model.labels.length;
  if (L === 1) return { label: model.labels[0], score: norm ? 1 : 0, ranking: [{ label: model.labels[0], score: norm ? 1 : 0 }] };
  const p = softmax(margins(model, norm, L), model.temperature);
  const order = Array.from({ length: L }, (_, i) => i).sort((a, b) => p[b] - p[a]).slice(0, topN);
  const ranking = order.map((i) => ({ label: model.labels[i], score: p[i] }));
  return { label: ranking[0].label, score: ranking[0].score, ranking };
}

const FORMAT = 'lingxi.intent/3';

export function serializeIntentModel(model: IntentModel): Buffer {
  return Buffer.from(
    JSON.stringify({
      format: FORMAT,
      labels: model.labels,
      temperature: model.temperature,
      views: model.views.map((v) => ({ cfg: v.cfg, ids: i32ToB64(v.vocab.ids), idf: f32ToB64(v.vocab.idf) })),
      learners: model.learners.map((l) => ({
        cfg: l.cfg,
        svm: l.svm && { dim: l.svm.dim, W: bf16ToB64(l.svm.W) },
        mlp: l.mlp && { dim: l.mlp.dim, hidden: l.mlp.hidden, W1: bf16ToB64(l.mlp.W1), b1: f32ToB64(l.mlp.b1), W2: f32ToB64(l.mlp.W2), b2: f32ToB64(l.mlp.b2) },
      })),
    }),
  );
}

type Stored = {
  labels: string[];
  temperature: number;
  views: { cfg: ViewConfig; ids: string; idf: string }[];
  learners: { cfg: LearnerConfig; svm?: { dim: number; W: string }; mlp?: { dim: number; hidden: number; W1: string; b1: string; W2: string; b2: string } }[];
};

export function deserializeIntentModel(data: Buffer | string): IntentModel {
  const o = JSON.parse(toText(data)) as Stored & { format?: string };
  if (o?.format !== FORMAT) throw new Error(`not a ${FORMAT} model`);
  const classes = o.labels.length;
  // A learner this engine cannot run (a kind it does not know, or missing weights) fails here, not at predict time.
  for (const [i, l] of o.learners.entries()) {
    const kind: unknown = l.cfg?.kind;
    if (kind !== 'svm' && kind !== 'mlp') throw new Error(`${FORMAT} model: learner ${i} has unknown kind ${JSON.stringify(kind)} (retrain the bot)`);
    if (!(kind === 'svm' ? l.svm : l.mlp)) throw new Error(`${FORMAT} model: learner ${i} (${kind}) has no weights`);
  }
  return {
    labels: o.labels,
    temperature: o.temperature,
    views: o.views.map((v) => ({ cfg: v.cfg, vocab: vocabularyFrom(b64ToI32(v.ids), b64ToF32(v.idf)) })),
    learners: o.learners.map((l) => ({
      cfg: l.cfg,
      svm: l.svm && { dim: l.svm.dim, classes: l.cfg.kind === 'svm' && l.cfg.parent ? parentsOf(o.labels).n : classes, W: b64ToBf16(l.svm.W) },
      parents: l.cfg.kind === 'svm' && l.cfg.parent ? parentsOf(o.labels) : undefined,
      mlp: l.mlp && { dim: l.mlp.dim, hidden: l.mlp.hidden, classes, W1: b64ToBf16(l.mlp.W1), b1: b64ToF32(l.mlp.b1), W2: b64ToF32(l.mlp.W2), b2: b64ToF32(l.mlp.b2) },
    })),
  };
}

export const intentClassifier: NluComponent<IntentModel, IntentClassifierOptions> = {
  name: 'intent-svm-mlp-ensemble',
  train: (examples, opts) => trainIntentClassifierDetailed(examples, opts).model,
  predict: (model, text) => predictIntent(model, text),
  serialize: serializeIntentModel,
  deserialize: deserializeIntentModel,
};
