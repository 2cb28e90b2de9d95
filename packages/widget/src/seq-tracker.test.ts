import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqTracker } from './seq-tracker.ts';

test('accepts each seq once and advances the watermark', () => {
  const t = new SeqTracker();
  assert.equal(t.accept(1), true);
  assert.equal(t.accept(2), true);
  assert.equal(t.accept(2), false);
  assert.equal(t.accept(1), false);
  assert.equal(t.watermark, 2);
});

test('an out-of-order frame is shown once, and the watermark waits for the hole to fill', () => {
  const t = new SeqTracker();
  t.accept(1);
  assert.equal(t.accept(3), true);
  assert.equal(t.watermark, 1, 'resume point must not skip seq 2');
  assert.equal(t.accept(3), false);
  assert.equal(t.accept(2), true);
  assert.equal(t.watermark, 3);
});

test('replay after reconnect: everything up to the watermark is dropped, the rest shown', () => {
  const t = new SeqTracker();
  for (const s of [1, 2, 3]) t.accept(s);
  const shown = [2, 3, 4, 5].filter((s) => t.accept(s));
  assert.deepEqual(shown, [4, 5]);
});

test('a server that skips numbers does not stall the watermark forever', () => {
  const t = new SeqTracker(0, 4);
  t.accept(1);
  for (const s of [3, 4, 5, 6, 7]) t.accept(s);
  assert.equal(t.watermark, 7);
  assert.equal(t.accept(2), false, 'the skipped number is treated as past');
});

test('rejects junk and resets for a new session', () => {
  const t = new SeqTracker();
  assert.equal(t.accept(Number.NaN), false);
  assert.equal(t.accept(1.5), false);
  t.accept(1);
  t.reset();
  assert.equal(t.accept(1), true);
});
