import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCounts, fitVocabulary, vectorize, hash32, VIEW_CHAR, VIEW_WORD, VIEW_PINYIN, VIEW_RADICAL, type FeatureConfig } from './features.ts';
import { hanRadical } from './han-radicals.ts';
import { normalize, stem } from './text-prep.ts';

const CFG: FeatureConfig = { word: [1, 2], char: [1, 3], pinyin: [1, 2], weights: { word: 1, char: 1, pinyin: 0.5 }, stem: true, edges: true };

test('char n-gram ids are the hashes of the n-gram strings (rolling hash == string hash)', () => {
  const c = extractCounts('挂失 card', CFG);
  for (const g of ['挂', '失', '挂失', '\u0002挂', ' ca', 'ard', 'd \u0003']) assert.ok(c.has(hash32(g, VIEW_CHAR)), `missing ${JSON.stringify(g)}`);
  assert.ok(!c.has(hash32(' ', VIEW_CHAR)), 'a lone space is not a feature');
  assert.ok(c.has(hash32('card', VIEW_WORD)));
  assert.ok(c.has(hash32('gua\u0001shi', VIEW_PINYIN)), 'pinyin bigram');
  for (const h of c.keys()) assert.ok([VIEW_WORD, VIEW_CHAR, VIEW_PINYIN].includes(h & 3));
});

test('homophones share pinyin features; traditional and full-width text normalise to the same features', () => {
  const a = extractCounts('挂失', CFG);
  const b = extractCounts('挂是', CFG);
  assert.ok(b.has(hash32('gua\u0001shi', VIEW_PINYIN)) && a.has(hash32('gua\u0001shi', VIEW_PINYIN)));
  assert.deepEqual([...extractCounts('銀行帳戶', CFG)].sort(), [...extractCounts('银行账户', CFG)].sort());
  assert.equal(normalize('ＡＢＣ１２３\u0000\u200b  x'), 'abc123 x');
  assert.equal(stem('cards'), 'card');
  assert.equal(stem('charges'), 'charge');
  assert.equal(stem('boxes'), 'box');
});

test('vectors are unit length, sorted by column, and drop unseen features', () => {
  const docs = ['我的卡丢了', 'lost my card', '转账限额'].map((t) => extractCounts(t, CFG));
  const vocab = fitVocabulary(docs);
  const v = vectorize(extractCounts('我的卡丢了 zzz', CFG), vocab, CFG);
  let n = 0;
  for (const x of v.val) n += x * x;
  assert.ok(Math.abs(n - 1) < 1e-5);
  for (let i = 1; i < v.idx.length; i++) assert.ok(v.idx[i] > v.idx[i - 1]);
  assert.equal(vectorize(extractCounts('龘', CFG), vocab, CFG).idx.length, 0);
  assert.equal(extractCounts('', CFG).size, 0);
});

test('Kangxi radicals: the Unihan table, and radical unigrams as a view of their own when configured', () => {
  for (const [ch, r] of [['一', 1], ['疹', 104], ['癌', 104], ['炒', 86], ['炎', 86], ['鸡', 196], ['鱼', 195], ['馒', 184], ['龘', 212], ['a', 0], ['㐀', 0]] as const) {
    assert.equal(hanRadical(ch), r, ch);
  }
  assert.ok(![...extractCounts('湿疹', CFG).keys()].some((h) => (h & 3) === VIEW_RADICAL), 'off unless configured');
  const R: FeatureConfig = { ...CFG, radical: [1, 1], weights: { ...CFG.weights, radical: 0.75 } };
  const c = extractCounts('湿疹 ok', R);
  assert.equal(c.get(hash32('104', VIEW_RADICAL)), 1, '疹 → 疒 (104)');
  assert.equal(c.get(hash32('85', VIEW_RADICAL)), 1, '湿 → 水 (85)');
  assert.equal([...c.keys()].filter((h) => (h & 3) === VIEW_RADICAL).length, 2, 'Han characters only');
});
