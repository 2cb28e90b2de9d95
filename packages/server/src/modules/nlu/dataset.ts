/** Labelled-text files for training and evaluation: quote-aware CSV (RFC 4180) in and out. */
import { readFileSync } from 'node:fs';
import { csvField, parseDataCsv } from '../../platform/csv.ts';

export { parseDataCsv as parseCsv };

export type Example = { text: string; label: string };

/** Reads a `text,label` CSV with a header row (first column text, second label). */
export function readLabelledCsv(path: string): Example[] {
  const rows = parseDataCsv(readFileSync(path, 'utf8'));
  if (!rows.length) return [];
  // A row without a label column is a broken file, not a row to skip: the figures would count fewer rows than it has.
  const bad = rows.findIndex((r) => r.length < 2);
  if (bad >= 0) throw new Error(`${path}: row ${bad + 1} (the header is row 1; blank lines are not counted) has one column; expected text,label`);
  return rows.slice(1).map((r) => ({ text: r[0], label: r[1].trim() }));
}

export function toCsv(examples: Example[], header = 'text,label'): string {
  return header + '\n' + examples.map((e) => `${csvField(e.text)},${csvField(e.label)}`).join('\n') + '\n';
}
