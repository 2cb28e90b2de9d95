/**
 * Word vectors learned from the training sentences alone: positive PMI of co-occurrence, factorised by a
 * randomised truncated SVD (Levy & Goldberg 2014 showed PPMI+SVD is competitive with skip-gram on small data).
 * Context is the same sentence and, because paired questions in a matching corpus are always about related things,
 * the other sentence of the pair. Labels are not used, so no label information leaks into the stacked features.
 * Purpose: let "手机号" meet "电话" and "注销" meet "关闭" when the labelled pairs never showed those exact words.
 */
import { mulberry32 } from './sparse-model.ts';

export type Embeddings = { dim: number; index: Map<string, number>; vectors: Float32Array };

export type EmbedOpts = { dim: number; minCount: number; cross: number; power: number; seed: number };
export const DEFAULT_EMBED_OPTS: EmbedOpts = { dim: 64, minCount: 2, cross: 0, power: 2, seed: 1 };

/** Gram-Schmidt on the columns of a (rows x k) row-major matrix, in place. */
function orthonormalize(m: Float64Array, rows: number, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += m[r * k + c] * m[r * k + p];
      for (let r = 0; r < rows; r++) m[r * k + c] -= dot * m[r * k + p];
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += m[r * k + c] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < rows; r++) m[r * k + c] /= norm;
  }
}

/** Symmetric Jacobi eigen-decomposition of a small k x k matrix; returns eigenvalues and column eigenvectors. */
function jacobiEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q] ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (Math.abs(apq) < 1e-15) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p];
          const arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r];
          const aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p];
          const vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(k);
  for (let i = 0; i < k; i++) values[i] = a[i * k + i];
  return { values, vectors: v };
}

/** sentences: token lists; pairs: indices of sentences that were paired. */
export function trainEmbeddings(sentences: string[][], pairs: [number, number][], opts: EmbedOpts = DEFAULT_EMBED_OPTS): Embeddings {
  const freq = new Map<string, number>();
  for (const s of sentences) for (const t of new Set(s)) freq.set(t, (freq.get(t) ?? 0) + 1);
  const index = new Map<string, number>();
  for (const [t, c] of freq) if (c >= opts.minCount) index.set(t, index.size);
  const V = index.size;
  const dim = Math.min(opts.dim, Math.max(1, V - 1));
  if (V < 4) return { dim, index: new Map(), vectors: new Float32Array(0) };
  const ids = sentences.map((s) => [...new Set(s)].map((t) => index.get(t)).filter((x): x is number => x !== undefined));

  // Sparse symmetric co-occurrence counts, one Map per row.
  const rows: Map<number, number>[] = Array.from({ length: V }, () => new Map());
  const add = (i: number, j: number, w: number) => rows[i].set(j, (rows[i].get(j) ?? 0) + w);
  for (const s of ids) for (const i of s) for (const j of s) if (i !== j) add(i, j, 1);
  if (opts.cross > 0) {
    for (const [x, y] of pairs) for (const i of ids[x]) for (const j of ids[y]) { add(i, j, opts.cross); add(j, i, opts.cross); }
  }
  // PPMI with context-distribution smoothing (alpha 0.75) to damp rare contexts.
  const rowSum = new Float64Array(V);
  const ctx = new Float64Array(V);
  for (let i = 0; i < V; i++) for (const [j, c] of rows[i]) { rowSum[i] += c; ctx[j] += c ** 0.75; }
  let ctxTotal = 0;
  for (let j = 0; j < V; j++) ctxTotal += ctx[j];
  const colIdx: Int32Array[] = [];
  const colVal: Float64Array[] = [];
  for (let i = 0; i < V; i++) {
    const js: number[] = [];
    const vs: number[] = [];
    for (const [j, c] of rows[i]) {
      const pmi = Math.log((c * ctxTotal) / (rowSum[i] * ctx[j] || 1));
      if (pmi > 0) { js.push(j); vs.push(pmi); }
    }
    colIdx.push(Int32Array.from(js));
    colVal.push(Float64Array.from(vs));
  }
  const mul = (src: Float64Array, k: number): Float64Array => {
    const out = new Float64Array(V * k);
    for (let i = 0; i < V; i++) {
      const js = colIdx[i];
      const vs = colVal[i];
      for (let n = 0; n < js.length; n++) {
        const j = js[n];
        const v = vs[n];
        for (let c = 0; c < k; c++) out[i * k + c] += v * src[j * k + c];
      }
    }
    return out;
  };
  // Randomised range finder with power iterations (Halko et al. 2011); the PPMI matrix is nearly symmetric.
  const k = Math.min(dim + 10, V);
  const rnd = mulberry32(opts.seed);
  let q: Float64Array = new Float64Array(V * k);
  for (let i = 0; i < q.length; i++) q[i] = rnd() - 0.5;
  q = mul(q, k);
  orthonormalize(q, V, k);
  for (let it = 0; it < opts.power; it++) { q = mul(q, k); orthonormalize(q, V, k); }
  // B = Q^T M Q (k x k), eigen-decompose, project back.
  const mq = mul(q, k);
  const b = new Float64Array(k * k);
  for (let i = 0; i < V; i++) for (let r = 0; r < k; r++) { const qr = q[i * k + r]; if (qr) for (let c = 0; c < k; c++) b[r * k + c] += qr * mq[i * k + c]; }
  for (let r = 0; r < k; r++) for (let c = r + 1; c < k; c++) { const m = (b[r * k + c] + b[c * k + r]) / 2; b[r * k + c] = m; b[c * k + r] = m; }
  const { values, vectors } = jacobiEigen(b, k);
  const order = [...values.keys()].sort((x, y) => Math.abs(values[y]) - Math.abs(values[x])).slice(0, dim);
  const out = new Float32Array(V * dim);
  for (let i = 0; i < V; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const e = order[d];
      let s = 0;
      for (let r = 0; r < k; r++) s += q[i * k + r] * vectors[r * k + e];
      // Eigenvalue weighting exponent 0.5, the usual choice for similarity tasks.
      const v = s * Math.sqrt(Math.abs(values[e]));
      out[i * dim + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) out[i * dim + d] /= norm;
  }
  return { dim, index, vectors: out };
}

export function cosine(e: Embeddings, i: number, j: number): number {
  const d = e.dim;
  let s = 0;
  for (let k = 0; k < d; k++) s += e.vectors[i * d + k] * e.vectors[j * d + k];
  return s;
}

/**
 * Soft-alignment features between two token lists (idf-weighted): mean best-match cosine each way, the same for
 * tokens the other side lacks, the worst unmatched token, and the cosine of idf-weighted sentence vectors.
 */
export function alignmentFeatures(e: Embeddings, a: string[], b: string[], w: (t: string) => number): number[] {
  const ia = [...new Set(a)];
  const ib = [...new Set(b)];
  const sb = new Set(ib);
  const sa = new Set(ia);
  const dir = (xs: string[], ys: string[], other: Set<string>): [number, number, number] => {
    let num = 0;
    let den = 0;
    let dnum = 0;
    let dden = 0;
    let worst = 1;
    for (const x of xs) {
      const wx = w(x);
      let best: number;
      if (other.has(x)) best = 1;
      else {
        const xi = e.index.get(x);
        best = 0;
        if (xi !== undefined) for (const y of ys) { const yi = e.index.get(y); if (yi !== undefined) { const c = cosine(e, xi, yi); if (c > best) best = c; } }
        dnum += wx * best;
        dden += wx;
        if (best < worst) worst = best;
      }
      num += wx * best;
      den += wx;
    }
    return [den ? num / den : 1, dden ? dnum / dden : 1, worst];
  };
  const [ab, dab, wab] = dir(ia, ib, sb);
  const [ba, dba, wba] = dir(ib, ia, sa);
  const va = new Float64Array(e.dim);
  const vb = new Float64Array(e.dim);
  const acc = (xs: string[], v: Float64Array) => {
    for (const x of xs) {
      const xi = e.index.get(x);
      if (xi === undefined) continue;
      const wx = w(x);
      for (let k = 0; k < e.dim; k++) v[k] += wx * e.vectors[xi * e.dim + k];
    }
  };
  acc(ia, va);
  acc(ib, vb);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < e.dim; k++) { dot += va[k] * vb[k]; na += va[k] ** 2; nb += vb[k] ** 2; }
  const cos = na && nb ? dot / Math.sqrt(na * nb) : 0;
  return [Math.min(ab, ba), Math.max(ab, ba), Math.min(dab, dba), Math.max(dab, dba), Math.min(wab, wba), cos];
}
