import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_SPACE, codeHmac, generateCode, maskPhone, normalizeCode, normalizePhone, otpText } from './otp.ts';

test('codes are drawn by crypto.randomInt over the whole range 000000–999999, zero-padded', () => {
  const calls: [number, number][] = [];
  const fixed = (v: number) => (min: number, max: number) => (calls.push([min, max]), v);
  assert.equal(generateCode(fixed(0)), '000000');
  assert.equal(generateCode(fixed(42)), '000042');
  assert.equal(generateCode(fixed(999_999)), '999999');
  assert.deepEqual(calls, [[0, CODE_SPACE], [0, CODE_SPACE], [0, CODE_SPACE]]);
});

test('real codes are six digits and uniform: every digit position is flat (chi-square) and leading zeros occur', () => {
  const n = 60_000;
  const counts = Array.from({ length: 6 }, () => new Array(10).fill(0));
  let leadingZero = 0;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const c = generateCode();
    assert.match(c, /^\d{6}$/);
    if (c[0] === '0') leadingZero++;
    seen.add(c);
    for (let p = 0; p < 6; p++) counts[p][c.charCodeAt(p) - 48]++;
  }
  // 9 degrees of freedom: P(chi2 > 40) ≈ 7e-6, so a fair generator almost never fails while a biased one does.
  for (const row of counts) {
    const expected = n / 10;
    const chi2 = row.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 40, `digit distribution not uniform: ${row.join(',')} (chi2 ${chi2.toFixed(1)})`);
  }
  assert.ok(leadingZero > n * 0.08 && leadingZero < n * 0.12, `leading zeros: ${leadingZero}`);
  // 60k draws from 10^6: about 1,760 collisions expected; far fewer distinct values would mean a small or skewed space.
  assert.ok(seen.size > n * 0.95, `distinct codes: ${seen.size}`);
});

test('typed codes are normalised; anything else is not a code', () => {
  assert.equal(normalizeCode('123456'), '123456');
  assert.equal(normalizeCode(' 123 456 '), '123456');
  assert.equal(normalizeCode('１２３４５６'), '123456');
  assert.equal(normalizeCode('12345'), null);
  assert.equal(normalizeCode('1234567'), null);
  assert.equal(normalizeCode('没收到'), null);
  assert.equal(normalizeCode(''), null);
});

test('phones are normalised and masked; the clear number never survives masking', () => {
  assert.equal(normalizePhone('+86 138-1234-5678'), '13812345678');
  assert.equal(normalizePhone('8613812345678'), '13812345678');
  assert.equal(normalizePhone('+85291234567'), '+85291234567');
  assert.equal(normalizePhone('12345'), null);
  assert.equal(normalizePhone('10086'), null);
  assert.equal(normalizePhone('23812345678'), null);
  assert.equal(maskPhone('13812345678'), '138****5678');
  assert.equal(maskPhone('+86 138 1234 5678'), '138****5678');
});

test('the stored HMAC depends on key, challenge and code', () => {
  const a = codeHmac('k', 'otp_1', '123456');
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(codeHmac('k', 'otp_1', '123456'), a);
  assert.notEqual(codeHmac('k2', 'otp_1', '123456'), a);
  assert.notEqual(codeHmac('k', 'otp_2', '123456'), a);
  assert.notEqual(codeHmac('k', 'otp_1', '123457'), a);
});

test('the SMS text carries the bank signature, the code and the validity in minutes', () => {
  assert.equal(otpText('示例银行', '123456', 5 * 60_000), '【示例银行】您的验证码为123456，5分钟内有效。请勿泄露给他人。');
  assert.equal(otpText('灵犀银行', '000001', 10 * 60_000), '【灵犀银行】您的验证码为000001，10分钟内有效。请勿泄露给他人。');
});
