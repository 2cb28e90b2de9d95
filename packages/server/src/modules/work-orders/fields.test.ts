import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldDefinition, fieldDefinitionProblems, maskFieldValues, normalizeAmount, validateFieldValues } from './fields.ts';

const L = (zh: string, en: string) => ({ zh, en });
const defs = [
  { key: 'cardNo', label: L('卡号', 'Card number'), kind: 'card_number', required: true },
  { key: 'phone', label: L('联系电话', 'Phone'), kind: 'phone', required: false },
  { key: 'amount', label: L('金额', 'Amount'), kind: 'amount', required: false, validation: { max: 50000 } },
  { key: 'txDate', label: L('交易日期', 'Transaction date'), kind: 'date', required: false, validation: { minDate: '2020-01-01' } },
  { key: 'channel', label: L('渠道', 'Channel'), kind: 'select', required: true, options: [{ value: 'app', label: L('手机银行', 'App') }, { value: 'counter', label: L('柜面', 'Counter') }] },
  { key: 'tags', label: L('标签', 'Tags'), kind: 'multiselect', required: false, options: [{ value: 'fee', label: L('费用', 'Fee') }, { value: 'fraud', label: L('欺诈', 'Fraud') }], validation: { maxItems: 1 } },
  { key: 'count', label: L('笔数', 'Count'), kind: 'number', required: false, validation: { integer: true, min: 1 } },
  { key: 'ref', label: L('流水号', 'Reference'), kind: 'text', required: false, validation: { pattern: '[A-Z]{2}\\d{6}', patternMessage: 'two capitals and six digits' } },
  { key: 'consent', label: L('客户同意', 'Customer consent'), kind: 'checkbox', required: true },
].map((d) => FieldDefinition.parse(d));

describe('custom field values', () => {
  test('valid values are normalized (digits only, amounts with two decimals)', () => {
    const r = validateFieldValues(defs, { cardNo: '6222 0212 3456 7890 128', phone: '+86 138-0013-8000', amount: 1200.5, txDate: '2026-11-20', channel: 'app', tags: ['fee'], count: 2, ref: 'AB123456', consent: true });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.values, { cardNo: '6222021234567890128', phone: '13800138000', amount: '1200.50', txDate: '2026-11-20', channel: 'app', tags: ['fee'], count: 2, ref: 'AB123456', consent: true });
  });

  test("every invalid field is reported at once, in the form's order, with a code per problem", () => {
    const r = validateFieldValues(defs, {
      cardNo: '6222 0212 3456 7890 129', phone: '12345', amount: '-3', txDate: '2026-02-30', channel: 'atm', tags: ['fee', 'fraud'], count: 1.5, ref: 'ab123456', bogus: 1,
    });
    assert.deepEqual(r.problems.map((p) => [p.field, p.code]), [
      ['cardNo', 'invalid_card'], ['phone', 'invalid_phone'], ['amount', 'invalid_amount'], ['txDate', 'invalid_date'], ['channel', 'not_an_option'],
      ['tags', 'max'], ['count', 'not_integer'], ['ref', 'pattern'], ['consent', 'required'], ['bogus', 'unknown_field'],
    ]);
    assert.equal(r.problems.find((p) => p.field === 'ref')!.message, 'two capitals and six digits');
  });

  test('required: missing, blank and empty lists count as missing; a required checkbox must be checked', () => {
    const r = validateFieldValues(defs, { cardNo: '  ', channel: 'app', consent: false });
    assert.deepEqual(r.problems.map((p) => `${p.field}:${p.code}:${p.message}`), ['cardNo:required:Card number is required', 'consent:required:Customer consent must be checked']);
  });

  test('limits: amount max, date min, number min; types are not coerced', () => {
    const base = { cardNo: '4111111111111111', channel: 'counter', consent: true };
    const r = validateFieldValues(defs, { ...base, amount: '50000.01', txDate: '2019-12-31', count: 0 });
    assert.deepEqual(r.problems.map((p) => [p.field, p.code]), [['amount', 'max'], ['txDate', 'min'], ['count', 'min']]);
    const t = validateFieldValues(defs, { ...base, count: '2', consent: 'yes', tags: 'fee' });
    assert.deepEqual(t.problems.map((p) => [p.field, p.code]), [['tags', 'invalid_type'], ['count', 'invalid_type'], ['consent', 'invalid_type']]);
  });

  test('a patch merges over the current values, null removes one, and required fields are checked on the result', () => {
    const current = { cardNo: '4111111111111111', channel: 'app', consent: true, amount: '10.00' };
    const ok = validateFieldValues(defs, { amount: null, phone: '010-12345678' }, 'patch', current);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.values, { cardNo: '4111111111111111', channel: 'app', consent: true, phone: '01012345678' });
    const removed = validateFieldValues(defs, { channel: null }, 'patch', current);
    assert.deepEqual(removed.problems.map((p) => [p.field, p.code]), [['channel', 'required']]);
  });

  test('amounts keep their decimals exactly', () => {
    assert.equal(normalizeAmount('0.1'), '0.10');
    assert.equal(normalizeAmount('0012'), '12.00');
    assert.equal(normalizeAmount(9999999999999.99), '9999999999999.99');
    assert.equal(normalizeAmount('1,000'), null);
    assert.equal(normalizeAmount(1.005), null);
  });

  test('masked for roles without the personal-data permission', () => {
    const masked = maskFieldValues(defs, { cardNo: '6222021234567890128', phone: '13800138000', ref: '客户手机13912345678', amount: '12.00' });
    assert.deepEqual(masked, { cardNo: '6222***********0128', phone: '138****8000', ref: '客户手机139****5678', amount: '12.00' });
  });
});

describe('field definitions', () => {
  test('every problem of a type definition', () => {
    const problems = fieldDefinitionProblems([
      FieldDefinition.parse({ key: 'a', label: L('甲', 'A'), kind: 'select' }),
      FieldDefinition.parse({ key: 'a', label: L('甲', 'A'), kind: 'text', options: [{ value: 'x', label: L('x', 'x') }] }),
      FieldDefinition.parse({ key: 'b', label: L('乙', 'B'), kind: 'multiselect', options: [{ value: 'x', label: L('x', 'x') }, { value: 'x', label: L('y', 'y') }] }),
      FieldDefinition.parse({ key: 'c', label: L('丙', 'C'), kind: 'number', validation: { min: 5, max: 1, maxLength: 3 } }),
      FieldDefinition.parse({ key: 'd', label: L('丁', 'D'), kind: 'text', validation: { pattern: '(a+)+$' } }),
      FieldDefinition.parse({ key: 'e', label: L('戊', 'E'), kind: 'text', validation: { pattern: '([' } }),
      FieldDefinition.parse({ key: 'f', label: L('己', 'F'), kind: 'date', validation: { minDate: '2026-13-01' } }),
    ]);
    assert.deepEqual(problems.map((p) => p.replace(/ \(Invalid .*\)$/, '')), [
      'fields.a: a select needs options',
      'fields.a: the key is used twice',
      'fields.a: only select and multiselect fields have options',
      'fields.b: option "x" is listed twice',
      'fields.c: "maxLength" does not apply to a number field',
      'fields.c: min is greater than max',
      'fields.d: the pattern nests quantifiers (like (a+)+), which can take exponential time',
      'fields.e: the pattern is not a valid regular expression',
      'fields.f: minDate is not a date (YYYY-MM-DD)',
    ]);
  });
});
