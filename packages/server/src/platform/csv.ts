/**
 * CSV as RFC 4180 says (comma-separated, fields optionally in double quotes, "" for a quote inside, line breaks
 * inside quoted fields), lenient where spreadsheets are sloppy: LF or CRLF line ends, a missing final line break,
 * a quote inside an unquoted field kept as text.
 */

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Parses CSV text into records (an empty line is a record with one empty field). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = 0;
  const n = text.length;
  let fieldStarted = false; // distinguishes an empty last line from a record with one empty field
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
    fieldStarted = false;
  };
  while (i < n) {
    const c = text[i];
    if (c === '"' && field === '') {
      // A quote opens a quoted field only at the very start of a field.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvError(`unterminated quoted field starting on line ${startLine}`, startLine);
        const d = text[i];
        if (d === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      fieldStarted = true;
      // Anything between the closing quote and the next separator is kept (lenient), e.g. "a"b -> ab.
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      continue;
    }
    if (c === ',') { endField(); fieldStarted = true; i++; continue; }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
      if (fieldStarted || field !== '' || record.length > 0) endRecord();
      else records.push(['']);
      line++;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (fieldStarted || field !== '' || record.length > 0) endRecord();
  return records;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Serialises records with CRLF line ends (RFC 4180). */
export function toCsv(records: string[][]): string {
  return records.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a CSV file: UTF-8 (with or without BOM). Excel on Chinese Windows saves "CSV" as GB18030/GBK, so a file
 * that is not valid UTF-8 is read as GB18030 instead; anything else is refused rather than silently garbled.
 */
export function decodeCsvBytes(buf: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' } {
  let bytes = buf;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  try {
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    try {
      return { text: new TextDecoder('gb18030', { fatal: true }).decode(bytes), encoding: 'gb18030' };
    } catch {
      throw new CsvError('the file is neither UTF-8 nor GB18030 text; save it as "CSV UTF-8"', 0);
    }
  }
}

/** For data files (datasets, query lists): a leading BOM is dropped and so are blank lines. */
export function parseDataCsv(text: string): string[][] {
  return parseCsv(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).filter((r) => r.length > 1 || r[0] !== '');
}
