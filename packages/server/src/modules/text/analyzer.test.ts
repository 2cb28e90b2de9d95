import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer, stemEnglish } from './analyzer.ts';
import { pinyinOf } from './pinyin.ts';

const plain = createAnalyzer();
const tenant = createAnalyzer({
  terms: ['灵犀贷'],
  synonyms: [['信用卡', '贷记卡', '信用咔'], ['挂失', '挂失卡', '冻结卡片']],
});

test('homophone typo 挂是 is corrected to 挂失', () => {
  const a = plain.analyze('我要挂是信用卡');
  assert.equal(a.corrected, '我要挂失信用卡');
  assert.deepEqual(a.tokens, ['我要', '挂失', '信用卡']);
  assert.equal(plain.analyze('挂是').corrected, '挂失');
});

test('more homophone typos from the finance dictionary', () => {
  assert.equal(plain.analyze('公积斤怎么提取').corrected, '公积金怎么提取');
  assert.equal(plain.analyze('信用卡分其还款').corrected, '信用卡分期还款');
  assert.equal(plain.analyze('借记卡跨航转账').corrected, '借记卡跨行转账');
  // fuzzy pinyin (z/zh), second pass, only for terms of 3+ characters
  assert.equal(plain.analyze('我要查一下增信报告').corrected, '我要查一下征信报告');
});

test('correction leaves real words and particles alone', () => {
  for (const s of ['分期和分歧', '具体现金', '还有几分钟', '网商银行安全吗', '养哪个卡好呢', '挂失信用卡', '我的卡丢了']) {
    assert.equal(plain.analyze(s).corrected, undefined, s);
  }
});

test('synonyms map to the first word of their set, including tenant misspellings', () => {
  const a = tenant.analyze('信用咔丢了');
  assert.deepEqual(a.tokens, ['信用卡', '丢', '了']);
  assert.equal(a.corrected, undefined, 'a configured variant is a known word, not a typo');
  assert.deepEqual(tenant.analyze('贷记卡年费').tokens, ['信用卡', '年费']);
  assert.deepEqual(tenant.analyze('冻结卡片').tokens, ['挂失']);
  // Synonym sets do not leak into other analyzers...
  assert.notDeepEqual(plain.analyze('冻结卡片').tokens, ['挂失']);
  // ...but the shared analyzer still repairs the homophone from its dictionary.
  assert.equal(plain.analyze('信用咔丢了').corrected, '信用卡丢了');
});

test('tenant terms are single tokens', () => {
  assert.deepEqual(tenant.analyze('灵犀贷怎么申请').tokens, ['灵犀贷', '怎么', '申请']);
  assert.ok(!plain.analyze('灵犀贷怎么申请').tokens.includes('灵犀贷'));
});

test('traditional input is normalized before segmentation', () => {
  const a = plain.analyze('掛失信用卡');
  assert.equal(a.normalized, '挂失信用卡');
  assert.deepEqual(a.tokens, ['挂失', '信用卡']);
  assert.deepEqual(a.pinyin, ['gua', 'shi', 'xin', 'yong', 'ka']);
});

test('finance dictionary keeps banking terms whole', () => {
  assert.deepEqual(plain.analyze('借记卡跨行转账手续费').tokens, ['借记卡', '跨行转账', '手续费']);
  assert.deepEqual(plain.analyze('我的U盾坏了').tokens, ['我', '的', 'u盾', '坏', '了']);
  assert.deepEqual(plain.analyze('今年费用多少').tokens, ['今年', '费用', '多少']);
});

test('我的卡丢了 is segmented into words', () => {
  const a = plain.analyze('我的卡丢了');
  assert.deepEqual(a.tokens, ['我', '的', '卡', '丢', '了']);
  assert.deepEqual(a.pinyin, ['wo', 'de', 'ka', 'diu', 'le']);
  assert.equal(a.lang, 'zh');
});

test('English: lower case, apostrophes kept, plural stripped, punctuation dropped', () => {
  const a = plain.analyze("I can't find my Cards!");
  assert.equal(a.lang, 'en');
  assert.deepEqual(a.tokens, ['i', "can't", 'find', 'my', 'card']);
  assert.deepEqual(plain.analyze('ＡＴＭ').tokens, ['atm']);
  assert.equal(stemEnglish('fees'), 'fee');
  assert.equal(stemEnglish('policies'), 'policy');
  assert.equal(stemEnglish('status'), 'status');
  assert.equal(stemEnglish('address'), 'address');
});

test('degenerate input', () => {
  assert.deepEqual(plain.analyze(''), { normalized: '', lang: 'zh', tokens: [], pinyin: [] });
  assert.deepEqual(plain.analyze('😀😀').tokens, ['😀', '😀']);
  const ctl = plain.analyze('\u0000\u0007挂失\u200b卡\u001b');
  assert.equal(ctl.normalized, '挂失卡');
  const long = plain.analyze('我的信用卡丢了怎么办'.repeat(1000));
  assert.equal(long.normalized.length, 10_000);
  assert.equal(long.tokens.filter((t) => t === '信用卡').length, 1000);
});

test('analyze is idempotent on its own output', () => {
  for (const s of ['挂是信用卡', 'ＡＴＭ１２３', '掛失銀行卡']) {
    const once = plain.analyze(s);
    const twice = plain.analyze(once.corrected ?? once.normalized);
    assert.equal(twice.normalized, once.corrected ?? once.normalized);
    assert.deepEqual(twice.tokens, once.tokens);
  }
});

test('pinyinOf: toneless per Han char, other runs as tokens', () => {
  assert.deepEqual(pinyinOf('ATM机在哪, 银行!'), ['ATM', 'ji', 'zai', 'na', 'yin', 'hang']);
  assert.deepEqual(pinyinOf(''), []);
});
