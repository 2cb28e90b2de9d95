/** Labelled-text files for training and evaluation: quote-aware CSV (RFC 4180) in and out. */
import { readFileSync } from 'node:fs';
import { csvField, parseDataCsv } from '../../platform/csv.ts';

export { parseDataCsv as parseCsv };

export type Example = { text: string; label: string };

/** Reads a `text,label` CSV with a header row (first column text, second label). */
export function readLabelledCsv(path: string): Example[] {
  const rows = parseDataCsv(readFileSync(path, 'utf8'));
  if (!rows.length) return [];
  return rows.slice(1).filter((r) => r.length >= 2).map((r) => ({ text: r[0], label: r[1].trim() }));
}

export function toCsv(examples: Example[], header = 'text,label'): string {
  return header + '\n' + examples.map((e) => `${csvField(e.text)},${csvField(e.label)}`).join('\n') + '\n';
}
