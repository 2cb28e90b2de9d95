import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { trainFaqMatcher, type FaqModel } from '../nlu/index.ts';
import { resolveFollowUp } from './follow-up.ts';

const zh = (text: string, question: string, entryQuestion?: string, terms?: string[][]) =>
  resolveFollowUp(text, { question, ...(entryQuestion ? { entryQuestion } : {}) }, 'zh', terms ? { terms } : {});
const en = (text: string, question: string, entryQuestion?: string) =>
  resolveFollowUp(text, { question, ...(entryQuestion ? { entryQuestion } : {}) }, 'en');

test('Chinese elliptical follow-ups take the place of the term of their kind', () => {
  const cases: [string, string, string][] = [
    ['那信用卡呢', '借记卡年费多少', '信用卡年费多少'],
    ['储蓄卡呢', '信用卡怎么挂失', '储蓄卡怎么挂失'],
    ['那信用卡的呢？', '借记卡被盗刷了怎么办', '信用卡被盗刷了怎么办'],
    ['信用卡的话呢', '借记卡年费多少', '信用卡年费多少'],
    ['换成信用卡呢', '借记卡年费多少', '信用卡年费多少'],
    ['如果是社保卡呢', '借记卡丢了怎么挂失', '社保卡丢了怎么挂失'],
    ['信用卡也是吗', '借记卡有年费吗', '信用卡有年费吗'],
    ['信用卡也一样吗？', '社保卡丢了怎么挂失', '信用卡丢了怎么挂失'],
    ['那柜台呢', '手机银行转账限额是多少', '柜台转账限额是多少'],
    ['那境外的呢', '跨行ATM取款要手续费吗？', '境外atm取款要手续费吗?'],
    ['活期呢', '定期存款利率是多少？', '活期利率是多少?'],
    ['如果是美元呢', '人民币定期利率多少', '美元定期利率多少'],
    ['那这个月的呢', '查上个月的转账记录', '查这个月的转账记录'],
    ['那五年的呢', '三年定期利率多少', '五年定期利率多少'],
    // No term of the same kind: one subject (card, product, digital service) stands in for another.
    ['那消费贷呢', '信用卡逾期了怎么办', '消费贷逾期了怎么办'],
    ['那手机银行的呢', '借记卡密码忘了怎么办', '手机银行密码忘了怎么办'],
  ];
  for (const [text, question, want] of cases) {
    assert.deepEqual(zh(text, question), { text: want, kind: 'substitute' }, `${question} + ${text}`);
  }
  // A compound whose parts both have counterparts (境外 ↔ 跨行, 汇款 ↔ 转账) replaces them together.
  const transfer = [['转账', '汇款', '转帐'], ['境外汇款', '跨境汇款']];
  assert.deepEqual(zh('那境外汇款呢', '跨行转账多久到账', undefined, transfer), { text: '境外汇款多久到账', kind: 'substitute' });
});

test('a Chinese modifier with nothing of its kind to replace is put in front of the action', () => {
  assert.deepEqual(zh('那跨行的呢', '转账手续费多少'), { text: '跨行转账手续费多少', kind: 'append' });
  assert.deepEqual(zh('柜台呢', '跨行转账要收手续费吗'), { text: '柜台跨行转账要收手续费吗', kind: 'append' });
  assert.deepEqual(zh('那跨行转账呢', '手机银行转账限额是多少'), { text: '手机银行跨行转账限额是多少', kind: 'append' });
  // An unknown word is accepted only after an explicit marker (那…呢), and goes first when there is no action.
  assert.deepEqual(zh('那公积金的呢', '房贷利率是多少'), { text: '公积金房贷利率是多少', kind: 'append' });
  assert.equal(zh('公积金呢', '房贷利率是多少'), null);
});

test('the answered entry’s question is used when the customer’s own wording lacks the term', () => {
  assert.deepEqual(zh('那信用卡呢', '年费多少', '借记卡有年费吗？'), { text: '信用卡有年费吗?', kind: 'substitute' });
  // The customer's wording comes first: it is closer to how the next question would be asked.
  assert.deepEqual(zh('那信用卡呢', '储蓄卡每年要交钱吗', '借记卡有年费吗？'), { text: '信用卡每年要交钱吗', kind: 'substitute' });
});

test('Chinese turns that are not elliptical follow-ups are left alone', () => {
  for (const text of [
    '信用卡年费多少', '信用卡年费怎么收？能免吗？', '那你呢', '那我呢', '那好吧', '我的钱呢', '那怎么办呢', '为什么呢', '然后呢',
    '还有呢', '那这个呢', '那其他的呢', '谢谢', '好的', '那信用卡怎么激活呢', '信用卡也能分期吗', '1', '',
  ]) {
    assert.equal(zh(text, '借记卡年费多少'), null, text);
  }
  // Already about X: nothing was left out.
  assert.equal(zh('那信用卡呢', '信用卡年费多少'), null);
  assert.equal(zh('那跨行的呢', '跨行转账手续费多少'), null);
  // No previous question.
  assert.equal(resolveFollowUp('那信用卡呢', undefined, 'zh'), null);
});

test('English follow-ups: what about / how about / and (for) / X then', () => {
  const q = 'what is the annual fee for a debit card';
  const want = { text: 'what is the annual fee for a credit card', kind: 'substitute' };
  for (const text of ['what about credit cards?', 'What about a credit card?', 'and for credit cards?', 'And credit cards?', 'how about my credit card', 'credit cards then?', 'is it the same for credit cards?', 'does that apply to credit cards?', 'what if it is a credit card?']) {
    assert.deepEqual(en(text, q), want, text);
  }
  assert.deepEqual(en('and my debit card?', 'How do I report a lost credit card?'), { text: 'how do i report a lost debit card?', kind: 'substitute' });
  assert.deepEqual(en('how about a personal loan?', 'How do I apply for a mortgage?'), { text: 'how do i apply for a personal loan?', kind: 'substitute' });
  assert.deepEqual(en('what about online banking?', 'what is the transfer limit in mobile banking'), { text: 'what is the transfer limit in online banking', kind: 'substitute' });
  assert.deepEqual(en('what about this month', 'show my transactions for last month'), { text: 'show my transactions for this month', kind: 'substitute' });
  assert.deepEqual(en('what about interbank?', 'what is the transfer fee'), { text: 'what is the interbank transfer fee', kind: 'append' });
  assert.deepEqual(en('and at the branch?', 'how do i send money abroad?'), { text: 'how do i send money abroad at the branch', kind: 'append' });
});

test('English turns that are not elliptical follow-ups are left alone', () => {
  const q = 'what is the annual fee for a debit card';
  for (const text of ['what about it?', 'and then?', 'how about now', 'what about that', 'and?', 'thanks then', 'credit cards?', 'what is the annual fee for a credit card', 'and how do I activate it?', 'what about the rest', 'what about me']) {
    assert.equal(en(text, q), null, text);
  }
  assert.equal(en('what about debit cards?', q), null);
});

test('caller groups (the bot’s synonym sets) add interchangeable words and join the built-in kinds', () => {
  assert.deepEqual(zh('那零钱宝呢', '薪金宝收益怎么样', undefined, [['薪金宝', '零钱宝']]), { text: '零钱宝收益怎么样', kind: 'substitute' });
  assert.deepEqual(zh('零钱宝呢', '薪金宝收益怎么样', undefined, [['薪金宝', '零钱宝']]), { text: '零钱宝收益怎么样', kind: 'substitute' });
  // Without the group, 零钱宝 is an unknown word: only the marked form is read, as a qualifier.
  assert.equal(zh('零钱宝呢', '薪金宝收益怎么样'), null);
  // A group sharing a word with the built-in cards makes its other words cards too.
  assert.deepEqual(zh('那信用咔呢', '借记卡年费多少', undefined, [['信用卡', '信用咔']]), { text: '信用咔年费多少', kind: 'substitute' });
});

// ---------------------------------------------------------------------------------------------------------------
// Against the real FAQ matcher trained on the demo bank's knowledge: (first question, follow-up, entry the follow-up
// asks about). The pairs were written from zh.json / en.json before measuring and are not tuned on.

type Entry = { id: string; question: string; similar?: string[] };
const KB = new URL('../../demo/knowledge/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('meta.json', KB), 'utf8')) as { synonyms: string[][]; terms: string[] };

const PAIRS: Record<'zh' | 'en', [first: string, followUp: string, want: string][]> = {
  zh: [
    ['借记卡年费多少', '那信用卡呢', 'zh-credit-005'],
    ['信用卡怎么挂失', '储蓄卡呢', 'zh-debit-001'],
    ['转账手续费多少', '那跨行的呢', 'zh-transfer-003'],
    ['借记卡丢了怎么挂失', '社保卡呢', 'zh-payroll-003'],
    ['信用卡怎么激活', '那社保卡呢', 'zh-payroll-002'],
    ['借记卡到期了怎么换卡', '信用卡呢', 'zh-credit-023'],
    ['借记卡被盗刷了怎么办', '那信用卡的呢', 'zh-credit-020'],
    ['怎么申请办理借记卡', '信用卡呢', 'zh-credit-001'],
    ['跨行ATM取款要手续费吗', '那境外的呢', 'zh-fee-009'],
    // zh-transfer-003 lists "柜台跨行转账多少钱" among its own questions, so it is the knowledge's answer here.
    ['跨行转账要收手续费吗', '那柜台呢', 'zh-transfer-003'],
    ['定期存款利率是多少', '活期呢', 'zh-deposit-010'],
    ['房贷可以提前还款吗', '那消费贷呢', 'zh-loan-004'],
    ['房贷利率是多少', '消费贷的呢', 'zh-loan-003'],
    ['信用卡逾期了怎么办', '那消费贷呢', 'zh-loan-008'],
    ['手机银行怎么开通', '那网银呢', 'zh-ebank-001'],
    ['借记卡密码忘了怎么办', '那手机银行的呢', 'zh-mobile-002'],
    ['借记卡丢了怎么挂失', '那U盾呢', 'zh-ebank-003'],
    ['银行卡怎么注销', '那信用卡呢', 'zh-credit-019'],
    ['手机银行怎么注销', '如果是信用卡呢', 'zh-credit-019'],
    ['信用卡丢了怎么挂失', '存折呢', 'zh-deposit-011'],
    ['借记卡密码输错被锁了怎么办', '那手机银行呢', 'zh-mobile-008'],
    ['信用卡密码怎么修改', 'U盾的话呢', 'zh-ebank-004'],
    ['跨行转账多久到账', '那境外汇款呢', 'zh-fx-004'],
    ['大额存单起存金额是多少', '那理财呢', 'zh-wealth-009'],
    ['怎么购买理财产品', '国债呢', 'zh-wealth-013'],
    ['社保卡丢了怎么挂失', '信用卡也一样吗', 'zh-credit-004'],
    ['定期存款提前取出利息怎么算', '那大额存单呢', 'zh-deposit-004'],
  ],
  en: [
    ['How do I report a lost debit card?', 'what about credit cards?', 'en-credit-002'],
    ['How do I report a lost credit card?', 'and my debit card?', 'en-card-001'],
    ['How do I apply for a mortgage?', 'how about a personal loan?', 'en-loan-003'],
    ['How do I cancel my credit card?', 'and for my debit card?', 'en-acct-002'],
    ['I forgot my debit card PIN', 'what about mobile banking?', 'en-mobile-002'],
    ['How do I report a lost debit card?', 'what about my USB key?', 'en-mobile-005'],
    ['What are the fixed deposit rates?', 'what about large CDs?', 'en-wealth-004'],
  ],
};
/** Pairs the knowledge answers unambiguously (the issue's own examples): each must resolve to its entry. */
const MUST = new Set(['那信用卡呢|借记卡年费多少', '储蓄卡呢|信用卡怎么挂失', '那跨行的呢|转账手续费多少', 'what about credit cards?|How do I report a lost debit card?']);

test('resolved follow-ups find the intended entry with the demo bank’s FAQ matcher', (t) => {
  let total = 0;
  let right = 0;
  let rawRight = 0;
  let skipPrevious = 0;
  const report: string[] = [];
  for (const lang of ['zh', 'en'] as const) {
    const kb = JSON.parse(readFileSync(new URL(`${lang}.json`, KB), 'utf8')) as Entry[];
    const byId = new Map(kb.map((e) => [e.id, e]));
    const model: FaqModel = trainFaqMatcher(kb.map((e) => ({ id: e.id, questions: [e.question, ...(e.similar ?? [])] })), { synonyms: meta.synonyms, terms: meta.terms });
    for (const [first, followUp, want] of PAIRS[lang]) {
      assert.ok(byId.has(want), want);
      // As the robot does: the previous turn is the customer's question plus the entry it was answered with.
      const answered = byId.get(model.match(first, 1)[0].id)!;
      const fu = resolveFollowUp(followUp, { question: first, entryQuestion: answered.question }, lang, { terms: meta.synonyms });
      assert.ok(fu, `${first} + ${followUp}: not read as a follow-up`);
      const hits = model.match(fu.text, 2);
      const hit = hits[0];
      const raw = model.match(followUp, 1)[0];
      total++;
      if (hit?.id === want) right++;
      if (raw?.id === want) rawRight++;
      // For the robot: a substituted subject asks about something else than the entry just answered.
      if ((fu.kind === 'substitute' && hit?.id === answered.id ? hits[1] : hit)?.id === want) skipPrevious++;
      report.push(`${hit?.id === want ? 'ok  ' : 'MISS'} ${first} + ${followUp} → ${fu.text} → ${hit?.id} ${hit?.score.toFixed(2)} (want ${want}; unresolved → ${raw?.id})`);
      if (MUST.has(`${followUp}|${first}`)) assert.equal(hit?.id, want, `${first} + ${followUp} → ${fu.text}`);
    }
  }
  t.diagnostic(`follow-up pairs: ${right}/${total} resolved to the intended entry (unresolved follow-up text: ${rawRight}/${total}; skipping the entry just answered on a substitute: ${skipPrevious}/${total})`);
  for (const line of report) t.diagnostic(line);
  assert.ok(total >= 30);
  // Measured 29/34 (the misses are matcher ties between near-identical entries, e.g. 借记卡/手机银行 lock-outs).
  assert.ok(right / total >= 0.75, `${right}/${total}\n${report.join('\n')}`);
  assert.ok(right - rawRight >= 15, `resolved ${right} vs unresolved ${rawRight}`);
});
