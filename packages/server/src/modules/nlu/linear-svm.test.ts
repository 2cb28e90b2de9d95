import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainOvrSvm, trainHardNegativeSvm, denseOf, decision, sparseDecision } from './linear-svm.ts';
import type { SparseVec } from './features.ts';

function data(n: number, classes: number, dim: number, seed: number): { X: SparseVec[]; y: Int32Array } {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  const X = Array.from({ length: n }, (_, i) => {
    // each class has its own 3 features, plus 4 random shared ones
    const f = new Set([y[i] * 3, y[i] * 3 + 1, y[i] * 3 + 2].filter(() => r() < 0.8).concat(Array.from({ length: 4 }, () => classes * 3 + Math.floor(r() * (dim - classes * 3)))));
    const idx = Int32Array.from([...f].sort((a, b) => a - b));
    const val = new Float32Array(idx.length).fill(1 / Math.sqrt(idx.length));
    return { idx, val };
  });
  return { X, y };
}

test('hard-negative SVM is the full one-vs-rest SVM when every negative fits in its budget', () => {
  const { X, y } = data(120, 6, 60, 1);
  const full = trainOvrSvm(X, y, 60, 6, { C: 1, epochs: 8, greedy: true, seed: 3 });
  const sparse = trainHardNegativeSvm(X, y, 60, 6, { C: 1, epochs: 8, greedy: true, seed: 3, negatives: 1000 });
  for (const x of X.slice(0, 30)) {
    const a = decision(full, x);
    const b = sparseDecision(sparse, x);
    for (let c = 0; c < 6; c++) assert.ok(Math.abs(a[c] - b[c]) < 1e-5, `class ${c}: ${a[c]} vs ${b[c]}`);
  }
});

test("negativesPerPositive widens each class's budget with its own rows: at ≥ the other rows it is the full SVM", () => {
  const { X, y } = data(120, 6, 60, 1); // 20 rows a class, 100 others
  const full = trainOvrSvm(X, y, 60, 6, { C: 1, epochs: 8, greedy: true, seed: 3 });
  const small = trainHardNegativeSvm(X, y, 60, 6, { C: 1, epochs: 8, greedy: true, seed: 3, negatives: 8 });
  const wide = trainHardNegativeSvm(X, y, 60, 6, { C: 1, epochs: 8, greedy: true, seed: 3, negatives: 8, negativesPerPositive: 5 });
  let differs = false;
  for (const x of X.slice(0, 30)) {
    const a = decision(full, x);
    const b = sparseDecision(wide, x);
    const c = sparseDecision(small, x);
    for (let k = 0; k < 6; k++) {
      assert.ok(Math.abs(a[k] - b[k]) < 1e-5, `class ${k}: ${a[k]} vs ${b[k]}`);
      if (Math.abs(a[k] - c[k]) > 1e-3) differs = true;
    }
  }
  assert.ok(differs, 'with 8 negatives alone the model is not the full one');
});

test('hard-negative SVM with a small budget still separates the classes, with weights only where they matter', () => {
  const { X, y } = data(2000, 200, 2000, 2);
  const m = trainHardNegativeSvm(X, y, 2000, 200, { C: 1, epochs: 8, greedy: true, seed: 1, negatives: 32 });
  let right = 0;
  X.forEach((x, i) => {
    const d = sparseDecision(m, x);
    let best = 0;
    for (let c = 1; c < 200; c++) if (d[c] > d[best]) best = c;
    if (best === y[i]) right++;
  });
  assert.ok(right / X.length > 0.9, `training accuracy ${right / X.length}`);
  assert.ok(m.w.length < 2000 * 200 * 0.2, `${m.w.length} weights stored of ${2000 * 200}`);
});

test('a hard-negative model as a dense matrix decides exactly as the sparse one; per-class positive weights apply', () => {
  const { X, y } = data(600, 30, 300, 4);
  const pw = Float64Array.from({ length: 30 }, (_, c) => (c === 0 ? 8 : 1));
  const m = trainHardNegativeSvm(X, y, 300, 30, { C: 1, eps: 0.1, seed: 2, negatives: 40, maxDfShare: 0.05, posWeight: pw });
  const dense = denseOf(m);
  for (const x of X.slice(0, 50)) {
    const a = sparseDecision(m, x);
    const b = decision(dense, x);
    for (let c = 0; c < 30; c++) assert.ok(Math.abs(a[c] - b[c]) < 1e-6, `class ${c}: ${a[c]} vs ${b[c]}`);
  }
  // A larger C for class 0's positives pushes their margins up (toward and past 1) against the unweighted model.
  const plain = trainHardNegativeSvm(X, y, 300, 30, { C: 1, eps: 0.1, seed: 2, negatives: 40, maxDfShare: 0.05 });
  const pos = X.filter((_, i) => y[i] === 0);
  const mean = (mm: typeof m) => pos.reduce((s, x) => s + sparseDecision(mm, x)[0], 0) / pos.length;
  assert.ok(mean(m) > mean(plain) + 0.05, `weighted ${mean(m)} vs plain ${mean(plain)}`);
});
