import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseThreshold, KEEP_WHEN_NO_OOS } from './oos-detector.ts';
import { roundBf16, bf16ToB64, b64ToBf16 } from './codec.ts';

test('threshold separates out-of-scope examples from confident in-scope ones', () => {
  const rows = [
    ...Array.from({ length: 90 }, (_, i) => ({ p: 0.6 + (i % 40) / 100, correct: true, oos: false })),
    ...Array.from({ length: 10 }, (_, i) => ({ p: 0.2 + i / 100, correct: false, oos: false })),
    ...Array.from({ length: 30 }, (_, i) => ({ p: 0.1 + (i % 30) / 100, correct: false, oos: true })),
  ];
  const d = chooseThreshold(rows);
  assert.ok(d.threshold > 0.39 && d.threshold <= 0.6, `threshold ${d.threshold}`);
  assert.ok(d.inscopeAccuracy >= 0.89);
  assert.ok((d.oosRecall ?? 0) >= 0.95);
});

test('without out-of-scope examples it keeps the agreed share of correct predictions', () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ p: i / 200, correct: true, oos: false }));
  const d = chooseThreshold(rows);
  assert.equal(d.oosRecall, null);
  assert.ok(Math.abs(d.inscopeAccuracy - KEEP_WHEN_NO_OOS) < 0.01, `kept ${d.inscopeAccuracy}`);
  assert.deepEqual(chooseThreshold([]), { threshold: 0, inscopeAccuracy: 0, oosRecall: null });
});

test('bfloat16 storage round-trips exactly after rounding and stays close to the float', () => {
  const a = Float32Array.from([0, 1, -1, 0.123456, 3.3e-5, -123.456, Infinity]);
  const r = roundBf16(a.slice());
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) assert.ok(Math.abs(r[i] - a[i]) <= Math.abs(a[i]) / 128 + 1e-30);
  assert.deepEqual(b64ToBf16(bf16ToB64(r)), r);
});

test('recall-constrained threshold: the lowest one rejecting the required share of out-of-scope rows', async () => {
  const { chooseThresholdForRecall } = await import('./oos-detector.ts');
  const rows = [
    ...Array.from({ length: 100 }, (_, i) => ({ p: 0.3 + i / 200, correct: i >= 5, oos: false })),
    ...Array.from({ length: 20 }, (_, i) => ({ p: i / 40, correct: false, oos: true })),
  ];
  const d = chooseThresholdForRecall(rows, 0.9);
  assert.ok((d.oosRecall ?? 0) >= 0.9, `recall ${d.oosRecall}`);
  assert.ok(d.threshold > 17 / 40 && d.threshold < 18 / 40 + 1e-3, `threshold ${d.threshold}`);
  assert.equal(d.inscopeAccuracy, rows.filter((r) => !r.oos && r.correct && r.p >= d.threshold).length / 100);
  // No out-of-scope rows: falls back to the keep-a-share rule.
  assert.equal(chooseThresholdForRecall(rows.filter((r) => !r.oos)).oosRecall, null);
});
