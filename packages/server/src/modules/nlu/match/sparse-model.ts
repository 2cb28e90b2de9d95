/**
 * Learned lexical interactions: hashed indicator features of what the two questions share, what only one of them
 * says, and which differing words face each other ("提高" on one side against "降低" on the other). A logistic
 * regression over these learns from the labelled pairs which differences are harmless paraphrase (您好/请问/呢)
 * and which change the intent (借款/还款), something fixed overlap scores cannot know.
 */
import type { PairText } from './pair-text.ts';
import { negationCount, questionTypes } from './dense-features.ts';

export const HASH_BITS = 20;
const MASK = (1 << HASH_BITS) - 1;
const MAX_SIDE = 8;

function hash(s: string): number {
  // FNV-1a, 32 bit: stable across processes, so a serialized model reads the same buckets.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

function split(a: string[], b: string[]): { onlyA: string[]; onlyB: string[]; shared: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  const shared: string[] = [];
  for (const x of sa) (sb.has(x) ? shared : onlyA).push(x);
  for (const x of sb) if (!sa.has(x)) onlyB.push(x);
  return { onlyA, onlyB, shared };
}

function addView(out: string[], p: string, a: string[], b: string[], cross: boolean): void {
  const { onlyA, onlyB, shared } = split(a, b);
  for (const x of shared) out.push(p + 's' + x);
  for (const x of onlyA) out.push(p + 'd' + x);
  for (const x of onlyB) out.push(p + 'd' + x);
  // "one side is silent": a difference that has no counterpart usually adds a qualifier or a topic.
  if (onlyA.length === 0 || onlyB.length === 0) for (const x of onlyA.length ? onlyA : onlyB) out.push(p + 'u' + x);
  if (cross) {
    const xa = onlyA.slice(0, MAX_SIDE);
    const xb = onlyB.slice(0, MAX_SIDE);
    for (const x of xa) for (const y of xb) out.push(p + 'x' + (x < y ? x + '|' + y : y + '|' + x));
  }
  const nd = Math.min(onlyA.length, onlyB.length);
  const xd = Math.max(onlyA.length, onlyB.length);
  out.push(p + 'n' + Math.min(nd, 6) + ',' + Math.min(xd, 8));
}

/** Which token views feed the hashed model; part of a saved model, since it changes the feature space. */
export type SparseViews = { bigrams: boolean; pinyin: boolean };
export const DEFAULT_SPARSE_VIEWS: SparseViews = { bigrams: true, pinyin: true };

function charBigrams(xs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < xs.length; i++) out.push(xs[i] + xs[i + 1]);
  return out;
}

export function sparseKeys(a: PairText, b: PairText, views: SparseViews = DEFAULT_SPARSE_VIEWS): string[] {
  const out: string[] = ['bias'];
  addView(out, 'w', a.words, b.words, true);
  addView(out, 'c', a.chars, b.chars, true);
  if (views.pinyin) addView(out, 'p', a.pinyin, b.pinyin, false);
  if (views.bigrams) addView(out, 'b', charBigrams(a.chars), charBigrams(b.chars), false);
  const qa = questionTypes(a.norm);
  const qb = questionTypes(b.norm);
  out.push('q' + Math.min(qa, qb) + '|' + Math.max(qa, qb));
  const ga = negationCount(a) % 2;
  const gb = negationCount(b) % 2;
  out.push('g' + (ga + gb));
  return out;
}

export function sparseIndices(a: PairText, b: PairText, views: SparseViews = DEFAULT_SPARSE_VIEWS): Uint32Array {
  const keys = sparseKeys(a, b, views);
  const idx = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) idx[i] = hash(keys[i]);
  return idx;
}

export type SparseOpts = { epochs: number; lr: number; l2: number; seed: number };
export const DEFAULT_SPARSE_OPTS: SparseOpts = { epochs: 3, lr: 0.1, l2: 1e-5, seed: 1 };

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adagrad logistic regression; returns the weight table. */
export function trainSparse(rows: Uint32Array[], y: number[], opts: SparseOpts = DEFAULT_SPARSE_OPTS, weight?: number[]): Float32Array {
  const w = new Float32Array(1 << HASH_BITS);
  const g2 = new Float32Array(1 << HASH_BITS);
  const order = rows.map((_, i) => i);
  const rnd = mulberry32(opts.seed);
  for (let ep = 0; ep < opts.epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const r of order) {
      const x = rows[r];
      let z = 0;
      for (let k = 0; k < x.length; k++) z += w[x[k]];
      const g = (sigmoid(z) - y[r]) * (weight ? weight[r] : 1);
      for (let k = 0; k < x.length; k++) {
        const j = x[k];
        const gj = g + opts.l2 * w[j];
        g2[j] += gj * gj;
        w[j] -= (opts.lr * gj) / Math.sqrt(g2[j] + 1e-8);
      }
    }
  }
  return w;
}

export function sparseMargin(w: Float32Array, x: Uint32Array): number {
  let z = 0;
  for (let k = 0; k < x.length; k++) z += w[x[k]];
  return z;
}
