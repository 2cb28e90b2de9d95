import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterQuestions, questionTerms, type ClusterInput } from './clustering.ts';

const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
const items = (texts: string[]): ClusterInput[] => texts.map((text, i) => ({ id: `q${String(i).padStart(3, '0')}`, text, at: at(i) }));

describe('question clustering', () => {
  it('makes Han bigrams without particles, and stemmed English words without stop words', () => {
    assert.deepEqual(questionTerms('请问信用卡怎么分期？'), ['信用', '用卡', '卡分', '分期']);
    assert.deepEqual(questionTerms('How can I pay my mortgage early?'), ['pay', 'mortgag', 'early']);
    assert.deepEqual(questionTerms('exchanging fees'), questionTerms('exchange fee'));
  });

  it('groups Chinese paraphrases and keeps different topics apart, ranked by frequency', () => {
    const cs = clusterQuestions(items([
      '数字人民币钱包怎么开通', '数字人民币钱包如何开通？', '怎么开通数字人民币钱包', '数字人民币钱包开通', '数字人民币钱包怎么开通',
      '外币兑换手续费多少', '外币兑换的手续费是多少',
      '网点几点关门',
    ]));
    assert.equal(cs.length, 3, JSON.stringify(cs.map((c) => c.members.map((m) => m.text))));
    assert.equal(cs[0].count, 5);
    assert.equal(cs[0].representative, '数字人民币钱包怎么开通', 'the most frequent wording represents the cluster');
    assert.equal(cs[0].members[0].count, 2, 'identical questions are one member with a count');
    assert.equal(cs[0].members.length, 4);
    assert.equal(cs[0].lang, 'zh');
    assert.equal(cs[1].count, 2);
    assert.deepEqual(cs[1].members.map((m) => m.text).sort(), ['外币兑换手续费多少', '外币兑换的手续费是多少']);
    assert.equal(cs[2].representative, '网点几点关门');
  });

  it('groups English paraphrases, separately from other topics', () => {
    const cs = clusterQuestions(items([
      'How do I open a digital yuan wallet?', 'open digital yuan wallet', 'Can I open a digital yuan wallet online?',
      'What is the fee for foreign exchange?', 'foreign exchange fee', 'fees for exchanging foreign currency',
      'Where is the nearest ATM?',
    ]));
    const sets = cs.map((c) => c.members.map((m) => m.text).sort());
    assert.equal(cs.length, 3, JSON.stringify(sets));
    assert.equal(cs[0].count, 3);
    assert.ok(sets.some((s) => s.length === 3 && s.every((t) => /wallet/.test(t))));
    assert.ok(sets.some((s) => s.length === 3 && s.every((t) => /(exchang|foreign)/i.test(t))));
    assert.equal(cs.find((c) => c.count === 1)!.lang, 'en');
  });

  it('is deterministic and independent of input order', () => {
    const base = items(['信用卡分期手续费', '信用卡分期的手续费多少', '房贷提前还款怎么办理', '怎么办理房贷提前还款', 'credit card instalment fee', 'instalment fee of credit card']);
    const a = clusterQuestions(base);
    const b = clusterQuestions([...base].reverse());
    assert.deepEqual(a, b);
    assert.equal(a.length, 3);
  });

  it('is fast for a few thousand questions', () => {
    const topics = ['信用卡分期', '房贷提前还款', '外币兑换', '数字人民币', '理财产品赎回', '网银登录失败', 'credit card limit', 'mortgage rate', 'wire transfer fee', 'atm withdrawal'];
    const tails = ['怎么办', '多少钱', '要多久', '在哪里办', '有什么条件', ' how', ' today', ' please help', '可以吗', '怎么弄'];
    const many: ClusterInput[] = [];
    for (let i = 0; i < 3000; i++) many.push({ id: `m${i}`, text: `${topics[i % 10]}${tails[Math.floor(i / 10) % 10]}${i % 7 === 0 ? '' : ` ${i % 13}`}`, at: at(i) });
    const t0 = performance.now();
    const cs = clusterQuestions(many);
    const ms = performance.now() - t0;
    assert.ok(ms < 1500, `took ${ms} ms`);
    assert.equal(cs.reduce((s, c) => s + c.count, 0), 3000);
  });

  it('ignores empty and punctuation-only questions', () => {
    assert.deepEqual(clusterQuestions(items(['？？', '  '])), []);
  });
});
