import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLang, foldPreservingOffsets, normalize } from './normalize.ts';

test('full-width to half-width and lower case', () => {
  assert.equal(normalize('ＡＴＭ１２３'), 'atm123');
  assert.equal(normalize('Ｕ盾　坏了？'), 'u盾 坏了?');
});

test('traditional to simplified, without rewriting simplified characters that exist in both', () => {
  assert.equal(normalize('掛失'), '挂失');
  assert.equal(normalize('銀行'), '银行');
  assert.equal(normalize('掛失信用卡'), '挂失信用卡');
  assert.equal(normalize('這個怎麼辦'), '这个怎么办');
  assert.equal(normalize('怎么办'), '怎么办'); // 么 must not become 幺
});

test('control and zero-width characters are removed, whitespace collapsed', () => {
  assert.equal(normalize('  hello\u200bworld \u0007 \n\t foo  '), 'helloworld foo');
  assert.equal(normalize('\uFEFF我的\u200d卡'), '我的卡');
  assert.equal(normalize('a\u0000b\u007fc'), 'abc');
});

test('empty, emoji only, long input', () => {
  assert.equal(normalize(''), '');
  assert.equal(normalize('   '), '');
  assert.equal(normalize('😀👍'), '😀👍');
  const family = '👨\u200d👩\u200d👧';
  assert.equal(normalize(family), family, 'ZWJ inside an emoji sequence is kept');
  const long = '我的信用卡掛失了吗 '.repeat(1000);
  const n = normalize(long);
  assert.equal(n.length, 10_000 - 1);
  assert.ok(!n.includes('掛'));
});

test('idempotent', () => {
  for (const s of ['ＡＴＭ１２３', '掛失銀行卡', ' Hello  World ', '軟體下載', '😀', 'Ünïcode', '1,200.50元', '我的卡丢了']) {
    assert.equal(normalize(normalize(s)), normalize(s), s);
  }
});

test('foldPreservingOffsets keeps length and positions', () => {
  const s = '掛失ＡＴＭ卡\u200b123';
  const f = foldPreservingOffsets(s);
  assert.equal(f.length, s.length);
  assert.equal(f, '挂失atm卡 123');
});

test('detectLang', () => {
  assert.equal(detectLang('我的卡丢了'), 'zh');
  assert.equal(detectLang('ATM机在哪里'), 'zh');
  assert.equal(detectLang('I lost my card'), 'en');
  assert.equal(detectLang('how do I apply for 灵犀贷 online'), 'en');
  assert.equal(detectLang(''), 'zh');
});
