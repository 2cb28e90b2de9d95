/** Labelled-text files for training and evaluation: quote-aware CSV (RFC 4180) in and out. */
import { readFileSync } from 'node:fs';

/** Parses CSV text into rows; handles quoted fields with commas, doubled quotes and newlines, CRLF, BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export type Example = { text: string; label: string };

/** Reads a `text,label` CSV with a header row (first column text, second label). */
export function readLabelledCsv(path: string): Example[] {
  const rows = parseCsv(readFileSync(path, 'utf8'));
  if (!rows.length) return [];
  return rows.slice(1).filter((r) => r.length >= 2).map((r) => ({ text: r[0], label: r[1].trim() }));
}

export function toCsv(examples: Example[], header = 'text,label'): string {
  return header + '\n' + examples.map((e) => `${csvField(e.text)},${csvField(e.label)}`).join('\n') + '\n';
}
