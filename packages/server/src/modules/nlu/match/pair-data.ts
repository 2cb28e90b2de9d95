/**
 * Reads labelled sentence pairs from the two layouts public corpora use: CSV with a `sentence1,sentence2,label`
 * header (BQ corpus; may start with a BOM and quote fields) and header-less tab-separated text (LCQMC, AFQMC).
 */
import { readFileSync } from 'node:fs';
import type { Pair } from './index.ts';
import { parseDataCsv as parseCsv } from '../../../platform/csv.ts';

export { parseCsv };


function toLabel(s: string | undefined, where: string): 0 | 1 {
  const v = (s ?? '').trim();
  if (v === '1') return 1;
  if (v === '0') return 0;
  throw new Error(`${where}: label must be 0 or 1, got ${JSON.stringify(v)}`);
}

export function parsePairs(text: string, name = 'input'): Pair[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const tabbed = name.endsWith('.txt') || name.endsWith('.tsv') || (firstLine.includes('\t') && !/^sentence1,/i.test(firstLine));
  const out: Pair[] = [];
  if (tabbed) {
    const lines = body.split(/\r?\n/);
    lines.forEach((line, n) => {
      if (!line.trim()) return;
      const cols = line.split('\t');
      if (n === 0 && /^sentence1$/i.test(cols[0]?.trim() ?? '')) return;
      if (cols.length < 3) throw new Error(`${name}:${n + 1}: expected sentence1<TAB>sentence2<TAB>label`);
      out.push({ a: cols[0], b: cols[1], label: toLabel(cols[2], `${name}:${n + 1}`) });
    });
    return out;
  }
  const rows = parseCsv(body);
  if (rows.length === 0) return out;
  const header = rows[0].map((h) => h.trim().toLowerCase());
  let ia = header.indexOf('sentence1');
  let ib = header.indexOf('sentence2');
  let il = header.indexOf('label');
  let start = 1;
  if (ia < 0 || ib < 0 || il < 0) {
    // No recognised header: take the first three columns and keep the first row as data.
    [ia, ib, il, start] = [0, 1, 2, 0];
  }
  for (let r = start; r < rows.length; r++) {
    const row = rows[r];
    out.push({ a: row[ia] ?? '', b: row[ib] ?? '', label: toLabel(row[il], `${name}:row ${r + 1}`) });
  }
  return out;
}

export function readPairsFile(path: string): Pair[] {
  return parsePairs(readFileSync(path, 'utf8'), path);
}
