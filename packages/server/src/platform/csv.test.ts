import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, decodeCsvBytes, parseCsv, parseDataCsv, toCsv } from './csv.ts';

describe('parseCsv (RFC 4180)', () => {
  it('parses quoted fields with commas, escaped quotes and line breaks', () => {
    assert.deepEqual(parseCsv('a,b,c\r\n"x, y","say ""hi""","line1\nline2"\r\n'), [['a', 'b', 'c'], ['x, y', 'say "hi"', 'line1\nline2']]);
  });
  it('accepts LF line ends, a missing final line break and empty fields', () => {
    assert.deepEqual(parseCsv('a,,c\n,,\nlast'), [['a', '', 'c'], ['', '', ''], ['last']]);
  });
  it('keeps CRLF inside quotes and treats an empty line as an empty record', () => {
    assert.deepEqual(parseCsv('"a\r\nb"\n\nc\n'), [['a\r\nb'], [''], ['c']]);
  });
  it('is lenient with a quote inside an unquoted field', () => {
    assert.deepEqual(parseCsv('5" screen,x\n'), [['5" screen', 'x']]);
  });
  it('reports an unterminated quote with its line', () => {
    assert.throws(() => parseCsv('a\n"open,\nb\n'), (e: unknown) => e instanceof CsvError && e.line === 2);
  });
  it('round-trips through toCsv', () => {
    const rows = [['id', 'text'], ['1', 'a,b'], ['2', '"q"\nnext'], ['3', ' padded '], ['4', '']];
    assert.deepEqual(parseCsv(toCsv(rows)), rows);
  });
});

describe('decodeCsvBytes', () => {
  it('strips a UTF-8 BOM', () => {
    const r = decodeCsvBytes(Buffer.from('\ufeff编号,问题', 'utf8'));
    assert.deepEqual(r, { text: '编号,问题', encoding: 'utf-8' });
  });
  it('reads GB18030 files saved by Excel on Chinese Windows', () => {
    // "挂失" in GBK: B9 D2 CA A7
    const r = decodeCsvBytes(Buffer.from([0x71, 0x2c, 0xb9, 0xd2, 0xca, 0xa7]));
    assert.deepEqual(r, { text: 'q,挂失', encoding: 'gb18030' });
  });
});

describe('parseDataCsv', () => {
  it('drops a BOM and blank lines, keeps quoted newlines', () => {
    assert.deepEqual(parseDataCsv('\ufefftext,label\n\n"a\nb",x\r\n\n'), [['text', 'label'], ['a\nb', 'x']]);
  });
});
