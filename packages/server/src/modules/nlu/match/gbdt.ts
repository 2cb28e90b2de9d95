/**
 * A small gradient-boosted decision-tree classifier (logistic loss, second-order leaf values, histogram splits),
 * enough for a few dozen dense features and tens of thousands of rows in seconds. Trees combine the overlap scores
 * non-linearly ("high char overlap AND a number mismatch" is a different question), which a linear model cannot.
 */
import { mulberry32 } from './sparse-model.ts';

export type GbdtOpts = {
  trees: number;
  depth: number;
  lr: number;
  lambda: number;
  minHess: number;
  subsample: number;
  colsample: number;
  bins: number;
  seed: number;
};

export const DEFAULT_GBDT_OPTS: GbdtOpts = {
  trees: 300, depth: 5, lr: 0.05, lambda: 1, minHess: 3, subsample: 0.8, colsample: 0.8, bins: 64, seed: 1,
};

/** Nodes in flat arrays; feature -1 marks a leaf whose value is in `value`. */
export type Tree = { feature: number[]; threshold: number[]; left: number[]; right: number[]; value: number[] };
export type Gbdt = { base: number; trees: Tree[] };

function quantileThresholds(values: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const out: number[] = [];
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))];
    if (out.length === 0 || v > out[out.length - 1]) out.push(v);
  }
  // The last threshold equal to the max would send everything left; drop it.
  if (out.length && out[out.length - 1] >= sorted[sorted.length - 1]) out.pop();
  return out;
}

function binOf(thr: number[], x: number): number {
  let lo = 0;
  let hi = thr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= thr[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** X is row-major: X[i] is the feature vector of row i. y in {0,1}. */
export function trainGbdt(X: number[][], y: number[], opts: GbdtOpts = DEFAULT_GBDT_OPTS, weight?: number[]): Gbdt {
  const n = X.length;
  const d = n ? X[0].length : 0;
  const rnd = mulberry32(opts.seed);
  const thresholds: number[][] = [];
  const binned: Uint8Array[] = [];
  for (let j = 0; j < d; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = X[i][j];
    const thr = quantileThresholds(col, Math.min(opts.bins, 255));
    thresholds.push(thr);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = binOf(thr, col[i]);
    binned.push(b);
  }
  let pos = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) { const wi = weight ? weight[i] : 1; pos += wi * y[i]; tot += wi; }
  const prior = Math.min(Math.max(pos / Math.max(tot, 1e-9), 1e-3), 1 - 1e-3);
  const base = Math.log(prior / (1 - prior));
  const F = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: Tree[] = [];
  const maxBins = Math.min(opts.bins, 255);
  const histG = new Float64Array(maxBins + 1);
  const histH = new Float64Array(maxBins + 1);

  for (let t = 0; t < opts.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-F[i]));
      const wi = weight ? weight[i] : 1;
      g[i] = (p - y[i]) * wi;
      h[i] = Math.max(p * (1 - p), 1e-6) * wi;
    }
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (rnd() < opts.subsample) rows.push(i);
    const feats: number[] = [];
    for (let j = 0; j < d; j++) if (rnd() < opts.colsample) feats.push(j);
    if (feats.length === 0 && d > 0) feats.push(Math.floor(rnd() * d));

    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const newNode = () => {
      tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1); tree.value.push(0);
      return tree.feature.length - 1;
    };
    let frontier: { id: number; rows: number[] }[] = [{ id: newNode(), rows }];
    for (let depth = 0; depth <= opts.depth && frontier.length; depth++) {
      const next: { id: number; rows: number[] }[] = [];
      for (const node of frontier) {
        let G = 0;
        let H = 0;
        for (const i of node.rows) { G += g[i]; H += h[i]; }
        tree.value[node.id] = (-G / (H + opts.lambda)) * opts.lr;
        if (depth === opts.depth || H < 2 * opts.minHess) continue;
        const parentScore = (G * G) / (H + opts.lambda);
        let bestGain = 1e-9;
        let bestF = -1;
        let bestBin = -1;
        for (const j of feats) {
          const nb = thresholds[j].length + 1;
          if (nb < 2) continue;
          histG.fill(0, 0, nb);
          histH.fill(0, 0, nb);
          const col = binned[j];
          for (const i of node.rows) { histG[col[i]] += g[i]; histH[col[i]] += h[i]; }
          let gl = 0;
          let hl = 0;
          for (let k = 0; k < nb - 1; k++) {
            gl += histG[k];
            hl += histH[k];
            const hr = H - hl;
            if (hl < opts.minHess || hr < opts.minHess) continue;
            const gr = G - gl;
            const gain = (gl * gl) / (hl + opts.lambda) + (gr * gr) / (hr + opts.lambda) - parentScore;
            if (gain > bestGain) { bestGain = gain; bestF = j; bestBin = k; }
          }
        }
        if (bestF < 0) continue;
        const l: number[] = [];
        const r: number[] = [];
        const col = binned[bestF];
        for (const i of node.rows) (col[i] <= bestBin ? l : r).push(i);
        tree.feature[node.id] = bestF;
        tree.threshold[node.id] = thresholds[bestF][bestBin];
        const li = newNode();
        const ri = newNode();
        tree.left[node.id] = li;
        tree.right[node.id] = ri;
        next.push({ id: li, rows: l }, { id: ri, rows: r });
      }
      frontier = next;
    }
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i] += treeValue(tree, X[i]);
  }
  return { base, trees };
}

function treeValue(t: Tree, x: ArrayLike<number>): number {
  let k = 0;
  while (t.feature[k] >= 0) k = x[t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
  return t.value[k];
}

export function gbdtMargin(m: Gbdt, x: ArrayLike<number>): number {
  let z = m.base;
  for (const t of m.trees) z += treeValue(t, x);
  return z;
}
