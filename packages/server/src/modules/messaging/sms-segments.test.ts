import { test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentSms, smsEncodingOf, splitLongSms } from './sms-segments.ts';

test('plain ASCII is GSM-7: 160 characters fit one SMS, 161 need two parts of at most 153', () => {
  assert.equal(smsEncodingOf('Your code is 123456'), 'gsm7');
  assert.equal(segmentSms('a'.repeat(160)).parts.length, 1);
  const two = segmentSms('a'.repeat(161));
  assert.deepEqual(two.parts.map((p) => p.length), [153, 8]);
});

test('any Chinese character makes the message UCS-2: 70 per single SMS, 67 per concatenated part', () => {
  assert.equal(smsEncodingOf('余额 100'), 'ucs2');
  assert.equal(segmentSms('中'.repeat(70)).parts.length, 1);
  const s = segmentSms('中'.repeat(71));
  assert.equal(s.encoding, 'ucs2');
  assert.deepEqual(s.parts.map((p) => p.length), [67, 4]);
  assert.equal(segmentSms('中'.repeat(134)).parts.length, 2);
  assert.equal(segmentSms('中'.repeat(135)).parts.length, 3);
});

test('GSM-7 extension characters cost two septets and an escape pair is never split', () => {
  assert.equal(smsEncodingOf('{[~]}'), 'gsm7');
  assert.equal(segmentSms('{'.repeat(80)).units, 160);
  assert.equal(segmentSms('{'.repeat(80)).parts.length, 1);
  const s = segmentSms('a' + '{'.repeat(80)); // 161 septets
  assert.ok(s.parts.every((p) => [...p].reduce((n, c) => n + (c === '{' ? 2 : 1), 0) <= 153));
  assert.equal(s.parts.join(''), 'a' + '{'.repeat(80));
});

test('an emoji (surrogate pair) is never cut in half across parts', () => {
  const text = '中'.repeat(66) + '😀' + '中'.repeat(10);
  const s = segmentSms(text);
  assert.equal(s.parts[0], '中'.repeat(66));
  assert.ok(s.parts[1].startsWith('😀'));
  assert.equal(s.parts.join(''), text);
});

test('a reply longer than the part budget is split into numbered messages, cutting after a line break', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `${i + 1}. 信用卡账单分期的手续费如何计算`);
  const text = lines.join('\n');
  const pieces = splitLongSms(text, 2);
  assert.ok(pieces.length > 1);
  pieces.forEach((p, i) => assert.ok(p.endsWith(`(${i + 1}/${pieces.length})`), p));
  for (const p of pieces) assert.ok(segmentSms(p).parts.length <= 2, `${segmentSms(p).parts.length} parts`);
  // Lines survive whole: every original line appears intact in some piece.
  for (const l of lines) assert.ok(pieces.some((p) => p.includes(l)), l);
  assert.deepEqual(splitLongSms('短消息'), ['短消息']);
});
