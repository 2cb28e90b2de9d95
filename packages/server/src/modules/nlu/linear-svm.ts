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

/** The rows as one flat CSR copy: the inner loops read contiguous typed arrays instead of n small objects. */
type Csr = { ptr: Int32Array; ix: Int32Array; vx: Float64Array; /** ‖x‖² + 1 (the bias column) */ sq: Float64Array };

function toCsr(X: SparseVec[]): Csr {
  const n = X.length;
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i] + X[i].idx.length;
  const ix = new Int32Array(ptr[n]);
  const vx = new Float64Array(ptr[n]);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ix.set(X[i].idx, ptr[i]);
    vx.set(X[i].val, ptr[i]);
    let s = 1;
    for (let k = ptr[i]; k < ptr[i + 1]; k++) s += vx[k] * vx[k];
    sq[i] = s;
  }
  return { ptr, ix, vx, sq };
}

type Problem = { csr: Csr; y: Int32Array; dim: number; maxIter: number; eps: number; greedy: boolean; rand: () => number; w: Float64Array; alpha: Float64Array };

/**
 * One one-vs-rest problem (class c against the rest) by dual coordinate descent over the rows in `order[0..m)`
 * (shuffled in place). `w` (bias last) and `alpha` must be zero on entry for these rows; on return they hold the solution.
 * Dii / DiiPos: the L2-loss diagonal 1 / (2C) of negatives and positives.
 */
function solveOne(p: Problem, c: number, order: Int32Array, m: number, Dii: number, DiiPos: number): void {
  const { csr, y, dim, maxIter, eps, greedy, rand, w, alpha } = p;
  const { ptr, ix, vx, sq } = csr;
  // LIBLINEAR's shrinking: an example at alpha = 0 whose gradient exceeds last pass's largest projected
  // gradient is set aside; when the active set converges, one full pass confirms (or re-opens) it.
  let active = m;
  let pgMaxOld = Infinity;
  for (let it = 0; it < maxIter; it++) {
    if (greedy) {
      if (it % 4 === 0 || it === maxIter - 1) active = m;
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
      const na = Math.max(a - G / (sq[i] + dii), 0);
      const d = (na - a) * yi;
      alpha[i] = na;
      for (let t = p0; t < p1; t++) w[ix[t]] += d * vx[t];
      w[dim] += d;
    }
    if (greedy) continue;
    if (pgMax - pgMin <= eps) {
      if (active === m) break;
      active = m;
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
  }
}

/** The L2-loss diagonal 1 / (2C) of class c's positives, with its positive weight (one number, or one per class). */
function positiveDii(C: number, pw: number | ArrayLike<number>, c: number): number {
  return 1 / (2 * C * (typeof pw === 'number' ? pw : (pw[c] ?? 1)));
}

function problem(X: SparseVec[], y: Int32Array, dim: number, opts: SvmOptions): Problem {
  return {
    csr: toCsr(X),
    y,
    dim,
    maxIter: opts.epochs ?? 50,
    eps: opts.eps ?? 0.1,
    greedy: opts.greedy ?? false,
    rand: mulberry32(opts.seed ?? 1),
    w: new Float64Array(dim + 1),
    alpha: new Float64Array(X.length),
  };
}

export function trainOvrSvm(X: SparseVec[], y: Int32Array, dim: number, classes: number, opts: SvmOptions = {}): LinearModel {
  const C = opts.C ?? 1;
  const n = X.length;
  const p = problem(X, y, dim, opts);
  const Dii = 1 / (2 * C);
  // Positives of a one-vs-rest problem are few; a larger C for them (posWeight) counters the imbalance.
  const pw = opts.posWeight ?? 1;
  const W = new Float32Array((dim + 1) * classes);
  const order = new Int32Array(n);
  for (let c = 0; c < classes; c++) {
    p.w.fill(0);
    p.alpha.fill(0);
    for (let i = 0; i < n; i++) order[i] = i;
    solveOne(p, c, order, n, Dii, positiveDii(C, pw, c));
    for (let f = 0; f <= dim; f++) W[f * classes + c] = p.w[f];
  }
  return { dim, classes, W };
}

/**
 * Feature-major sparse one-vs-rest weights: class `cls[k]` has weight `w[k]` on feature f for k in ptr[f]..ptr[f+1].
 * What a knowledge base of thousands of entries needs: a dense dim × entries matrix would be gigabytes.
 */
export type SparseLinearModel = { dim: number; classes: number; bias: Float32Array; ptr: Int32Array; cls: Int32Array; w: Float32Array };

/**
 * One-vs-rest SVM for many classes (FAQ entries): each class is trained against its hardest negatives only — the
 * other classes' rows most similar to its own (dot product with the sum of its rows) — instead of every row: `negatives`
 * of them, or `negativesPerPositive` × the class's own rows if that is more (an intent with a hundred examples has
 * more near neighbours to be told apart from than an FAQ entry with three). A row that shares nothing with the class
 * would end at alpha = 0 anyway; the ones that matter are the near neighbours. Cost per class ~ (positives +
 * negatives) × passes instead of n × passes, and the weights live only on the features of those rows. With
 * n ≤ positives + negatives the problem is the full one.
 */
export function trainHardNegativeSvm(X: SparseVec[], y: Int32Array, dim: number, classes: number, opts: SvmOptions & { negatives?: number; negativesPerPositive?: number; prune?: number; maxDfShare?: number } = {}): SparseLinearModel {
  const C = opts.C ?? 1;
  const M0 = opts.negatives ?? 256;
  const n = X.length;
  const p = problem(X, y, dim, opts);
  const { ptr, ix, vx } = p.csr;
  const Dii = 1 / (2 * C);
  const pw = opts.posWeight ?? 1;
  // Column-major copy for the similarity search: feature → rows having it.
  const cptr = new Int32Array(dim + 1);
  for (let t = 0; t < ix.length; t++) cptr[ix[t] + 1]++;
  for (let f = 0; f < dim; f++) cptr[f + 1] += cptr[f];
  const crow = new Int32Array(ix.length);
  const cval = new Float64Array(ix.length);
  const fill = cptr.slice(0, dim);
  for (let i = 0; i < n; i++) for (let t = ptr[i]; t < ptr[i + 1]; t++) { const k = fill[ix[t]]++; crow[k] = i; cval[k] = vx[t]; }
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) byClass[y[i]]?.push(i);
  const maxDf = Math.max(64, Math.ceil(n * (opts.maxDfShare ?? 0.01)));
  const cen = new Float64Array(dim);
  const score = new Float64Array(n);
  const seenRow = new Uint8Array(n);
  const seenF = new Uint8Array(dim + 1);
  const order = new Int32Array(n);
  const triples: { f: Int32Array; w: Float32Array }[] = new Array(classes);
  const bias = new Float32Array(classes);
  let nnz = 0;
  for (let c = 0; c < classes; c++) {
    const pos = byClass[c];
    let m = 0;
    const M = Math.max(M0, Math.ceil((opts.negativesPerPositive ?? 0) * pos.length));
    if (n - pos.length <= M) {
      for (let i = 0; i < n; i++) order[m++] = i;
    } else {
      // Similarity to the class's rows through the features they share; features most rows have (的, 吗, the
      // start marker) are skipped: sharing them makes no row a near neighbour, and their postings are the long ones.
      const feats: number[] = [];
      for (const i of pos) for (let t = ptr[i]; t < ptr[i + 1]; t++) { const f = ix[t]; if (cen[f] === 0) feats.push(f); cen[f] += vx[t]; }
      const rows: number[] = [];
      for (const f of feats) {
        const cf = cen[f];
        cen[f] = 0;
        if (cptr[f + 1] - cptr[f] > maxDf) continue;
        for (let k = cptr[f]; k < cptr[f + 1]; k++) {
          const r = crow[k];
          if (y[r] === c) continue;
          if (!seenRow[r]) { seenRow[r] = 1; rows.push(r); }
          score[r] += cf * cval[k];
        }
      }
      for (const i of pos) order[m++] = i;
      if (rows.length <= M) for (const r of rows) order[m++] = r;
      else {
        // The M best-scoring rows: the M-th largest score by selection, then every row above it (ties by row).
        const th = kthLargest(Float64Array.from(rows, (r) => score[r]), M);
        let above = 0;
        for (const r of rows) if (score[r] > th) above++;
        let ties = M - above;
        for (const r of rows) if (score[r] > th || (score[r] === th && ties-- > 0)) order[m++] = r;
      }
      for (const r of rows) { seenRow[r] = 0; score[r] = 0; }
      // Ascending row order, as the full problem visits them (the shuffle does the rest).
      order.subarray(0, m).sort();
    }
    solveOne(p, c, order, m, Dii, positiveDii(C, pw, c));
    // Collect the weights on the features of the rows used, then zero what was touched for the next class.
    const fs: number[] = [];
    for (let k = 0; k < m; k++) {
      const i = order[k];
      p.alpha[i] = 0;
      for (let t = ptr[i]; t < ptr[i + 1]; t++) { const f = ix[t]; if (!seenF[f]) { seenF[f] = 1; fs.push(f); } }
    }
    let wmax = 0;
    for (const f of fs) wmax = Math.max(wmax, Math.abs(p.w[f]));
    const cut = wmax * (opts.prune ?? 0);
    const keep = fs.filter((f) => p.w[f] !== 0 && Math.abs(p.w[f]) >= cut);
    triples[c] = { f: Int32Array.from(keep), w: Float32Array.from(keep, (f) => p.w[f]) };
    nnz += keep.length;
    bias[c] = p.w[dim];
    for (const f of fs) { seenF[f] = 0; p.w[f] = 0; }
    p.w[dim] = 0;
  }
  // Feature-major layout for prediction.
  const fptr = new Int32Array(dim + 1);
  for (const t of triples) for (const f of t.f) fptr[f + 1]++;
  for (let f = 0; f < dim; f++) fptr[f + 1] += fptr[f];
  const cls = new Int32Array(nnz);
  const w = new Float32Array(nnz);
  const at = fptr.slice(0, dim);
  triples.forEach((t, c) => t.f.forEach((f, k) => { const j = at[f]++; cls[j] = c; w[j] = t.w[k]; }));
  return { dim, classes, bias, ptr: fptr, cls, w };
}

/** The dense feature-major matrix of a sparse model (what the intent classifier stores and predicts with). */
export function denseOf(m: SparseLinearModel): LinearModel {
  const W = new Float32Array((m.dim + 1) * m.classes);
  for (let f = 0; f < m.dim; f++) for (let j = m.ptr[f]; j < m.ptr[f + 1]; j++) W[f * m.classes + m.cls[j]] = m.w[j];
  W.set(m.bias, m.dim * m.classes);
  return { dim: m.dim, classes: m.classes, W };
}

/** The k-th largest value (1-based) of `a`, which it reorders (Hoare's selection). */
function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/** Decision values of the sparse model for one vector (bias included). */
export function sparseDecision(m: SparseLinearModel, x: SparseVec, out = new Float64Array(m.classes)): Float64Array {
  for (let c = 0; c < m.classes; c++) out[c] = m.bias[c];
  const { ptr, cls, w } = m;
  for (let t = 0; t < x.idx.length; t++) {
    const f = x.idx[t];
    if (f >= m.dim) continue;
    const v = x.val[t];
    for (let k = ptr[f]; k < ptr[f + 1]; k++) out[cls[k]] += w[k] * v;
  }
  return out;
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
