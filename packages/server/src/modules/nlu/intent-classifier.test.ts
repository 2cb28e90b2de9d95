import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultOptions,
  trainIntentClassifierDetailed,
  predictIntent,
  serializeIntentModel,
  deserializeIntentModel,
  ZH_FEATURES,
  EN_FEATURES,
  INTENT_HARD_NEGATIVES,
  INTENT_HARD_NEGATIVES_FROM,
} from './intent-classifier.ts';
import type { Example } from './component.ts';

const zh: Record<string, string[]> = {
  health: ['乳腺癌怎么治', '胃炎怎么办', '肺癌晚期怎么办', '关节炎怎么治疗', '肝炎。', '皮肤癌', '鼻炎吃什么药', '肠炎怎么办'],
  cookbook: ['红烧肉怎么做', '鸡汤的做法', '炒鸡蛋怎么做', '红烧鱼', '清蒸鱼怎么做', '炖鸡汤', '糖醋排骨的做法', '烤鸡翅'],
  transfer: ['给我妈转账五百', '转一千块给张三', '怎么转账到别的银行', '跨行转账要手续费吗', '转账限额是多少', '帮我转账'],
};
const zhData: Example[] = Object.entries(zh).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

test('Chinese bots get the Chinese feature set and a tightly converged SVM; English keeps its own', () => {
  const z = defaultOptions(zhData.map((e) => e.text));
  assert.deepEqual(z.views[0].features, ZH_FEATURES);
  assert.deepEqual(ZH_FEATURES.char, [1, 2], 'Han char 1–2-grams');
  assert.deepEqual(ZH_FEATURES.radical, [1, 1], 'radical unigrams');
  assert.equal(ZH_FEATURES.gloss, true, 'CC-CEDICT glosses');
  assert.equal(EN_FEATURES.gloss, undefined, 'English has no glosses');
  assert.equal(EN_FEATURES.radical, undefined, 'English has no radicals');
  assert.equal(z.learners.length, 1);
  assert.equal(z.learners[0].kind, 'svm');
  assert.equal(z.learners[0].kind === 'svm' && z.learners[0].eps, 0.1);
  const en = defaultOptions(Array.from({ length: 500 }, (_, i) => `example number ${i}`));
  assert.deepEqual(en.views[0].features, EN_FEATURES);
  assert.deepEqual(en.learners.map((l) => l.kind), ['svm', 'mlp']);
  assert.equal(en.learners[0].kind === 'svm' && en.learners[0].eps, undefined, 'English SVM keeps the default tolerance');
});

test('unseen Chinese names are classified by their characters (癌/炎 → health, 鸡/鱼 → cookbook)', () => {
  const { model } = trainIntentClassifierDetailed(zhData);
  for (const [text, label] of [
    ['胃癌', 'health'],
    ['结肠炎怎么治', 'health'],
    ['红烧鸡块', 'cookbook'],
    ['清蒸鲈鱼的做法', 'cookbook'],
    ['转账给李四', 'transfer'],
  ]) {
    assert.equal(predictIntent(model, text).label, label, text);
  }
});

test('the SVM tolerance reaches the solver and survives serialisation', () => {
  const svm = (eps: number) => ({ views: [{ features: ZH_FEATURES, minDf: 1 }], learners: [{ kind: 'svm' as const, view: 0, C: 2, temperature: 4, weight: 1, eps }], calibrationFolds: 0 });
  const loose = trainIntentClassifierDetailed(zhData, svm(1e9)).model; // stops after the first pass
  const tight = trainIntentClassifierDetailed(zhData, svm(0.01)).model;
  const w = (m: typeof loose) => Array.from(m.learners[0].svm!.W);
  assert.notDeepEqual(w(loose), w(tight), 'a tolerance that stops after one pass gives other weights');
  const back = deserializeIntentModel(serializeIntentModel(tight));
  const cfg = back.learners[0].cfg;
  assert.equal(cfg.kind === 'svm' && cfg.eps, 0.01);
  for (const t of ['胃癌', '红烧鸡块', '转账']) assert.deepEqual(predictIntent(back, t), predictIntent(tight, t));
});

test('characters never seen in training are classified by their radical (疒 → health, 火/饣 → cookbook)', () => {
  // without the dictionary's glosses, which know some of these words too (湿疹 → eczema)
  const features = { ...ZH_FEATURES, gloss: false };
  const { model } = trainIntentClassifierDetailed(zhData, { views: [{ features, minDf: 1 }] });
  const noRadicals = trainIntentClassifierDetailed(zhData, { views: [{ features: { ...features, radical: undefined }, minDf: 1 }] }).model;
  for (const [text, label] of [
    ['痢疾', 'health'],
    ['湿疹', 'health'],
    ['煎饼', 'cookbook'],
    ['焖饭', 'cookbook'],
  ]) {
    assert.equal(predictIntent(model, text).label, label, text);
    assert.notEqual(predictIntent(noRadicals, text).label, label, `${text}: the radical is what decides it`);
  }
});

test('words that share no character or radical with the examples are classified by their dictionary glosses', () => {
  const { model } = trainIntentClassifierDetailed(zhData);
  const noGlosses = trainIntentClassifierDetailed(zhData, { views: [{ features: { ...ZH_FEATURES, gloss: false }, minDf: 1 }] }).model;
  for (const [text, label] of [
    ['汇款', 'transfer'], // remit money ~ 转账: transfer money
    ['付款', 'transfer'],
    ['馄饨', 'cookbook'], // wonton … soup ~ 鸡汤: chicken soup
    ['包子', 'cookbook'],
  ]) {
    assert.equal(predictIntent(model, text).label, label, text);
    assert.notEqual(predictIntent(noGlosses, text).label, label, `${text}: the gloss is what decides it`);
  }
});

test('a saved model with a learner kind this engine does not run fails to load with a clear error', () => {
  const saved = JSON.parse(serializeIntentModel(trainIntentClassifierDetailed(zhData, { calibrationFolds: 0 }).model).toString());
  saved.learners[0].cfg.kind = 'nb';
  assert.throws(() => deserializeIntentModel(JSON.stringify(saved)), /learner 0 has unknown kind "nb"/);
  saved.learners[0].cfg.kind = 'svm';
  delete saved.learners[0].svm;
  assert.throws(() => deserializeIntentModel(JSON.stringify(saved)), /learner 0 \(svm\) has no weights/);
});

test('bots with many examples × intents train each intent against its hardest negatives, and still tell them apart', () => {
  const texts = (n: number) => Array.from({ length: n }, (_, i) => `example number ${i}`);
  const svmOf = (o: ReturnType<typeof defaultOptions>) => o.learners.find((l) => l.kind === 'svm')!;
  const small = svmOf(defaultOptions(texts(10_000), 100));
  assert.equal(small.kind === 'svm' && small.negatives, undefined);
  const big = svmOf(defaultOptions(texts(15_000), INTENT_HARD_NEGATIVES_FROM / 15_000));
  assert.equal(big.kind === 'svm' && big.negatives, INTENT_HARD_NEGATIVES);
  // 60 intents × 20 examples, each intent with its own two words among shared filler; 100 negatives per intent.
  let s = 7;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const filler = ['please', 'can', 'you', 'i', 'want', 'to', 'my', 'the', 'now', 'help', 'me', 'with'];
  const pick = () => filler[Math.floor(r() * filler.length)];
  const make = (k: number) => `${pick()} ${pick()} topic${k} ${r() < 0.5 ? `thing${k}` : pick()} ${pick()}`;
  const train: Example[] = [];
  for (let k = 0; k < 60; k++) for (let j = 0; j < 20; j++) train.push({ text: make(k), label: `intent${k}` });
  const { model } = trainIntentClassifierDetailed(train, { learners: [{ kind: 'svm', view: 0, C: 2, negatives: 100 }], calibrationFolds: 0 });
  let right = 0;
  for (let k = 0; k < 60; k++) if (predictIntent(model, make(k)).label === `intent${k}`) right++;
  assert.ok(right >= 57, `${right} of 60 fresh examples right`);
});
