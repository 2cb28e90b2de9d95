import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPairModel, trainPairModel, type Pair } from './index.ts';
import { mulberry32 } from './sparse-model.ts';

// A synthetic bank FAQ: a question is (product, action); paraphrases vary the frame around them. Same product and
// action = same meaning; changing either one changes the answer, although most characters stay the same.
const PRODUCTS = ['信用卡', '借记卡', '房贷', '定期存款', '网银', '手机银行', '理财产品', '医保卡'];
const ACTIONS = ['挂失', '激活', '注销', '还款', '开通', '查询余额', '修改密码', '提高额度'];
const FRAMES = [
  (p: string, a: string) => `怎么${a}我的${p}`,
  (p: string, a: string) => `${p}如何${a}`,
  (p: string, a: string) => `请问${p}${a}怎么弄`,
  (p: string, a: string) => `我想${a}${p}，要怎么办`,
  (p: string, a: string) => `${p}能不能在网上${a}？`,
  (p: string, a: string) => `你好，帮我${a}一下${p}`,
];

function synthetic(n: number, seed: number): Pair[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const p = pick(PRODUCTS);
    const a = pick(ACTIONS);
    const f1 = pick(FRAMES);
    const f2 = pick(FRAMES.filter((f) => f !== f1));
    if (i % 2 === 0) out.push({ a: f1(p, a), b: f2(p, a), label: 1 });
    else if (i % 4 === 1) out.push({ a: f1(p, a), b: f1(p, pick(ACTIONS.filter((x) => x !== a))), label: 0 });
    else out.push({ a: f1(p, a), b: f2(pick(PRODUCTS.filter((x) => x !== p)), a), label: 0 });
  }
  return out;
}

const model = trainPairModel(synthetic(600, 1), { seed: 3 });

test('separates obvious paraphrases from questions that differ in one key word', () => {
  assert.ok(model.similarity('怎么挂失我的信用卡', '信用卡如何挂失') > 0.7);
  assert.ok(model.similarity('怎么挂失我的信用卡', '怎么激活我的信用卡') < 0.3);
  assert.ok(model.similarity('房贷如何还款', '请问房贷还款怎么弄') > 0.7);
  assert.ok(model.similarity('房贷如何还款', '信用卡如何还款') < 0.3);
});

test('generalises to unseen pairs of the same kind', () => {
  const test = synthetic(400, 99);
  let ok = 0;
  for (const p of test) if ((model.similarity(p.a, p.b) >= model.threshold ? 1 : 0) === p.label) ok++;
  assert.ok(ok / test.length >= 0.9, `accuracy ${ok / test.length}`);
});

test('similarity is symmetric and in 0..1', () => {
  const s1 = model.similarity('网银怎么开通', '我想开通网银');
  const s2 = model.similarity('我想开通网银', '网银怎么开通');
  assert.equal(s1, s2);
  assert.ok(s1 >= 0 && s1 <= 1);
});

test('serialization round-trip gives identical scores', () => {
  const loaded = loadPairModel(model.serialize());
  const loadedFromBuffer = loadPairModel(Buffer.from(model.serialize()));
  assert.equal(loaded.threshold, model.threshold);
  for (const p of synthetic(50, 7)) {
    const s = model.similarity(p.a, p.b);
    assert.equal(loaded.similarity(p.a, p.b), s);
    assert.equal(loadedFromBuffer.similarity(p.a, p.b), s);
  }
});

test('bad input does not crash and stays in range', () => {
  const long = '信用卡'.repeat(3334);
  const inputs = ['', '   ', '😀😀😀', long, '\u0000\u0007控制字符\u001b', 'Mixed 中英文 card 挂失 123', '\ud800'];
  for (const a of inputs) {
    for (const b of inputs) {
      const s = model.similarity(a, b);
      assert.ok(Number.isFinite(s) && s >= 0 && s <= 1, `${JSON.stringify(a.slice(0, 10))} vs ${JSON.stringify(b.slice(0, 10))}: ${s}`);
    }
  }
  const t0 = performance.now();
  model.similarity(long, long + '吗');
  assert.ok(performance.now() - t0 < 50, 'a 10,000-character input is cut, not compared in full');
});

test('training refuses data it cannot learn from', () => {
  assert.throws(() => trainPairModel([]), /no training pairs/);
  assert.throws(() => trainPairModel([{ a: '你好', b: '您好', label: 1 }]), /both labels/);
});

test('a tiny training set still trains', () => {
  const m = trainPairModel([
    { a: '信用卡挂失', b: '怎么挂失信用卡', label: 1 },
    { a: '信用卡挂失', b: '信用卡激活', label: 0 },
  ]);
  assert.ok(Number.isFinite(m.similarity('信用卡挂失', '挂失信用卡')));
});

test('English pairs train too', () => {
  const pairs: Pair[] = [];
  const things = ['card', 'loan', 'account', 'transfer', 'pin'];
  const verbs = ['block', 'activate', 'close', 'check', 'change'];
  for (const t of things) for (const v of verbs) {
    pairs.push({ a: `how do i ${v} my ${t}`, b: `i want to ${v} the ${t}`, label: 1 });
    pairs.push({ a: `how do i ${v} my ${t}`, b: `i want to ${verbs[(verbs.indexOf(v) + 1) % 5]} the ${t}`, label: 0 });
    pairs.push({ a: `can you ${v} my ${t}`, b: `please ${v} my ${things[(things.indexOf(t) + 1) % 5]}`, label: 0 });
    pairs.push({ a: `can you ${v} my ${t}`, b: `please ${v} my ${t} now`, label: 1 });
  }
  const m = trainPairModel(pairs, { lang: 'en' });
  assert.ok(m.similarity('how do i block my card', 'i want to block the card') > m.similarity('how do i block my card', 'i want to close the card'));
});

test('pairsFromGroups makes positives within an entry and near-miss negatives across entries', async () => {
  const { pairsFromGroups } = await import('./faq-pairs.ts');
  const groups = [
    ['信用卡怎么激活', '激活信用卡', '新卡如何开卡'],
    ['信用卡怎么挂失', '卡丢了怎么办', '挂失信用卡'],
    ['房贷利率是多少', '房贷利息怎么算'],
  ];
  const pairs = pairsFromGroups(groups, { negativesPerQuestion: 1 });
  const entryOf = new Map(groups.flatMap((g, i) => g.map((q) => [q, i] as const)));
  for (const p of pairs) assert.equal(p.label === 1, entryOf.get(p.a) === entryOf.get(p.b));
  assert.equal(pairs.filter((p) => p.label === 1).length, 3 + 3 + 1);
  assert.ok(pairs.some((p) => p.label === 0));
  const m = trainPairModel(pairs);
  assert.ok(Number.isFinite(m.similarity('信用卡怎么激活', '怎样激活信用卡')));
});

test('relations settled by the training labels are answered from them, also after a round-trip', () => {
  const pairs = synthetic(300, 5);
  // An operator's labels say these two differ although they look alike, and that A≡B, B≡C (so A≡C).
  pairs.push({ a: '信用卡如何挂失', b: '信用卡如何挂失呢', label: 0 });
  pairs.push({ a: '卡丢了', b: '信用卡如何激活', label: 1 }, { a: '信用卡如何激活', b: '新卡怎么用', label: 1 });
  const m = trainPairModel(pairs);
  const loaded = loadPairModel(m.serialize());
  for (const x of [m, loaded]) {
    assert.ok(x.similarity('信用卡如何挂失', '信用卡如何挂失呢') < 0.1);
    assert.ok(x.similarity('卡丢了', '新卡怎么用') >= 0.9);
    // Punctuation and full-width forms do not hide a known question.
    assert.ok(x.similarity('卡丢了！', '新卡怎么用?') >= 0.9);
  }
});
