/**
 * The one documented file layout of the knowledge base, for .xlsx (first worksheet) and CSV (RFC 4180, UTF-8 with or
 * without BOM; GB18030 accepted). Header row by name, any column order, unknown columns ignored:
 *
 *   id                 external id, unique per bot (generated "kb-xxxxxxxx" when blank); re-importing updates by id
 *   category           category path, levels separated by "/" ("信用卡/挂失"); created when absent
 *   question           standard question (required, ≤ 500 characters)
 *   similar_questions  similar questions, one per line (≤ 200)
 *   answer             answer as plain text (required, ≤ 20,000 characters)
 *   tags               separated by commas, 、, semicolons or line breaks
 *   valid_from         2025-01-31 | 2025-01-31 18:00 | ISO 8601 (without an offset: China Standard Time)
 *   valid_to           same; a date alone means the end of that day
 *   answer_html        optional rich answer (sanitised: p, br, lists, b/strong/em, h3/h4, links, images, tables)
 *   status             optional: published | draft | archived (or 已发布 | 草稿 | 已归档); blank: published when the
 *                      importer may publish without review (kb:review), draft otherwise, for whom published is an error
 *   related            optional: external ids of related entries, separated like tags
 *   channel_answers    optional: JSON object of per-channel answers, e.g. {"sms":"…","voice":"…"}
 *
 * Chinese headers are accepted: 编号, 分类, 标准问, 相似问, 答案, 标签, 生效时间, 失效时间, 富文本答案, 状态,
 * 相关问题, 渠道答案. Exports write the English header and every column, so an export re-imports losslessly.
 */
import ExcelJS from 'exceljs';
import { CsvError, decodeCsvBytes, parseCsv, toCsv } from '../../platform/csv.ts';
import { CHANNELS, type EntryStatus } from './knowledge-repository.ts';
import {
  checkContent, ExternalId, formatDateOutput, parseCategoryPath, splitLines, splitTags, type EntryContent,
} from './validation.ts';

export type FileFormat = 'xlsx' | 'csv';
export const CONTENT_TYPES: Record<FileFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

export const COLUMNS = [
  { key: 'id', aliases: ['id', '编号', '外部编号', '问题编号', 'external_id'] },
  { key: 'category', aliases: ['category', '分类', '类别', '目录', '分类路径'] },
  { key: 'question', aliases: ['question', '标准问', '标准问题', '问题'] },
  { key: 'similar_questions', aliases: ['similar_questions', 'similar', '相似问', '相似问题', '相似问法'] },
  { key: 'answer', aliases: ['answer', '答案', '回答', '标准答案'] },
  { key: 'tags', aliases: ['tags', '标签'] },
  { key: 'valid_from', aliases: ['valid_from', '生效时间', '生效日期', '开始时间'] },
  { key: 'valid_to', aliases: ['valid_to', '失效时间', '失效日期', '结束时间', '截止时间'] },
  { key: 'answer_html', aliases: ['answer_html', '富文本答案', '答案html'] },
  { key: 'status', aliases: ['status', '状态'] },
  { key: 'related', aliases: ['related', '相关问题', '关联问题'] },
  { key: 'channel_answers', aliases: ['channel_answers', '渠道答案'] },
] as const;
export type ColumnKey = (typeof COLUMNS)[number]['key'];
const REQUIRED: ColumnKey[] = ['question', 'answer'];
export const MAX_IMPORT_ROWS = 50_000;
const MAX_REPORTED_ERRORS = 500;

const headerKey = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s_\-()（）]/g, '');
const ALIAS = new Map<string, ColumnKey>(COLUMNS.flatMap((c) => c.aliases.map((a) => [headerKey(a), c.key] as [string, ColumnKey])));

const STATUS_ALIAS: Record<string, EntryStatus> = {
  published: 'published', publish: 'published', 已发布: 'published', 发布: 'published', 上线: 'published',
  draft: 'draft', 草稿: 'draft', 未发布: 'draft',
  archived: 'archived', archive: 'archived', 已归档: 'archived', 归档: 'archived', 下线: 'archived',
};

export type ImportError = { row: number; column?: string; message: string };

/** A table read from a file: row numbers as the operator sees them (header = its own row, usually 1). */
export type Table = { headerRow: number; header: string[]; rows: { row: number; cells: string[] }[] };

/** One validated row: what the service upserts. */
export type EntryDraft = { row: number; externalId: string | null; categoryPath: string[] | null; content: EntryContent };

/**
 * Whether the importer may put content live without review (kb:review). Without it a blank status means draft and
 * published is a row error: the file's entries go through the review workflow like any edit.
 */
export type ImportRules = { mayPublishDirectly: boolean };
const TRUSTED: ImportRules = { mayPublishDirectly: true };

export class ImportFileError extends Error {}

/** Reads the first worksheet of an .xlsx or a CSV file into text cells. Throws ImportFileError when unreadable. */
export async function readTable(buffer: Buffer, format: FileFormat): Promise<Table> {
  const looksZip = buffer.length >= 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && buffer[2] === 0x03 && buffer[3] === 0x04;
  if (format === 'csv') {
    if (looksZip) throw new ImportFileError('this looks like an .xlsx file, not CSV: import it with format xlsx');
    let records: string[][];
    try {
      records = parseCsv(decodeCsvBytes(buffer).text);
    } catch (e) {
      throw new ImportFileError(e instanceof CsvError ? e.message : 'unreadable CSV file');
    }
    const first = records.findIndex((r) => r.some((c) => c.trim() !== ''));
    if (first < 0) throw new ImportFileError('the file is empty');
    // CSV rows are numbered by record (a quoted line break does not start a new row), as a spreadsheet shows them.
    return {
      headerRow: first + 1,
      header: records[first],
      rows: records.slice(first + 1).map((cells, i) => ({ row: first + i + 2, cells })),
    };
  }
  if (!looksZip) throw new ImportFileError('not an .xlsx file (an Excel 2007+ workbook is a zip archive)');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as any);
  } catch (e) {
    throw new ImportFileError(`unreadable .xlsx file: ${(e as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new ImportFileError('the workbook has no worksheet');
  const all: { row: number; cells: string[] }[] = [];
  const width = Math.max(ws.columnCount, ws.actualColumnCount);
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    all.push({ row: rowNumber, cells });
  });
  const first = all.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
  if (first < 0) throw new ImportFileError('the first worksheet is empty');
  return { headerRow: all[first].row, header: all[first].cells, rows: all.slice(first + 1) };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Excel stores dates without a zone: exceljs hands them over as UTC wall-clock, so we format them as local text. */
function excelDateText(d: Date): string {
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0) return day;
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return excelDateText(v);
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('hyperlink' in v) return cellText((v as ExcelJS.CellHyperlinkValue).text as ExcelJS.CellValue);
    if ('text' in v) return cellText((v as any).text);
  }
  return '';
}

/** Maps header cells to columns; problems for duplicates and missing required columns. */
export function mapHeader(header: string[], headerRow: number): { columns: Map<ColumnKey, number>; errors: ImportError[] } {
  const columns = new Map<ColumnKey, number>();
  const errors: ImportError[] = [];
  header.forEach((h, i) => {
    const key = ALIAS.get(headerKey(h));
    if (!key) return; // unknown columns (remarks, owner…) are ignored
    if (columns.has(key)) errors.push({ row: headerRow, column: key, message: `column ${key} appears twice ("${h}")` });
    else columns.set(key, i);
  });
  for (const k of REQUIRED) {
    if (!columns.has(k)) errors.push({ row: headerRow, column: k, message: `missing column ${k} (the header row must name the columns: ${COLUMNS.map((c) => c.key).join(', ')})` });
  }
  return { columns, errors };
}

const FIELD_COLUMN: Record<string, ColumnKey> = {
  question: 'question', similar: 'similar_questions', answer: 'answer', answerHtml: 'answer_html', channelAnswers: 'channel_answers',
  tags: 'tags', related: 'related', validFrom: 'valid_from', validTo: 'valid_to', status: 'status',
};

/** Undoes the CSV formula-injection guard of the export (see guardFormula). */
const unguard = (s: string) => (/^'[=+@\t\r-]/.test(s) ? s.slice(1) : s);

/**
 * Validates every row of a table. Rows whose cells are all blank are skipped. Returns the drafts when there is no
 * error at all; the errors otherwise (all of them, up to 500, so the operator can fix the file in one go).
 */
export function validateTable(t: Table, rules: ImportRules = TRUSTED): { drafts: EntryDraft[]; errors: ImportError[]; errorCount: number } {
  const { columns, errors } = mapHeader(t.header, t.headerRow);
  if (errors.length) return { drafts: [], errors, errorCount: errors.length };
  const rows = t.rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  if (rows.length > MAX_IMPORT_ROWS) {
    return { drafts: [], errors: [{ row: 0, message: `too many rows: ${rows.length} (at most ${MAX_IMPORT_ROWS} per file)` }], errorCount: 1 };
  }
  const all: ImportError[] = [];
  const drafts: EntryDraft[] = [];
  const seenIds = new Map<string, number>();
  for (const r of rows) {
    const cell = (k: ColumnKey) => {
      const i = columns.get(k);
      return i === undefined ? '' : unguard(r.cells[i] ?? '');
    };
    const { draft, errors: rowErrors } = validateRow(r.row, cell, rules);
    for (const e of rowErrors) all.push(e);
    if (draft?.externalId) {
      const prev = seenIds.get(draft.externalId);
      if (prev !== undefined) all.push({ row: r.row, column: 'id', message: `duplicate id ${draft.externalId} (also on row ${prev})` });
      else seenIds.set(draft.externalId, r.row);
    }
    if (draft) drafts.push(draft);
  }
  if (rows.length === 0) all.push({ row: t.headerRow, message: 'the file has a header but no entries' });
  return { drafts: all.length ? [] : drafts, errors: all.slice(0, MAX_REPORTED_ERRORS), errorCount: all.length };
}

function validateRow(row: number, cell: (k: ColumnKey) => string, rules: ImportRules): { draft: EntryDraft | null; errors: ImportError[] } {
  const errors: ImportError[] = [];
  let externalId: string | null = null;
  const rawId = cell('id').trim();
  if (rawId) {
    const p = ExternalId.safeParse(rawId);
    if (p.success) externalId = p.data;
    else errors.push({ row, column: 'id', message: `invalid id "${rawId.slice(0, 40)}": ${p.error.issues[0].message}` });
  }
  const cat = parseCategoryPath(cell('category'));
  if (cat.problem) errors.push({ row, column: 'category', message: cat.problem });
  const question = cell('question').trim();
  const answer = cell('answer').trim();
  if (!question) errors.push({ row, column: 'question', message: 'question is missing' });
  if (!answer) errors.push({ row, column: 'answer', message: 'answer is missing' });
  const rawStatus = cell('status').trim();
  let status: EntryStatus = rules.mayPublishDirectly ? 'published' : 'draft';
  if (rawStatus) {
    const s = STATUS_ALIAS[rawStatus.toLowerCase()];
    if (!s) errors.push({ row, column: 'status', message: `unknown status "${rawStatus.slice(0, 20)}" (published, draft or archived)` });
    else if (s === 'published' && !rules.mayPublishDirectly) {
      errors.push({ row, column: 'status', message: 'status published needs the kb:review permission: import the row as draft and submit it for review' });
    } else status = s;
  }
  let channelAnswers: Record<string, string> = {};
  const rawChannels = cell('channel_answers').trim();
  if (rawChannels) {
    try {
      const v = JSON.parse(rawChannels);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      for (const [k, text] of Object.entries(v)) {
        if (!(CHANNELS as readonly string[]).includes(k)) errors.push({ row, column: 'channel_answers', message: `unknown channel "${k}" (${CHANNELS.join(', ')})` });
        else if (typeof text !== 'string') errors.push({ row, column: 'channel_answers', message: `answer for ${k} must be text` });
        else channelAnswers[k] = text;
      }
    } catch {
      errors.push({ row, column: 'channel_answers', message: 'must be a JSON object such as {"sms": "…"}' });
      channelAnswers = {};
    }
  }
  const { content, problems } = checkContent({
    question: question || '?', // reported above; keeps checkContent from repeating it
    answer: answer || '?',
    similar: splitLines(cell('similar_questions')),
    answerHtml: cell('answer_html').trim() || null,
    channelAnswers,
    tags: splitTags(cell('tags')),
    related: splitTags(cell('related')),
    validFrom: cell('valid_from').trim() || null,
    validTo: cell('valid_to').trim() || null,
    status,
  });
  for (const p of problems) errors.push({ row, column: FIELD_COLUMN[p.field] ?? p.field, message: p.message });
  if (errors.length || !content) return { draft: null, errors };
  return { draft: { row, externalId, categoryPath: cat.path, content }, errors: [] };
}

export type ExportEntry = { externalId: string; categoryPath: string | null } & EntryContent;

/**
 * Spreadsheet programs run a cell starting with = + - @ as a formula (CSV injection); the export prefixes such
 * text with an apostrophe and the import removes it again.
 */
const guardFormula = (s: string) => (/^[=+@\t\r]/.test(s) || /^-\S/.test(s) ? `'${s}` : s);

export function entriesToRecords(entries: ExportEntry[]): string[][] {
  const header = COLUMNS.map((c) => c.key as string);
  const rows = entries.map((e) => [
    e.externalId,
    e.categoryPath ?? '',
    e.question,
    e.similar.join('\n'),
    e.answer,
    e.tags.join(','),
    e.validFrom ? formatDateOutput(e.validFrom, 'start') : '',
    e.validTo ? formatDateOutput(e.validTo, 'end') : '',
    e.answerHtml ?? '',
    e.status,
    e.related.join(','),
    Object.keys(e.channelAnswers).length ? JSON.stringify(e.channelAnswers) : '',
  ]);
  return [header, ...rows];
}

export async function writeTable(records: string[][], format: FileFormat): Promise<Buffer> {
  if (format === 'csv') {
    // The BOM makes Excel open the file as UTF-8 instead of the system code page.
    return Buffer.from('\ufeff' + toCsv(records.map((r, i) => (i === 0 ? r : r.map(guardFormula)))), 'utf8');
  }
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Lingxi';
  const ws = wb.addWorksheet('knowledge');
  const widths: Record<string, number> = { id: 14, category: 20, question: 40, similar_questions: 40, answer: 60, tags: 16, valid_from: 20, valid_to: 20, answer_html: 30, status: 10, related: 16, channel_answers: 30 };
  ws.columns = records[0].map((h) => ({ header: h, key: h, width: widths[h] ?? 16 }));
  ws.getRow(1).font = { bold: true };
  for (const r of records.slice(1)) {
    // Cells are written as text values (never formulas), so no guard is needed here.
    const row = ws.addRow(r);
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
