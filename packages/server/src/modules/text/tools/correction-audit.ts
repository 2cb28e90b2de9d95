// Measures how often homophone correction fires on real customer questions (where nearly every change is a false
// positive, since the sentences are mostly spelled right) and prints every change for review.
// Run: node --import tsx packages/server/src/modules/text/tools/correction-audit.ts [maxSentences]
import { readFileSync } from 'node:fs';
import { createAnalyzer } from '../index.ts';

const DATA = '/work/shared/datasets';
const limit = Number(process.argv[2] ?? 1000);

function csvRows(path: string): string[][] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows.slice(1);
}

const bq = [...new Set(csvRows(`${DATA}/bq_corpus/dev.csv`).flatMap((r) => [r[0], r[1]]))].filter(Boolean).slice(0, limit);
const nh = [...new Set(csvRows(`${DATA}/nonghang_zhidao_subset/qa_shared.csv`).map((r) => r[0]))].filter(Boolean).slice(0, limit);
const analyzer = createAnalyzer();
for (const [name, sentences] of [['bq_corpus/dev.csv', bq], ['nonghang_zhidao_subset/qa_shared.csv (titles)', nh]] as const) {
  let changed = 0;
  const examples: string[] = [];
  for (const s of sentences) {
    const a = analyzer.analyze(s);
    if (a.corrected !== undefined) {
      changed++;
      examples.push(`  ${a.normalized}  →  ${a.corrected}`);
    }
  }
  console.log(`${name}: ${changed} / ${sentences.length} sentences changed (${((100 * changed) / sentences.length).toFixed(2)}%)`);
  console.log(examples.join('\n'));
}
