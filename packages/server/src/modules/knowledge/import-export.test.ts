import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { entriesToRecords, mapHeader, readTable, validateTable, writeTable, type ExportEntry } from './import-export.ts';

const table = (header: string[], ...rows: string[][]) => ({ headerRow: 1, header, rows: rows.map((cells, i) => ({ row: i + 2, cells })) });

describe('import layout', () => {
  it('maps English and Chinese headers, ignoring unknown columns', () => {
    const { columns, errors } = mapHeader(['编号', 'Similar Questions', '标准问', '答案', '备注', 'Valid_From'], 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(Object.fromEntries(columns), { id: 0, similar_questions: 1, question: 2, answer: 3, valid_from: 5 });
  });
  it('reports missing and duplicate columns on the header row', () => {
    const { errors } = mapHeader(['question', '标准问'], 1);
    assert.deepEqual(errors.map((e) => e.column), ['question', 'answer']);
  });
  it('validates every row and returns no drafts when one fails', () => {
    const r = validateTable(table(['id', 'question', 'answer', 'status', 'channel_answers'],
      ['a', 'q', 'x', '', ''],
      ['', '', '', '', ''], // blank rows are skipped
      ['b', 'q2', '', '草稿', ''],
      ['c', 'q3', 'x', '', '{"sms":"短信"}'],
      ['d', 'q4', 'x', '', '{"fax":"x"}'],
      ['bad id', 'q5', 'x', '', 'not json']));
    assert.equal(r.drafts.length, 0);
    assert.deepEqual(r.errors.map((e) => [e.row, e.column]), [[4, 'answer'], [6, 'channel_answers'], [7, 'id'], [7, 'channel_answers']]);
  });
  it('defaults status to published and accepts Chinese status names', () => {
    const r = validateTable(table(['question', 'answer', 'status'], ['q', 'a', ''], ['q2', 'a', '草稿']));
    assert.deepEqual(r.drafts.map((d) => [d.externalId, d.content.status]), [[null, 'published'], [null, 'draft']]);
  });
  it('imports drafts for an importer without kb:review, and refuses a published row', () => {
    const rules = { mayPublishDirectly: false };
    const ok = validateTable(table(['question', 'answer', 'status'], ['q', 'a', ''], ['q2', 'a', '已归档']), rules);
    assert.deepEqual(ok.drafts.map((d) => d.content.status), ['draft', 'archived']);
    const bad = validateTable(table(['question', 'answer', 'status'], ['q', 'a', ''], ['q2', 'a', '已发布'], ['q3', 'a', 'Published']), rules);
    assert.equal(bad.drafts.length, 0);
    assert.deepEqual(bad.errors.map((e) => [e.row, e.column]), [[3, 'status'], [4, 'status']]);
    assert.match(bad.errors[0].message, /kb:review/);
  });
  it('guards formula-like cells in CSV and restores them on import', async () => {
    const e: ExportEntry = {
      externalId: 'x', categoryPath: null, question: '=HYPERLINK("http://evil")', similar: [], answer: '-1+2', answerHtml: null,
      channelAnswers: {}, tags: [], related: [], validFrom: null, validTo: null, status: 'draft',
    };
    const buf = await writeTable(entriesToRecords([e]), 'csv');
    assert.match(buf.toString('utf8'), /'=HYPERLINK/);
    const back = validateTable(await readTable(buf, 'csv'));
    assert.deepEqual([back.drafts[0].content.question, back.drafts[0].content.answer], [e.question, e.answer]);
  });
  it('tells a CSV-labelled xlsx apart', async () => {
    await assert.rejects(readTable(Buffer.from('PK\x03\x04rest'), 'csv'), /xlsx/);
  });
});
