import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainIntentEngine, trainIntentEngineAsync, predictWithEngine, serializeIntentEngine, deserializeIntentEngine, intentEngine } from './intent-engine.ts';
import { trainIntentClassifierParallel } from './intent-classifier.ts';
import { workerThreads } from './oof-pool.ts';
import { TrainingError, type Example } from './component.ts';

const seeds: Record<string, string[]> = {
  card_lost: ['I lost my card', 'my card was stolen', 'cannot find my debit card', 'someone stole my wallet with my card', 'block my lost card', 'report a lost card'],
  balance: ['what is my balance', 'how much money do I have', 'check my account balance', 'show my balance please', 'balance inquiry', 'how much is left in my account'],
  transfer: ['send money to my friend', 'transfer 100 dollars to John', 'how do I make a transfer', 'wire money abroad', 'move money between accounts', 'pay my brother'],
  挂失: ['我的卡丢了', '信用卡被偷了怎么办', '银行卡找不到了', '帮我挂失银行卡', '卡不见了', '怎么挂失'],
  查余额: ['查一下余额', '我卡里还有多少钱', '账户余额是多少', '帮我查余额', '余额查询', '看看还剩多少钱'],
};
const data: Example[] = Object.entries(seeds).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

test('classifies English and Chinese intents, including typos and traditional characters', () => {
  const m = trainIntentEngine(data);
  assert.equal(predictWithEngine(m, 'my card got stolen yesterday').ranking[0].label, 'card_lost');
  assert.equal(predictWithEngine(m, 'how much money is in my account').ranking[0].label, 'balance');
  assert.equal(predictWithEngine(m, 'I want to transfer money to my friend').ranking[0].label, 'transfer');
  assert.equal(predictWithEngine(m, '我的銀行卡丟了').ranking[0].label, '挂失', 'traditional characters');
  assert.equal(predictWithEngine(m, '我想查下余额').ranking[0].label, '查余额');
  const p = predictWithEngine(m, 'check my balance');
  const sum = p.ranking.reduce((s, r) => s + r.score, 0);
  assert.ok(sum <= 1.0001 && p.score > 0.3, `calibrated scores, got ${p.score}`);
});

test('out-of-scope rows train rejection; predictions never return the oos label', () => {
  const oos: Example[] = ['what is the weather tomorrow', 'tell me a joke', 'who won the football game', 'play some music', 'how tall is mount everest', 'recommend a movie', 'what time is it in tokyo', 'translate hello into french'].map((text) => ({ text, label: 'oos' }));
  const m = trainIntentEngine(data.concat(oos), { oosLabel: 'oos' });
  assert.equal(predictWithEngine(m, 'tell me a funny joke').label, null);
  assert.equal(predictWithEngine(m, 'my card was stolen').label, 'card_lost');
  for (const t of ['what is the weather like', 'recommend a good movie']) assert.ok(!predictWithEngine(m, t).ranking.some((r) => r.label === 'oos'));
});

test('serialize → deserialize predicts identically', () => {
  const m = trainIntentEngine(data);
  const buf = serializeIntentEngine(m);
  assert.ok(Buffer.isBuffer(buf));
  const m2 = deserializeIntentEngine(buf);
  for (const t of ['lost card', '余额多少', 'send money', '']) assert.deepEqual(predictWithEngine(m2, t), predictWithEngine(m, t));
  assert.throws(() => deserializeIntentEngine('{"format":"x"}\n{}'), /not a/);
});

test('bad input at prediction: empty, emoji, 10k chars, control chars, mixed scripts', () => {
  const m = intentEngine.train(data);
  assert.deepEqual(intentEngine.predict(m, ''), { label: null, score: 0, ranking: [] });
  assert.equal(intentEngine.predict(m, '😀😀🎉').label, null, 'emoji only is not an intent');
  const long = 'I lost my card '.repeat(700);
  assert.ok(long.length > 10000);
  const t0 = performance.now();
  assert.equal(intentEngine.predict(m, long).ranking[0].label, 'card_lost');
  assert.ok(performance.now() - t0 < 200, 'long input stays fast');
  assert.equal(intentEngine.predict(m, 'my\u0000 card\u0007 was\u200b stolen').ranking[0].label, 'card_lost');
  assert.equal(intentEngine.predict(m, '我的card丢了').ranking[0].label !== undefined, true);
});

test('bad training data: zero examples, empty labels, one intent, conflicting duplicates', () => {
  assert.throws(() => trainIntentEngine([]), TrainingError);
  assert.throws(() => trainIntentEngine([{ text: 'hi', label: '  ' }]), /empty label/);
  assert.throws(() => trainIntentEngine([{ text: '   ', label: 'a' }, { text: '😀', label: 'b' }].slice(0, 1)), /no usable training text/);
  const one = trainIntentEngine([{ text: 'hello', label: 'greet' }, { text: 'hi there', label: 'greet' }]);
  const p = predictWithEngine(one, 'hello');
  assert.equal(p.label, 'greet');
  assert.equal(p.score, 1);
  // The same text twice with different labels: the majority wins, the model still trains.
  const conflict = trainIntentEngine([
    ...data,
    { text: 'check my account balance', label: 'transfer' },
    { text: 'check my account balance', label: 'balance' },
  ]);
  assert.equal(predictWithEngine(conflict, 'check my account balance').ranking[0].label, 'balance');
});

test('parallel training (folds and the SVM on worker threads) gives the very same model as training on one thread', async () => {
  // ≥ 400 English examples, so the ensemble has its MLP and the worker fits a final learner as well as the folds.
  const more: Record<string, string[]> = {
    ...Object.fromEntries(Object.entries(seeds).filter(([l]) => /^[a-z_]+$/.test(l))),
    exchange_rate: ['what is the exchange rate', 'how many euros for a pound', 'dollar to yen rate', 'currency conversion rate', 'rate for changing money', 'fx rate today'],
    open_account: ['open a new account', 'how do I become a customer', 'sign up for an account', 'create a savings account', 'register as a new client', 'start an account with you'],
  };
  const mods = ['', 'please ', 'hey, ', 'can you tell me ', 'I need to know ', 'quick question: ', 'hello ', 'um ', 'so ', 'help: ', 'urgent: ', 'hi there, ', 'excuse me, ', 'one more thing, '];
  const big: Example[] = Object.entries(more).flatMap(([label, texts]) => texts.flatMap((t) => mods.map((m, k) => ({ text: `${m}${t}${k % 3 ? '?' : ''}`, label }))));
  const oos: Example[] = ['what is the weather tomorrow', 'tell me a joke', 'who won the game', 'play some music', 'recommend a movie', 'what time is it'].flatMap((t) => mods.map((m) => ({ text: m + t, label: 'oos' })));
  const all = big.concat(oos);
  assert.ok(big.length >= 400);
  const one = trainIntentEngine(all, { oosLabel: 'oos' });
  const par = await trainIntentEngineAsync(all, { oosLabel: 'oos', parallel: true });
  assert.equal(par.classifier.learners.length, 2, 'SVM + MLP');
  assert.ok(serializeIntentEngine(par).equals(serializeIntentEngine(one)), 'byte-identical models');
  assert.equal(predictWithEngine(par, 'what is the current exchange rate?').label, 'exchange_rate');

  // A job that fails on its thread fails the training with its message, after every other job has settled.
  const failing = { ...workerThreads, fold: async () => Promise.reject(new Error('fold exploded')) };
  await assert.rejects(trainIntentClassifierParallel(all, { parallel: true }, failing), /fold exploded/);
});
