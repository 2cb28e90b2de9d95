import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkContent, formatDateOutput, parseCategoryPath, parseDateInput, splitTags } from './validation.ts';

const base = { question: 'q', similar: [], answer: 'a', answerHtml: null, channelAnswers: {}, tags: [], related: [], validFrom: null, validTo: null, status: 'draft' };

describe('parseDateInput / formatDateOutput', () => {
  it('reads dates without offset in China Standard Time, a date alone as valid_to being the end of the day', () => {
    assert.equal(parseDateInput('2025-01-31', 'start')!.toISOString(), '2025-01-30T16:00:00.000Z');
    assert.equal(parseDateInput('2025-01-31', 'end')!.toISOString(), '2025-01-31T15:59:59.999Z');
    assert.equal(parseDateInput('2025/1/31 18:30', 'end')!.toISOString(), '2025-01-31T10:30:00.000Z');
    assert.equal(parseDateInput('2025年1月31日', 'start')!.toISOString(), '2025-01-30T16:00:00.000Z');
    assert.equal(parseDateInput('2025-01-31T00:00:00Z', 'end')!.toISOString(), '2025-01-31T00:00:00.000Z');
    assert.equal(parseDateInput('2025-01-31T08:00:00+08:00', 'start')!.toISOString(), '2025-01-31T00:00:00.000Z');
  });
  it('refuses impossible dates and other text', () => {
    for (const s of ['2025-02-30', '2025-13-01', '2025-01-01 25:00', 'tomorrow', '31/01/2025', '']) assert.equal(parseDateInput(s, 'start'), null, s);
  });
  it('formats back to what parses to the same instant', () => {
    for (const [s, bound] of [['2025-01-31', 'start'], ['2025-12-31', 'end'], ['2025-01-31 18:30:05', 'start'], ['2025-01-31 18:30:05', 'end']] as const) {
      assert.equal(formatDateOutput(parseDateInput(s, bound)!, bound), s);
    }
    const odd = new Date('2025-03-01T08:15:30.123Z');
    assert.equal(parseDateInput(formatDateOutput(odd, 'start'), 'start')!.getTime(), odd.getTime());
  });
});

describe('checkContent', () => {
  it('normalises lists and sanitises HTML', () => {
    const r = checkContent({ ...base, similar: [' a ', 'a', '', 'q'], tags: ['x', 'x'], answerHtml: '<script>x</script>' });
    assert.deepEqual(r.content && [r.content.similar, r.content.tags, r.content.answerHtml], [['a'], ['x'], null]);
  });
  it('reports every problem with its field', () => {
    const r = checkContent({ ...base, question: '', answer: 'a'.repeat(20_001), validFrom: '2025-02-01', validTo: '2025-01-01', status: 'live', channelAnswers: { fax: 'x' } });
    assert.equal(r.content, null);
    assert.deepEqual(r.problems.map((p) => p.field).sort(), ['answer', 'channelAnswers', 'question', 'status', 'validTo']);
    assert.match(r.problems.find((p) => p.field === 'answer')!.message, /too long/);
  });
  it('limits similar questions to 200', () => {
    assert.equal(checkContent({ ...base, similar: Array.from({ length: 200 }, (_, i) => `s${i}`) }).problems.length, 0);
    assert.equal(checkContent({ ...base, similar: Array.from({ length: 201 }, (_, i) => `s${i}`) }).problems[0].field, 'similar');
  });
});

describe('cells', () => {
  it('splits tags on commas, 、, semicolons and lines', () => {
    assert.deepEqual(splitTags('信用卡、年费,积分，  优惠;活动\n信用卡'), ['信用卡', '年费', '积分', '优惠', '活动']);
  });
  it('parses category paths', () => {
    assert.deepEqual(parseCategoryPath(' 卡 / 信用卡 /'), { path: ['卡', '信用卡'] });
    assert.deepEqual(parseCategoryPath(''), { path: null });
    assert.ok(parseCategoryPath(Array.from({ length: 11 }, () => 'a').join('/')).problem);
  });
});
