import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractEntities, type Entity } from './index.ts';

// Tuesday 24 November 2026, 10:00 in Shanghai.
const now = new Date('2026-11-24T10:00:00+08:00');
const products = [
  { id: 'p-lingxi-gold', names: ['灵犀金卡', 'Lingxi Gold'] },
  { id: 'p-gold', names: ['金卡'] },
  { id: 'p-bao', names: ['灵犀宝'] },
];
const ex = (text: string) => extractEntities(text, { now, products });
const only = (text: string, type: Entity['type']) => ex(text).filter((e) => e.type === type);
const range = (text: string) => {
  const d = only(text, 'date');
  assert.equal(d.length, 1, `one date in ${text}: ${JSON.stringify(d)}`);
  const e = d[0] as Extract<Entity, { type: 'date' }>;
  return [e.value.start, e.value.end, e.grain];
};

test('money in the formats customers write', () => {
  const cases: [string, number, string, string][] = [
    ['¥1,200', 1200, 'CNY', '¥1,200'], ['1200元', 1200, 'CNY', '1200元'], ['1,200.50元', 1200.5, 'CNY', '1,200.50元'],
    ['还一千二', 1200, 'CNY', '一千二'], ['一千二百块', 1200, 'CNY', '一千二百块'], ['1.2万', 12000, 'CNY', '1.2万'],
    ['两千五', 2500, 'CNY', '两千五'], ['budget 3k', 3000, 'CNY', '3k'], ['$50', 50, 'USD', '$50'], ['50 dollars', 50, 'USD', '50 dollars'],
    ['RMB 300', 300, 'CNY', 'RMB 300'], ['转账5000', 5000, 'CNY', '5000'], ['１２００元', 1200, 'CNY', '１２００元'],
    ['要还1001 块', 1001, 'CNY', '1001 块'],
  ];
  for (const [text, value, currency, span] of cases) {
    const m = only(text, 'money');
    assert.equal(m.length, 1, text);
    assert.deepEqual([m[0].value, (m[0] as Extract<Entity, { type: 'money' }>).currency, m[0].text], [value, currency, span], text);
    assert.equal(text.slice(m[0].start, m[0].end), m[0].text);
  }
});

test('numbers that are not money', () => {
  for (const s of ['我有三千个积分', '利率3.5%', '一共12期', '今年走了两万步', '订单1200', '一下']) assert.deepEqual(only(s, 'money'), [], s);
});

test('Chinese relative dates and periods', () => {
  assert.deepEqual(range('今天'), ['2026-11-24', '2026-11-24', 'day']);
  assert.deepEqual(range('昨天的交易'), ['2026-11-23', '2026-11-23', 'day']);
  assert.deepEqual(range('前天'), ['2026-11-22', '2026-11-22', 'day']);
  assert.deepEqual(range('明天'), ['2026-11-25', '2026-11-25', 'day']);
  assert.deepEqual(range('下周三还款'), ['2026-12-02', '2026-12-02', 'day']);
  assert.deepEqual(range('上周'), ['2026-11-16', '2026-11-22', 'week']);
  assert.deepEqual(range('本月'), ['2026-11-01', '2026-11-30', 'month']);
  assert.deepEqual(range('上个月账单'), ['2026-10-01', '2026-10-31', 'month']);
  // Convention: a "last N" window ends today and starts the day after the same date N units ago.
  assert.deepEqual(range('最近三个月的流水'), ['2026-08-25', '2026-11-24', 'range']);
  assert.deepEqual(range('近3个月'), ['2026-08-25', '2026-11-24', 'range']);
  assert.deepEqual(range('最近一周'), ['2026-11-18', '2026-11-24', 'range']);
  assert.deepEqual(range('今年'), ['2026-01-01', '2026-12-31', 'year']);
  assert.deepEqual(range('去年'), ['2025-01-01', '2025-12-31', 'year']);
});

test('Chinese absolute dates', () => {
  assert.deepEqual(range('2024年3月5日'), ['2024-03-05', '2024-03-05', 'day']);
  assert.deepEqual(range('3月5号那笔'), ['2026-03-05', '2026-03-05', 'day']);
  assert.deepEqual(range('三月五号'), ['2026-03-05', '2026-03-05', 'day']);
  assert.deepEqual(range('2024-03-05'), ['2024-03-05', '2024-03-05', 'day']);
  assert.deepEqual(range('2024年3月'), ['2024-03-01', '2024-03-31', 'month']);
  assert.deepEqual(only('利率3.5', 'date'), [], '3.5 is not read as a date');
  assert.deepEqual(only('2月30日', 'date'), [], 'impossible dates are rejected');
});

test('English dates', () => {
  assert.deepEqual(range('today'), ['2026-11-24', '2026-11-24', 'day']);
  assert.deepEqual(range('yesterday'), ['2026-11-23', '2026-11-23', 'day']);
  assert.deepEqual(range('paid last Friday'), ['2026-11-20', '2026-11-20', 'day']);
  assert.deepEqual(range('next Monday'), ['2026-11-30', '2026-11-30', 'day']);
  assert.deepEqual(range('last month'), ['2026-10-01', '2026-10-31', 'month']);
  assert.deepEqual(range('this month'), ['2026-11-01', '2026-11-30', 'month']);
  assert.deepEqual(range('past 3 months'), ['2026-08-25', '2026-11-24', 'range']);
  assert.deepEqual(range('last week'), ['2026-11-16', '2026-11-22', 'week']);
  assert.deepEqual(range('on March 5'), ['2026-03-05', '2026-03-05', 'day']);
  assert.deepEqual(range('2024-03-05'), ['2024-03-05', '2024-03-05', 'day']);
});

test('"today" follows the time zone', () => {
  const lateUtc = new Date('2026-11-23T17:00:00Z'); // 01:00 on the 24th in Shanghai
  const sh = extractEntities('今天', { now: lateUtc })[0] as Extract<Entity, { type: 'date' }>;
  const utc = extractEntities('今天', { now: lateUtc, timeZone: 'UTC' })[0] as Extract<Entity, { type: 'date' }>;
  assert.equal(sh.value.start, '2026-11-24');
  assert.equal(utc.value.start, '2026-11-23');
});

test('card, phone and ID numbers reuse the PII detectors', () => {
  const text = '卡号6222 0212 3456 7894，手机+86 138-1234-5678，身份证11010519491231002x';
  const e = ex(text);
  assert.deepEqual(e.map((x) => [x.type, x.value]), [
    ['card_number', '6222021234567894'],
    ['phone', '13812345678'],
    ['id_number', '11010519491231002X'],
  ]);
  assert.deepEqual(only('卡号6222021234567890', 'card_number'), [], 'Luhn-invalid');
});

test('account types, Chinese and English', () => {
  const types = (s: string) => only(s, 'account_type').map((e) => e.value);
  assert.deepEqual(types('借记卡和信用卡'), ['debit_card', 'credit_card']);
  assert.deepEqual(types('储蓄卡转到活期'), ['debit_card', 'current']);
  assert.deepEqual(types('大额存单和理财'), ['fixed_deposit', 'wealth']);
  assert.deepEqual(types('房贷和车贷'), ['loan', 'loan']);
  assert.deepEqual(types('my Credit Card and my mortgage'), ['credit_card', 'loan']);
  assert.deepEqual(types('贷记卡'), ['credit_card']);
});

test('products: longest match, traditional and case folded', () => {
  assert.deepEqual(only('办了灵犀金卡', 'product').map((e) => [e.value, e.text]), [['p-lingxi-gold', '灵犀金卡']]);
  assert.deepEqual(only('靈犀寶收益', 'product').map((e) => [e.value, e.text]), [['p-bao', '靈犀寶']]);
  assert.deepEqual(only('upgrade to LINGXI GOLD', 'product').map((e) => e.value), ['p-lingxi-gold']);
  assert.deepEqual(extractEntities('灵犀金卡', { now }).filter((e) => e.type === 'product'), [], 'no dictionary, no products');
});

test('a mixed sentence: sorted, non-overlapping, offsets into the original', () => {
  const text = '我上个月用信用卡还了一千二';
  const e = ex(text);
  assert.deepEqual(e.map((x) => x.type), ['date', 'account_type', 'money']);
  for (const x of e) assert.equal(text.slice(x.start, x.end), x.text);
  assert.deepEqual(extractEntities('', { now }), []);
});
