/**
 * A one-hidden-layer network over sparse tf-idf input, trained with per-example SGD (Adagrad on the
 * sparse first layer, so rare n-grams get larger steps) and hidden-unit dropout. The hidden layer lets
 * n-grams share strength (a learned low-rank embedding of the vocabulary), which a linear model cannot.
 * Written for sparse input: the cost per example is nnz × hidden, not vocabulary × hidden.
 */
import type { SparseVec } from './features.ts';
import { mulberry32 } from './linear-svm.ts';

export type MlpModel = {
  dim: number;
  hidden: number;
  classes: number;
  /** feature-major first layer: W1[f * hidden + h] */
  W1: Float32Array;
  b1: Float32Array;
  /** class-major second layer: W2[c * hidden + h] */
  W2: Float32Array;
  b2: Float32Array;
};

export type MlpOptions = { hidden?: number; epochs?: number; lr?: number; lr1?: number; dropout?: number; seed?: number; l2?: number };

export function trainMlp(X: SparseVec[], y: Int32Array, dim: number, classes: number, opts: MlpOptions = {}): MlpModel {
  const H = opts.hidden ?? 128;
  const epochs = opts.epochs ?? 8;
  const lr0 = opts.lr ?? 0.2;
  const drop = opts.dropout ?? 0.3;
  const l2 = opts.l2 ?? 0;
  const lr1 = opts.lr1 ?? 0.1;
  const rand = mulberry32(opts.seed ?? 3);
  const W1 = new Float32Array(dim * H);
  const b1 = new Float32Array(H);
  const W2 = new Float32Array(classes * H);
  const b2 = new Float32Array(classes);
  // Scaled uniform init (Glorot-style); inputs are unit-norm so W1 can start larger than usual.
  const s1 = Math.sqrt(6 / (H + 50));
  for (let i = 0; i < W1.length; i++) W1[i] = (rand() * 2 - 1) * s1;
  const s2 = Math.sqrt(6 / (H + classes));
  for (let i = 0; i < W2.length; i++) W2[i] = (rand() * 2 - 1) * s2;
  const G1 = new Float32Array(dim).fill(1e-2); // Adagrad accumulator per input row
  const h = new Float64Array(H);
  const mask = new Float64Array(H);
  const dh = new Float64Array(H);
  const live = new Int32Array(H);
  const on = new Int32Array(H);
  const dhLive = new Float64Array(H);
  const z = new Float64Array(classes);
  const n = X.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const keep = 1 - drop;
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    const lr = lr0 * (1 - ep / (epochs + 1));
    for (let k = 0; k < n; k++) {
      const ex = order[k];
      const { idx, val } = X[ex];
      for (let u = 0; u < H; u++) h[u] = b1[u];
      for (let t = 0; t < idx.length; t++) {
        const o = idx[t] * H;
        const v = val[t];
        for (let u = 0; u < H; u++) h[u] += W1[o + u] * v;
      }
      // Units off (ReLU) or dropped are exact zeros: the second layer reads and updates the live ones only.
      let nOn = 0;
      for (let u = 0; u < H; u++) {
        mask[u] = h[u] > 0 && rand() < keep ? 1 / keep : 0;
        h[u] = h[u] * mask[u];
        if (mask[u] !== 0) on[nOn++] = u;
      }
      let mx = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = b2[c];
        const o = c * H;
        for (let j = 0; j < nOn; j++) s += W2[o + on[j]] * h[on[j]];
        z[c] = s;
        if (s > mx) mx = s;
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += z[c] = Math.exp(z[c] - mx);
      dh.fill(0);
      const yc = y[ex];
      for (let c = 0; c < classes; c++) {
        const g = z[c] / sum - (c === yc ? 1 : 0);
        if (Math.abs(g) < 1e-4) continue; // most classes have ~0 gradient: skip their row
        const o = c * H;
        for (let j = 0; j < nOn; j++) {
          const u = on[j];
          dh[u] += g * W2[o + u];
          if (l2 === 0) W2[o + u] -= lr * (g * h[u]);
        }
        if (l2 > 0) for (let u = 0; u < H; u++) W2[o + u] -= lr * (g * h[u] + l2 * W2[o + u]);
        b2[c] -= lr * g;
      }
      // Units that are off (ReLU) or dropped have no gradient: update the first layer on the live ones only.
      let nLive = 0;
      for (let u = 0; u < H; u++) {
        dh[u] *= mask[u];
        b1[u] -= lr * dh[u];
        if (dh[u] !== 0) {
          live[nLive] = u;
          dhLive[nLive++] = dh[u];
        }
      }
      for (let t = 0; t < idx.length; t++) {
        const f = idx[t];
        const v = val[t];
        G1[f] += v * v;
        const step = ((lr * lr1) / Math.sqrt(G1[f])) * v;
        const o = f * H;
        for (let j = 0; j < nLive; j++) W1[o + live[j]] -= step * dhLive[j];
      }
    }
  }
  return { dim, hidden: H, classes, W1, b1, W2, b2 };
}

/** Logits for one input (no dropout at inference). */
export function mlpLogits(m: MlpModel, x: SparseVec, out = new Float64Array(m.classes)): Float64Array {
  const H = m.hidden;
  const h = new Float64Array(H);
  for (let u = 0; u < H; u++) h[u] = m.b1[u];
  for (let t = 0; t < x.idx.length; t++) {
    const f = x.idx[t];
    if (f >= m.dim) continue;
    const o = f * H;
    const v = x.val[t];
    for (let u = 0; u < H; u++) h[u] += m.W1[o + u] * v;
  }
  for (let u = 0; u < H; u++) if (h[u] < 0) h[u] = 0;
  for (let c = 0; c < m.classes; c++) {
    let s = m.b2[c];
    const o = c * H;
    for (let u = 0; u < H; u++) s += m.W2[o + u] * h[u];
    out[c] = s;
  }
  return out;
}
