import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.ts';

const opts = { baseMs: 400, capMs: 15_000 };

test('delay doubles per attempt and stays between half and all of the exponential value', () => {
  assert.equal(backoffDelay(0, () => 0, opts), 200);
  assert.equal(backoffDelay(0, () => 1, opts), 400);
  assert.equal(backoffDelay(3, () => 0, opts), 1600);
  assert.equal(backoffDelay(3, () => 1, opts), 3200);
});

test('delay is capped, even for absurd attempt counts', () => {
  for (const attempt of [6, 10, 50, 10_000]) {
    const d = backoffDelay(attempt, () => 1, opts);
    assert.equal(d, 15_000);
    assert.ok(backoffDelay(attempt, () => 0, opts) >= 7_500, 'never retries in a tight loop');
  }
});

test('jitter spreads clients that failed at the same moment', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, rnd, opts)));
  assert.ok(delays.size > 40, `expected spread, got ${delays.size} distinct delays`);
});
