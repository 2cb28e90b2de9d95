import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNumerals, normalizeNumerals } from './numerals.ts';

test('quantities become Arabic numbers', () => {
  const cases: [string, string][] = [
    ['一千二', '1200'], ['三万五', '35000'], ['两千', '2000'], ['十五', '15'], ['1.2万', '12000'], ['两千五', '2500'],
    ['一千二百块', '1200块'], ['一万零五', '10005'], ['二十五', '25'], ['一百二', '120'], ['1万2', '12000'],
    ['壹仟贰佰元', '1200元'], ['一点五万', '15000'], ['一亿五', '150000000'], ['百分之三十五', '35%'],
    ['二〇二四年三月五号', '2024年3月5号'], ['我要转一千二给我妈', '我要转1200给我妈'], ['一张卡', '1张卡'], ['三天', '3天'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeNumerals(input), want, input);
});

test('words that contain numeral characters are left alone', () => {
  for (const s of ['一下', '一起', '统一', '一般', '万一', '等一下再说', '十分感谢', '千万不要', '第一次', '一个问题', '三五天', '十几万', '百度', '一样', '唯一的卡']) {
    assert.equal(normalizeNumerals(s), s, s);
  }
  assert.equal(normalizeNumerals('三万一起存'), '30000一起存');
});

test('plain Arabic numbers and text without numerals are unchanged', () => {
  assert.equal(normalizeNumerals('2024年存了5000元'), '2024年存了5000元');
  assert.equal(normalizeNumerals(''), '');
});

test('findNumerals reports offsets', () => {
  const spans = findNumerals('转一千二给他');
  assert.deepEqual(spans, [{ start: 1, end: 4, value: 1200, text: '一千二' }]);
});

test('parseNumeral accepts a whole numeral only', async () => {
  const { parseNumeral } = await import('./numerals.ts');
  assert.equal(parseNumeral('三'), 3);
  assert.equal(parseNumeral('十二'), 12);
  assert.equal(parseNumeral('二〇二四'), 2024);
  assert.equal(parseNumeral('12'), 12);
  assert.equal(parseNumeral('三个'), undefined);
  assert.equal(parseNumeral('一下'), undefined);
});
