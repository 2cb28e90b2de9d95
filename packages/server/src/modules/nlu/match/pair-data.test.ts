import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, parsePairs } from './pair-data.ts';

test('CSV with BOM, quotes, embedded commas and CRLF', () => {
  const text = '\uFEFFsentence1,sentence2,label\r\n"你好,我要还款","怎么""还款""",1\r\n借款,还款,0\r\n';
  assert.deepEqual(parsePairs(text, 'x.csv'), [
    { a: '你好,我要还款', b: '怎么"还款"', label: 1 },
    { a: '借款', b: '还款', label: 0 },
  ]);
});

test('header columns may come in any order', () => {
  assert.deepEqual(parsePairs('label,sentence2,sentence1\n1,b,a\n', 'x.csv'), [{ a: 'a', b: 'b', label: 1 }]);
});

test('tab-separated without header, by extension or by content', () => {
  const tsv = '开初婚未育证明怎么弄？\t初婚未育情况证明怎么开？\t1\n谁知道她是网络美女吗？\t爱情这杯酒谁喝都会醉是什么歌\t0\n';
  const expected = [
    { a: '开初婚未育证明怎么弄？', b: '初婚未育情况证明怎么开？', label: 1 },
    { a: '谁知道她是网络美女吗？', b: '爱情这杯酒谁喝都会醉是什么歌', label: 0 },
  ];
  assert.deepEqual(parsePairs(tsv, 'dev.txt'), expected);
  assert.deepEqual(parsePairs(tsv, 'data'), expected);
});

test('a bad label is a clear error, not a silent zero', () => {
  assert.throws(() => parsePairs('sentence1,sentence2,label\na,b,yes\n', 'x.csv'), /label must be 0 or 1/);
});

test('parseCsv keeps newlines inside quotes', () => {
  assert.deepEqual(parseCsv('a,"b\nc"\n'), [['a', 'b\nc']]);
});
