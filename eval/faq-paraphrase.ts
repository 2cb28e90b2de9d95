/**
 * A large-KB sanity check of the FAQ matcher on real paraphrases: the first N positive pairs of the shared AFQMC
 * training file whose sentences are unused so far become N one-question entries (sentence 1), each asked its
 * paraphrase (sentence 2). A hard task (every question is about 花呗/借呗), so the figure is for comparing versions
 * of the matcher, not a product number.
 *   npx tsx eval/faq-paraphrase.ts [--entries 2000]
 * Last stdout line: {"entries", "train_s", "top1", "top5"}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainFaqMatcher } from '../packages/server/src/modules/nlu/faq-matcher.ts';
import { parseFlags } from '../packages/server/src/cli/main.ts';
import { SHARED } from './convert-datasets.ts';

const f = parseFlags(process.argv.slice(2));
const n = Number(f.entries ?? 2000);
const used = new Set<string>();
const docs: { id: string; questions: string[] }[] = [];
const asked: { text: string; id: string }[] = [];
for (const line of readFileSync(join(SHARED, 'afqmc', 'train.txt'), 'utf8').split('\n')) {
  const [a, b, label] = line.split('\t');
  if (label?.trim() !== '1' || !a || !b || used.has(a) || used.has(b)) continue;
  used.add(a);
  used.add(b);
  docs.push({ id: `e${docs.length}`, questions: [a] });
  asked.push({ text: b, id: `e${docs.length - 1}` });
  if (docs.length >= n) break;
}
const t0 = performance.now();
const m = trainFaqMatcher(docs);
const trainS = (performance.now() - t0) / 1000;
let top1 = 0;
let top5 = 0;
for (const q of asked) {
  const hits = m.match(q.text, 5);
  if (hits[0]?.id === q.id) top1++;
  if (hits.some((h) => h.id === q.id)) top5++;
}
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
process.stdout.write(JSON.stringify({ entries: docs.length, train_s: Math.round(trainS * 100) / 100, top1: r4(top1 / asked.length), top5: r4(top5 / asked.length) }) + '\n');
