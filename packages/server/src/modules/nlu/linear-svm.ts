/**
 * One-vs-rest L2-regularised L2-loss linear SVM, trained by dual coordinate descent
 * (Hsieh et al., ICML 2008 — the LIBLINEAR default), with a bias column and simple shrinking.
 * Chosen over SGD because it converges in a handful of passes with no learning rate to tune.
 */
import type { SparseVec } from './features.ts';

export type LinearModel = {
  dim: number;
  classes: number;
  /** feature-major weights: W[f * classes + c]; row `dim` is the bias */
  W: Float32Array;
};

export type SvmOptions = {
  C?: number;
  /** cap on passes over the active set */
  epochs?: number;
  /** stopping tolerance on the projected gradient (LIBLINEAR's default 0.1) */
  eps?: number;
  /**
   * Greedy shrinking: drop every example at alpha = 0 with a positive gradient at once, and run a fixed
   * number of passes (full passes at 0, 4, 8, … and the last). Much faster when almost every example is a
   * negative (FAQ: hundreds of entries with five questions each), and its early stop regularises.
   */
  greedy?: boolean;
  /** C multiplier for the positive class of each one-vs-rest problem (one number, or one per class) */
  posWeight?: number | ArrayLike<number>;
  seed?: number;
};

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function trainOvrSvm(X: SparseVec[], y: Int32Array, dim: number, classes: number, opts: SvmOptions = {}): LinearModel {
  const C = opts.C ?? 1;
  const maxIter = opts.epochs ?? 50;
  const eps = opts.eps ?? 0.1;
  const greedy = opts.greedy ?? false;
  const n = X.length;
  const rand = mulberry32(opts.seed ?? 1);
  const Dii = 1 / (2 * C);
  // Positives of a one-vs-rest problem are few; a larger C for them (posWeight) counters the imbalance.
  const pw = opts.posWeight ?? 1;
  let DiiPos = 1 / (2 * C * (typeof pw === 'number' ? pw : 1));
  const W = new Float32Array((dim + 1) * classes);
  const w = new Float64Array(dim + 1);
  const alpha = new Float64Array(n);
  const qii = new Float64Array(n);
  // One flat CSR copy of the rows: the inner loops read contiguous typed arrays instead of n small objects.
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i] + X[i].idx.length;
  const ix = new Int32Array(ptr[n]);
  const vx = new Float64Array(ptr[n]);
  for (let i = 0; i < n; i++) {
    ix.set(X[i].idx, ptr[i]);
    vx.set(X[i].val, ptr[i]);
    let s = 1; // the bias column's value
    for (let k = ptr[i]; k < ptr[i + 1]; k++) s += vx[k] * vx[k];
    qii[i] = s + Dii;
  }
  const order = new Int32Array(n);
  for (let c = 0; c < classes; c++) {
    w.fill(0);
    alpha.fill(0);
    if (typeof pw !== 'number') DiiPos = 1 / (2 * C * (pw[c] ?? 1));
    // LIBLINEAR's shrinking: an example at alpha = 0 whose gradient exceeds last pass's largest projected
    // gradient is set aside; when the active set converges, one full pass confirms (or re-opens) it.
    let active = n;
    for (let i = 0; i < n; i++) order[i] = i;
    let pgMaxOld = Infinity;
    for (let it = 0; it < maxIter; it++) {
      if (greedy) {
        if (it % 4 === 0 || it === maxIter - 1) active = n;
        pgMaxOld = 0;
      }
      for (let i = active - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      let pgMax = -Infinity;
      let pgMin = Infinity;
      for (let k = 0; k < active; k++) {
        const i = order[k];
        const yi = y[i] === c ? 1 : -1;
        const p0 = ptr[i];
        const p1 = ptr[i + 1];
        let wx = w[dim];
        for (let t = p0; t < p1; t++) wx += w[ix[t]] * vx[t];
        const dii = yi > 0 ? DiiPos : Dii;
        const a = alpha[i];
        const G = yi * wx - 1 + a * dii;
        let pg = 0;
        if (a === 0) {
          if (G > pgMaxOld) {
            active--;
            order[k] = order[active];
            order[active] = i;
            k--;
            continue;
          }
          if (G < 0) pg = G;
        } else pg = G;
        if (pg > pgMax) pgMax = pg;
        if (pg < pgMin) pgMin = pg;
        if (Math.abs(pg) < 1e-12) continue;
        const na = Math.max(a - G / (qii[i] - Dii + dii), 0);
        const d = (na - a) * yi;
        alpha[i] = na;
        for (let t = p0; t < p1; t++) w[ix[t]] += d * vx[t];
        w[dim] += d;
      }
      if (greedy) continue;
      if (pgMax - pgMin <= eps) {
        if (active === n) break;
        active = n;
        pgMaxOld = Infinity;
        continue;
      }
      pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
    }
    for (let f = 0; f < dim; f++) W[f * classes + c] = w[f];
    W[dim * classes + c] = w[dim];
  }
  return { dim, classes, W };
}

/** Raw decision values for one vector (bias included). */
export function decision(m: LinearModel, x: SparseVec, out = new Float64Array(m.classes)): Float64Array {
  const C = m.classes;
  const W = m.W;
  const b = m.dim * C;
  for (let c = 0; c < C; c++) out[c] = W[b + c];
  const idx = x.idx;
  const val = x.val;
  for (let t = 0; t < idx.length; t++) {
    const f = idx[t];
    if (f >= m.dim) continue;
    const v = val[t];
    const o = f * C;
    for (let c = 0; c < C; c++) out[c] += W[o + c] * v;
  }
  return out;
}

export function softmax(scores: ArrayLike<number>, temperature: number, out = new Float64Array(scores.length)): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > mx) mx = scores[i];
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp((scores[i] - mx) * temperature);
    s += out[i];
  }
  for (let i = 0; i < scores.length; i++) out[i] /= s;
  return out;
}
