import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPii, idNumberValid, luhnValid, maskName, maskPii } from './pii.ts';

/** Appends the Luhn check digit, so test card numbers are valid by construction. */
function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

const CARD = withLuhn('622202123456789'); // 16-digit UnionPay-style
const ID = '11010519491231002X'; // the GB 11643 worked example

test('luhnValid', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid('79927398713'), true);
  assert.equal(luhnValid(''), false);
  assert.equal(luhnValid('4111 1111'), false);
});

test('idNumberValid: checksum and birth date', () => {
  assert.equal(idNumberValid(ID), true);
  assert.equal(idNumberValid(ID.toLowerCase()), true);
  assert.equal(idNumberValid('110105194912310021'), false, 'wrong check character');
  assert.equal(idNumberValid('110105194902301234'), false, '30 February');
  assert.equal(idNumberValid('11010519491231002'), false, '17 chars');
  assert.equal(idNumberValid('010105194912310020'), false, 'region cannot start with 0');
});

test('findPii finds each type with offsets', () => {
  const text = `卡号${CARD}，手机13812345678，身份证${ID}，邮箱 zhang.san@example.com`;
  const found = findPii(text);
  assert.deepEqual(found.map((f) => f.type), ['card', 'phone', 'id', 'email']);
  for (const f of found) assert.equal(text.slice(f.start, f.end).replace(/[ -]/g, '').toUpperCase().endsWith(f.value.slice(-4).toUpperCase()), true);
  assert.equal(found[0].value, CARD);
});

test('cards with spaces or dashes, followed by an amount', () => {
  const spaced = CARD.replace(/(\d{4})(?=\d)/g, '$1 ');
  assert.equal(maskPii(`卡 ${spaced} 转账`), '卡 6222 **** **** ' + CARD.slice(12) + ' 转账');
  const dashed = CARD.replace(/(\d{4})(?=\d)/g, '$1-');
  assert.equal(maskPii(dashed), `6222-****-****-${CARD.slice(12)}`);
  assert.equal(maskPii(`${spaced} 100`), `6222 **** **** ${CARD.slice(12)} 100`);
});

test('phones: bare, +86, separators; not inside longer numbers', () => {
  assert.equal(maskPii('13812345678'), '138****5678');
  assert.equal(maskPii('+86 13812345678'), '+86 138****5678');
  assert.equal(maskPii('电话138-1234-5678'), '电话138-****-5678');
  assert.equal(maskPii('订单号2138123456789'), '订单号2138123456789');
  assert.equal(maskPii('12812345678'), '12812345678', '12x is not a mobile prefix');
});

test('ID and e-mail masks', () => {
  assert.equal(maskPii(`身份证号${ID}`), '身份证号110105********002X');
  assert.equal(maskPii('mail: alice@x.com.'), 'mail: a***@x.com.');
});

test('no false positives on ordinary numbers', () => {
  const ordinary = [
    '转账金额 1,200.50 元，余额 35000 元',
    '日期 2024-03-05 10:20:30',
    'ts=1732412345678 took 12ms', // millisecond timestamp (13 digits, Luhn or not)
    '订单号 20241124000123',
    'trace 4111111111111112', // 16 digits, fails Luhn
    '利率 3.45%，期限 36 个月',
    '身份证 110105194912310021', // bad checksum
  ];
  for (const s of ordinary) assert.deepEqual(findPii(s), [], s);
});

test('maskPii leaves text without personal data untouched', () => {
  assert.equal(maskPii(''), '');
  assert.equal(maskPii('hello world'), 'hello world');
});

test('maskName keeps the surname', () => {
  assert.equal(maskName('张三'), '张*');
  assert.equal(maskName('张三丰'), '张**');
  assert.equal(maskName('欧阳娜娜'), '欧阳**');
  assert.equal(maskName('欧阳'), '欧*');
  assert.equal(maskName('张'), '*');
  assert.equal(maskName('John Smith'), 'J*** S****');
  assert.equal(maskName(''), '');
});
