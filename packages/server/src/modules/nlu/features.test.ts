import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCounts, fitVocabulary, vectorize, hash32, VIEW_CHAR, VIEW_WORD, VIEW_PINYIN, VIEW_RADICAL, VIEW_GLOSS, viewOf, type FeatureConfig } from './features.ts';
import { dictionarySize, glossTokens } from './glosses.ts';
import { hanRadical } from './han-radicals.ts';
import { normalize, stem } from './text-prep.ts';

const CFG: FeatureConfig = { word: [1, 2], char: [1, 3], pinyin: [1, 2], weights: { word: 1, char: 1, pinyin: 0.5 }, stem: true, edges: true };

test('char n-gram ids are the hashes of the n-gram strings (rolling hash == string hash)', () => {
  const c = extractCounts('挂失 card', CFG);
  for (const g of ['挂', '失', '挂失', '\u0002挂', ' ca', 'ard', 'd \u0003']) assert.ok(c.has(hash32(g, VIEW_CHAR)), `missing ${JSON.stringify(g)}`);
  assert.ok(!c.has(hash32(' ', VIEW_CHAR)), 'a lone space is not a feature');
  assert.ok(c.has(hash32('card', VIEW_WORD)));
  assert.ok(c.has(hash32('gua\u0001shi', VIEW_PINYIN)), 'pinyin bigram');
  for (const h of c.keys()) assert.ok([VIEW_WORD, VIEW_CHAR, VIEW_PINYIN].includes(viewOf(h)));
});

test('word, char and pinyin ids are those of models trained before the radical and gloss views (stored models stay valid)', () => {
  assert.deepEqual([hash32('card', VIEW_WORD), hash32('挂失', VIEW_CHAR), hash32('gua', VIEW_PINYIN)], [1897657320, 1980299401, -426503110]);
  assert.deepEqual([VIEW_WORD, VIEW_CHAR, VIEW_PINYIN, VIEW_RADICAL, VIEW_GLOSS].map((v) => viewOf(hash32('x', v))), [0, 1, 2, 3, 4]);
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
  assert.ok(![...extractCounts('湿疹', CFG).keys()].some((h) => viewOf(h) === VIEW_RADICAL), 'off unless configured');
  const R: FeatureConfig = { ...CFG, radical: [1, 1], weights: { ...CFG.weights, radical: 0.75 } };
  const c = extractCounts('湿疹 ok', R);
  assert.equal(c.get(hash32('104', VIEW_RADICAL)), 1, '疹 → 疒 (104)');
  assert.equal(c.get(hash32('85', VIEW_RADICAL)), 1, '湿 → 水 (85)');
  assert.equal([...c.keys()].filter((h) => viewOf(h) === VIEW_RADICAL).length, 2, 'Han characters only');
});

test('glosses: CC-CEDICT words by forward maximum matching, their English content words as a view of their own', () => {
  assert.deepEqual(glossTokens('挂失'), ['report', 'loss']);
  assert.ok(dictionarySize() > 100_000, 'the whole dictionary is installed with the server');
  // the longest word at each position: 信用卡 (credit card), not 信用 (credit) + 卡; 我/要 start no word of 2+ characters
  assert.deepEqual(glossTokens('我要挂失信用卡'), ['report', 'loss', 'credit', 'card']);
  assert.deepEqual(glossTokens('我'), []);
  assert.deepEqual(glossTokens(''), []);
  // plural s dropped, classifiers (CL:…) and cross-references left out
  assert.ok(glossTokens('银行').includes('bank') && !glossTokens('银行').some((w) => /^(cl|家|banks)$/.test(w)));
  // a word no character of which the bot has seen still says what it is
  assert.ok(glossTokens('干锅').includes('dish'), glossTokens('干锅').join(' '));
  assert.ok(![...extractCounts('挂失', CFG).keys()].some((h) => viewOf(h) === VIEW_GLOSS), 'off unless configured');
  const G: FeatureConfig = { ...CFG, gloss: true, weights: { ...CFG.weights, gloss: 1 } };
  const c = extractCounts('我要挂失 card', G);
  assert.equal(c.get(hash32('report', VIEW_GLOSS)), 1);
  assert.equal(c.get(hash32('loss', VIEW_GLOSS)), 1);
  assert.equal([...c.keys()].filter((h) => viewOf(h) === VIEW_GLOSS).length, 2, 'Han runs only');
  assert.ok(glossTokens('余额').includes('surplus') && glossTokens('煤气').includes('gas'), glossTokens('余额').join(' '));
  // 手机 and 电话 share no character, but share a gloss (phone)
  const vocab = fitVocabulary(['手机', '电话'].map((t) => extractCounts(t, G)));
  const [a, b] = ['我的手机', '电话'].map((t) => vectorize(extractCounts(t, G), vocab, G));
  const shared = [...a.idx].filter((j) => b.idx.includes(j));
  assert.ok(shared.length > 0 && shared.every((j) => viewOf(vocab.ids[j]) === VIEW_GLOSS));
});
