import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FILTERS, formatListItem, formatMoney, LIST_MAX, render, renderValue, templateVars } from './template.ts';

test('placeholders, dotted paths and the masking filters', () => {
  const vars = { cardNo: '6222021234567890128', name: '王小明', period: { start: '2025-02-01', end: '2025-02-28' }, accounts: [{ cardNo: '6225880123456785008' }] };
  assert.equal(render('卡 {cardNo|mask}，尾号 {cardNo|last4}，{name|name}', vars, 'zh'), '卡 •••• 0128，尾号 0128，王**');
  assert.equal(render('{period}', vars, 'zh'), '2025-02-01 至 2025-02-28');
  assert.equal(render('{period}', vars, 'en'), '2025-02-01 to 2025-02-28');
  assert.equal(render('{accounts.0.cardNo|mask}', vars, 'zh'), '•••• 5008');
  assert.equal(render('[{missing}] [{missing|money}] [{missing|list}]', vars, 'zh'), '[] [] []');
  assert.deepEqual(renderValue('{accounts.0}', vars, 'zh'), { cardNo: '6225880123456785008' });
  assert.deepEqual(templateVars('{a|money} {b.c|list} {d}').map((v) => [v.name, v.filter]), [['a', 'money'], ['b', 'list'], ['d', undefined]]);
  for (const f of ['money', 'digits', 'list']) assert.ok((FILTERS as readonly string[]).includes(f), f);
});

test('money: thousands separators and two decimals', () => {
  assert.equal(formatMoney(12345.6), '12,345.60');
  assert.equal(formatMoney(0), '0.00');
  assert.equal(formatMoney(-1500), '-1,500.00');
  assert.equal(formatMoney('2,000.5'), '2,000.50');
  assert.equal(formatMoney('n/a'), 'n/a');
  assert.equal(render('{x|money} 元', { x: 1234567.891 }, 'zh'), '1,234,567.89 元');
});

test('digits: only the digits of what the customer typed', () => {
  assert.equal(render('{a|digits}', { a: '尾号 9167 的那张' }, 'zh'), '9167');
  assert.equal(render('{a|digits}', { a: 'card ending 0042' }, 'en'), '0042');
});

test('list: one line per item, at most LIST_MAX, shaped by the item', () => {
  const tx = (i: number) => ({ id: `T${i}`, time: `2025-02-${String(10 + i).padStart(2, '0')}T09:00:00+08:00`, type: 'card_spend', amount: -i, counterparty: '星巴克', description: '消费 星巴克' });
  const lines = render('{t|list}', { t: Array.from({ length: 7 }, (_, i) => tx(i + 1)) }, 'zh').split('\n');
  assert.equal(lines.length, LIST_MAX);
  assert.equal(lines[0], '· 2025-02-11 消费 星巴克 -1.00 元');
  assert.equal(render('{t|list}', { t: [] }, 'zh'), '');
  assert.equal(render('{t|list}', { t: 'not a list' }, 'zh'), 'not a list');
});

test('list items: transactions keep private counterparties masked, in both languages', () => {
  const out = { time: '2025-02-23T10:20:00+08:00', type: 'transfer_out', amount: -1500, counterparty: '王芳', description: '转账给王芳' };
  const inn = { time: '2025-02-15T19:02:11+08:00', type: 'transfer_in', amount: 200, counterparty: '欧阳娜娜', description: '欧阳娜娜转入' };
  const salary = { time: '2025-02-10T09:00:05+08:00', type: 'salary', amount: 8000.5, counterparty: '上海星辰科技有限公司', description: '工资' };
  assert.equal(formatListItem(out, 'zh'), '2025-02-23 转账给 王* -1,500.00 元');
  assert.equal(formatListItem(inn, 'zh'), '2025-02-15 欧阳** 转入 +200.00 元');
  assert.equal(formatListItem(salary, 'zh'), '2025-02-10 工资 +8,000.50 元');
  assert.equal(formatListItem(out, 'en'), '2025-02-23 transfer to 王* -1,500.00 CNY');
  assert.equal(formatListItem({ date: '2025-02-20', type: 'utility', amount: -120.5, counterparty: '国家电网', description: '国家电网电费' }, 'en'), '2025-02-20 bill payment, 国家电网电费 -120.50 CNY');
});

test('list items: statement lines, cards, holdings, loans, instalments, anything else', () => {
  assert.equal(formatListItem({ date: '2025-02-06', merchant: '京东商城', amount: 1930.77 }, 'zh'), '2025-02-06 京东商城 1,930.77 元');
  assert.equal(formatListItem({ id: 'A1', cardNo: '6225880123456785008', productName: '灵犀借记卡', cardStatus: 'lost' }, 'zh'), '•••• 5008 灵犀借记卡（已挂失）');
  assert.equal(formatListItem({ cardNo: '6225880123456785008', cardStatus: 'frozen' }, 'en'), '•••• 5008 (frozen)');
  const holding = { productName: '灵犀天天宝', principal: 20000, yieldToDate: 320.73, annualizedRate: 1.79, maturityDate: null };
  assert.equal(formatListItem(holding, 'zh'), '灵犀天天宝：本金 20,000.00 元，累计收益 320.73 元，参考年化 1.79%');
  assert.equal(formatListItem({ ...holding, maturityDate: '2025-05-22' }, 'en'), '灵犀天天宝: principal 20,000.00 CNY, earned 320.73 CNY, 1.79% p.a., matures 2025-05-22');
  const loan = { type: 'mortgage', typeName: '个人住房贷款', typeNameEn: 'Mortgage', outstandingPrincipal: 2251805.63, nextPayment: { dueDate: '2025-03-27', payment: 12344.26 } };
  assert.equal(formatListItem(loan, 'zh'), '个人住房贷款：剩余本金 2,251,805.63 元，下期 2025-03-27 应还 12,344.26 元');
  assert.equal(formatListItem({ ...loan, nextPayment: null }, 'en'), 'Mortgage: outstanding principal 2,251,805.63 CNY');
  const inst = { period: 38, dueDate: '2025-03-27', payment: 12344.26, principal: 5663.9, interest: 6680.36, status: 'due' };
  assert.equal(formatListItem(inst, 'zh'), '第 38 期 2025-03-27 应还 12,344.26 元（本金 5,663.90，利息 6,680.36）');
  assert.equal(formatListItem({ ...inst, status: 'paid' }, 'en'), '#38 2025-03-27: 12,344.26 CNY (principal 5,663.90, interest 6,680.36), paid');
  // Unknown shapes: plain values, long digit strings masked; plain values as they are.
  assert.equal(formatListItem({ ref: 'X1', account: '6222021234567890128', nested: { a: 1 } }, 'zh'), 'X1 •••• 0128');
  assert.equal(formatListItem('debit_card', 'zh'), '借记卡');
  assert.equal(formatListItem(42, 'en'), '42');
});
