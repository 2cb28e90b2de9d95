/**
 * Question matching: a learned similarity between two questions, trained from labelled pairs.
 *
 * Two stages, stacked:
 *  1. a hashed logistic regression over lexical interactions (shared / one-sided / facing words, characters,
 *     pinyin and character bigrams), see sparse-model.ts, trained on the given pairs plus their transitive closure
 *     (augment.ts); its score for the training pairs is produced out-of-fold, with folds that keep pairs sharing a
 *     sentence together, so stage 2 learns how far to trust it on questions it has not seen;
 *  2. gradient-boosted trees (gbdt.ts) over ~55 dense overlap, distance and mismatch features (dense-features.ts),
 *     soft-alignment scores from word vectors learned on the training sentences (embeddings.ts), and that score.
 * Both stages weight the classes equally and minimise log-loss, so the output is a probability under a balanced
 * prior and 0.5 is the accuracy-optimal cut; `threshold` is that value. Measured figures: eval/match/README.md.
 */
import { analyzePairText, warmPinyin, type Lang, type PairText, type Tokenizer } from './pair-text.ts';
import { buildCorpusStats, deserializeStats, serializeStats, type CorpusStats } from './corpus-stats.ts';
import { denseFeatures } from './dense-features.ts';
import {
  DEFAULT_SPARSE_OPTS, DEFAULT_SPARSE_VIEWS, HASH_BITS, mulberry32, type SparseViews, sparseIndices, sparseMargin, trainSparse, type SparseOpts,
} from './sparse-model.ts';
import { DEFAULT_EMBED_OPTS, alignmentFeatures, trainEmbeddings, type EmbedOpts, type Embeddings } from './embeddings.ts';
import { idf } from './corpus-stats.ts';
import { augmentByTransitivity, componentFolds } from './augment.ts';
import { buildPairMemory, deserializeMemory, recall, serializeMemory, type PairMemory } from './pair-memory.ts';
import { DEFAULT_GBDT_OPTS, gbdtMargin, trainGbdt, type Gbdt, type GbdtOpts } from './gbdt.ts';

export { pairsFromGroups, type FaqPairOptions } from './faq-pairs.ts';
export { parsePairs, readPairsFile } from './pair-data.ts';

export type Pair = { a: string; b: string; label: 0 | 1 };
export type PairModel = {
  /** Probability in 0..1 that a and b ask the same thing. */
  similarity(a: string, b: string): number;
  /** Decision threshold chosen at training time. */
  threshold: number;
  serialize(): string | Buffer;
};

export type TrainPairOptions = {
  lang?: Lang;
  seed?: number;
  /** Tuning knobs for experiments (eval/match); the defaults are the cross-validated choice. */
  sparse?: Partial<SparseOpts>;
  gbdt?: Partial<GbdtOpts>;
  oofFolds?: number;
  /** Co-occurrence word vectors for soft alignment; false turns them off. */
  embed?: Partial<EmbedOpts> | false;
  /** Also embed characters, for soft alignment of words never seen in training (they are mostly compounds). */
  embedChars?: boolean;
  /** Transitive-closure pairs added, at most this many times the given pairs (0 turns it off). */
  augment?: number;
  /** How out-of-fold folds are drawn: by connected component of shared sentences, or at random. */
  oofMode?: 'component' | 'random';
  tokenizer?: Tokenizer;
  views?: Partial<SparseViews>;
  /** Pick the cut from out-of-fold tree scores (class-balanced accuracy) instead of 0.5. */
  tuneThreshold?: boolean;
  /** Answer pairs whose relation the training labels settle (transitively) from those labels; default true. */
  memory?: boolean;
  /**
   * Weight the classes equally (default true), so that 0.5 stays the cut when the training mix is skewed (AFQMC is
   * 31% positive, BQ and LCQMC 50%); FAQ re-ranking wants "same question?" judged without a base-rate bias.
   */
  balance?: boolean;
};

const FORMAT = 'lingxi-pair-model/1';

type ModelParts = { lang: Lang; tokenizer: Tokenizer; views: SparseViews; stats: CorpusStats; weights: Float32Array; gbdt: Gbdt; threshold: number; emb: Embeddings | null; embChars: boolean; memory: PairMemory | null };

// Characters share the embedding table with words under a prefix that no word contains.
const CHAR_MARK = '\u0002';
const markChars = (cs: string[]) => cs.map((c) => CHAR_MARK + c);

function pairFeatures(ta: PairText, tb: PairText, stats: CorpusStats, emb: Embeddings | null, embChars: boolean): number[] {
  const x = denseFeatures(ta, tb, stats);
  if (emb) {
    x.push(...alignmentFeatures(emb, ta.words, tb.words, (t) => idf(stats.wordDf, stats.nDocs, t)));
    if (embChars) x.push(...alignmentFeatures(emb, markChars(ta.chars), markChars(tb.chars), (t) => idf(stats.charDf, stats.nDocs, t.slice(1))));
  }
  return x;
}

function detectLang(pairs: Pair[]): Lang {
  let cjk = 0;
  let latin = 0;
  for (const p of pairs.slice(0, 500)) {
    for (const c of p.a + p.b) {
      if (/[\u3400-\u9fff]/.test(c)) cjk++;
      else if (/[a-zA-Z]/.test(c)) latin++;
    }
  }
  return latin > cjk * 3 ? 'en' : 'zh';
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function trainPairModel(given: Pair[], opts: TrainPairOptions = {}): PairModel {
  const pairs = given.filter((p) => typeof p.a === 'string' && typeof p.b === 'string');
  if (pairs.length === 0) throw new Error('trainPairModel: no training pairs');
  const labels = new Set(pairs.map((p) => p.label));
  if (labels.size < 2) throw new Error('trainPairModel: training pairs need both labels (0 and 1)');
  const lang = opts.lang ?? detectLang(pairs);
  const seed = opts.seed ?? 1;
  const sparseOpts: SparseOpts = { ...DEFAULT_SPARSE_OPTS, seed, ...opts.sparse };
  const gbdtOpts: GbdtOpts = { ...DEFAULT_GBDT_OPTS, seed, ...opts.gbdt };
  const augment = opts.augment ?? 2;
  const tokenizer = opts.tokenizer ?? 'jieba';
  const views: SparseViews = { ...DEFAULT_SPARSE_VIEWS, ...opts.views };
  const embChars = opts.embedChars ?? false;

  const cache = new Map<string, PairText>();
  const view = (s: string) => {
    let t = cache.get(s);
    if (!t) { t = analyzePairText(s, lang, tokenizer); cache.set(s, t); }
    return t;
  };
  const ta = pairs.map((p) => view(p.a));
  const tb = pairs.map((p) => view(p.b));
  const texts = [...cache.values()];
  const stats = buildCorpusStats(texts);
  let emb: Embeddings | null = null;
  if (opts.embed !== false) {
    const pos = new Map(texts.map((t, i) => [t, i]));
    emb = quantizeEmbeddings(trainEmbeddings(texts.map((t) => (embChars ? t.words.concat(markChars(t.chars)) : t.words)), pairs.map((_, i) => [pos.get(ta[i])!, pos.get(tb[i])!]), { ...DEFAULT_EMBED_OPTS, seed, ...opts.embed }));
  }
  const y = pairs.map((p) => p.label);
  const rows = pairs.map((_, i) => sparseIndices(ta[i], tb[i], views));
  const balanceWeights = (ys: number[]) => {
    if (opts.balance === false) return undefined;
    const n = ys.length;
    const np = ys.reduce((s, v) => s + v, 0);
    return ys.map((v) => (v ? n / (2 * np) : n / (2 * (n - np))));
  };
  // The sparse model may learn from transitive-closure pairs too; the trees see only given pairs, whose
  // difficulty mix is the one the model will meet.
  const fitSparse = (idx: number[]) => {
    const sub = idx.map((i) => pairs[i]);
    const aug = augment > 0 ? augmentByTransitivity(sub, augment, seed).slice(sub.length) : [];
    const r = idx.map((i) => rows[i]).concat(aug.map((p) => sparseIndices(view(p.a), view(p.b), views)));
    const yy = idx.map((i) => y[i] as number).concat(aug.map((p) => p.label));
    return trainSparse(r, yy, sparseOpts, balanceWeights(yy));
  };

  // Out-of-fold sparse scores: the trees must see how good the sparse score is on pairs it did not train on,
  // otherwise they learn to trust a memorised score.
  const k = Math.max(2, opts.oofFolds ?? 5);
  const fold = opts.oofMode === 'random' ? randomFolds(pairs.length, k, seed) : foldsOf(pairs, k);
  const oof = new Float64Array(pairs.length);
  for (let f = 0; f < k; f++) {
    const trIdx: number[] = [];
    const teIdx: number[] = [];
    fold.forEach((ff, i) => (ff === f ? teIdx : trIdx).push(i));
    if (teIdx.length === 0 || trIdx.length === 0) continue;
    const w = fitSparse(trIdx);
    for (const i of teIdx) oof[i] = sparseMargin(w, rows[i]);
  }
  const weights = fitSparse(pairs.map((_, i) => i));
  const X = pairs.map((_, i) => [...pairFeatures(ta[i], tb[i], stats, emb, embChars), oof[i]]);
  const gbdt = trainGbdt(X, y, gbdtOpts, balanceWeights(y));
  let threshold = 0.5;
  if (opts.tuneThreshold) {
    const p = new Float64Array(pairs.length);
    for (let f = 0; f < 3; f++) {
      const tr = pairs.map((_, i) => i).filter((i) => fold[i] % 3 !== f);
      const te = pairs.map((_, i) => i).filter((i) => fold[i] % 3 === f);
      const g = trainGbdt(tr.map((i) => X[i]), tr.map((i) => y[i]), gbdtOpts, balanceWeights(tr.map((i) => y[i])));
      for (const i of te) p[i] = sigmoid(gbdtMargin(g, X[i]));
    }
    threshold = bestBalancedCut(p, y);
  }
  const memory = opts.memory === false ? null : buildPairMemory(pairs, (q) => view(q).chars.join(''));
  return makeModel({ lang, tokenizer, views, stats, weights, gbdt, threshold, emb, embChars, memory });
}

function bestBalancedCut(p: Float64Array, y: number[]): number {
  const nPos = y.reduce((s, v) => s + v, 0);
  const nNeg = y.length - nPos;
  let best = 0.5;
  let bestAcc = -1;
  for (let t = 0.2; t <= 0.8001; t += 0.02) {
    let tp = 0;
    let tn = 0;
    for (let i = 0; i < y.length; i++) {
      if (p[i] >= t) { if (y[i]) tp++; } else if (!y[i]) tn++;
    }
    const acc = (nPos ? tp / nPos : 0) + (nNeg ? tn / nNeg : 0);
    if (acc > bestAcc + 1e-9) { bestAcc = acc; best = t; }
  }
  return Math.round(best * 100) / 100;
}

function randomFolds(n: number, k: number, seed: number): number[] {
  const rnd = mulberry32(seed + 7);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const out = new Array<number>(n);
  order.forEach((i, r) => { out[i] = r % k; });
  return out;
}

/** Folds by connected component; round-robin when one component is too big for that to balance. */
function foldsOf(pairs: Pair[], k: number): number[] {
  const f = componentFolds(pairs, k);
  const sizes = new Array<number>(k).fill(0);
  for (const x of f) sizes[x]++;
  if (Math.max(...sizes) <= (2 * pairs.length) / k) return f;
  return pairs.map((_, i) => i % k);
}

function makeModel(m: ModelParts): PairModel {
  const cache = new Map<string, PairText>();
  const view = (s: string) => {
    let t = cache.get(s);
    if (!t) {
      t = analyzePairText(s, m.lang, m.tokenizer);
      // FAQ questions repeat across turns; a bounded cache keeps their analysis without growing forever.
      if (cache.size > 5000) cache.clear();
      cache.set(s, t);
    }
    return t;
  };
  return {
    threshold: m.threshold,
    similarity(a: string, b: string): number {
      const ta = view(typeof a === 'string' ? a : '');
      const tb = view(typeof b === 'string' ? b : '');
      const x = pairFeatures(ta, tb, m.stats, m.emb, m.embChars);
      x.push(sparseMargin(m.weights, sparseIndices(ta, tb, m.views)));
      const p = sigmoid(gbdtMargin(m.gbdt, x));
      const known = m.memory ? recall(m.memory, ta.chars.join(''), tb.chars.join('')) : undefined;
      // Keep the learned score's order within each side of the cut (useful for ranking), but put labelled
      // relations firmly on their side.
      if (known === 1) return 0.9 + 0.1 * p;
      if (known === 0) return 0.1 * p;
      return p;
    },
    serialize(): string {
      const nz: number[] = [];
      for (let i = 0; i < m.weights.length; i++) if (m.weights[i] !== 0) nz.push(i);
      const idx = Uint32Array.from(nz);
      const val = Float32Array.from(nz.map((i) => m.weights[i]));
      return JSON.stringify({
        format: FORMAT,
        lang: m.lang,
        tokenizer: m.tokenizer,
        views: m.views,
        threshold: m.threshold,
        stats: serializeStats(m.stats),
        sparse: {
          bits: HASH_BITS,
          idx: Buffer.from(idx.buffer, idx.byteOffset, idx.byteLength).toString('base64'),
          val: Buffer.from(val.buffer, val.byteOffset, val.byteLength).toString('base64'),
        },
        gbdt: m.gbdt,
        emb: m.emb && encodeEmbeddings(m.emb),
        embChars: m.embChars,
        memory: m.memory && serializeMemory(m.memory),
      });
    },
  };
}

export function loadPairModel(data: string | Buffer): PairModel {
  const o = JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as {
    format: string; lang: Lang; tokenizer?: Tokenizer; views?: SparseViews; threshold: number; stats: unknown;
    sparse: { bits: number; idx: string; val: string }; gbdt: Gbdt; emb: EncodedEmbeddings | null; embChars?: boolean; memory?: unknown;
  };
  if (o.format !== FORMAT) throw new Error(`loadPairModel: unknown format ${String(o.format)}`);
  if (o.sparse.bits !== HASH_BITS) throw new Error('loadPairModel: hash size mismatch');
  const ib = Buffer.from(o.sparse.idx, 'base64');
  const vb = Buffer.from(o.sparse.val, 'base64');
  // Copy into aligned buffers: Buffer.from(base64) may hand out an unaligned slice of a shared pool.
  const idx = new Uint32Array(new Uint8Array(ib).buffer);
  const val = new Float32Array(new Uint8Array(vb).buffer);
  const weights = new Float32Array(1 << HASH_BITS);
  for (let i = 0; i < idx.length; i++) weights[idx[i]] = val[i];
  const stats = deserializeStats(o.stats);
  if (o.lang !== 'en') warmPinyin(stats.charDf.keys());
  return makeModel({
    lang: o.lang, tokenizer: o.tokenizer ?? 'jieba', views: { ...DEFAULT_SPARSE_VIEWS, ...o.views }, stats, weights, gbdt: o.gbdt, threshold: o.threshold,
    emb: o.emb ? decodeEmbeddings(o.emb) : null,
    embChars: o.embChars ?? false,
    memory: o.memory ? deserializeMemory(o.memory) : null,
  });
}

type EncodedEmbeddings = { dim: number; words: string[]; scale: string; q: string };

// Vectors are stored as int8 with one float scale per word: a quarter of the size, and the similarity values
// downstream move by well under 1%. Training-time and loaded models must score identically, so the live model is
// rebuilt from the quantized form at training time too (see quantizeEmbeddings).
function encodeEmbeddings(e: Embeddings): EncodedEmbeddings {
  const { scale, q } = quantize(e);
  return {
    dim: e.dim,
    words: [...e.index.keys()],
    scale: Buffer.from(scale.buffer, scale.byteOffset, scale.byteLength).toString('base64'),
    q: Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64'),
  };
}

function quantize(e: Embeddings): { scale: Float32Array; q: Int8Array } {
  const n = e.index.size;
  const scale = new Float32Array(n);
  const q = new Int8Array(n * e.dim);
  for (let i = 0; i < n; i++) {
    let mx = 0;
    for (let d = 0; d < e.dim; d++) mx = Math.max(mx, Math.abs(e.vectors[i * e.dim + d]));
    scale[i] = mx / 127 || 1;
    for (let d = 0; d < e.dim; d++) q[i * e.dim + d] = Math.round(e.vectors[i * e.dim + d] / scale[i]);
  }
  return { scale, q };
}

function dequantize(dim: number, words: string[], scale: Float32Array, q: Int8Array): Embeddings {
  const vectors = new Float32Array(words.length * dim);
  for (let i = 0; i < words.length; i++) for (let d = 0; d < dim; d++) vectors[i * dim + d] = q[i * dim + d] * scale[i];
  return { dim, index: new Map(words.map((w, i) => [w, i])), vectors };
}

export function quantizeEmbeddings(e: Embeddings): Embeddings {
  const { scale, q } = quantize(e);
  return dequantize(e.dim, [...e.index.keys()], scale, q);
}

function decodeEmbeddings(o: EncodedEmbeddings): Embeddings {
  const scale = new Float32Array(new Uint8Array(Buffer.from(o.scale, 'base64')).buffer);
  const q = new Int8Array(new Uint8Array(Buffer.from(o.q, 'base64')).buffer);
  return dequantize(o.dim, o.words, scale, q);
}
