// Measures how often homophone correction fires on real customer questions (where nearly every change is a false
// positive, since the sentences are mostly spelled right) and prints every change for review.
// Run: node --import tsx packages/server/src/modules/text/tools/correction-audit.ts [maxSentences]
import { readFileSync } from 'node:fs';
import { createAnalyzer } from '../index.ts';
import { parseDataCsv } from '../../../platform/csv.ts';

const DATA = '/work/shared/datasets';
const limit = Number(process.argv[2] ?? 1000);

function csvRows(path: string): string[][] {
  return parseDataCsv(readFileSync(path, 'utf8')).slice(1);
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
