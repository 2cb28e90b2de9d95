/**
 * Measures the FAQ matcher alone (no robot, no database) on the demo knowledge and the held-out queries
 * of eval/faq/: top-1 / top-3 accuracy, and how the calibrated score separates answerable from
 * out-of-scope queries at DEFAULT_THRESHOLDS. Last stdout line: one JSON object.
 *   npx tsx eval/faq-matcher-eval.ts [--lang zh|en]
 */
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainFaqMatcher, DEFAULT_THRESHOLDS, type FaqDoc } from '../packages/server/src/modules/nlu/faq-matcher.ts';
import { parseCsv } from '../packages/server/src/modules/nlu/dataset.ts';
import { parseFlags } from '../packages/server/src/cli/main.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
type Entry = { id: string; question: string; similar?: string[]; validTo?: string };

export function faqEval(lang: 'zh' | 'en') {
  const kb = JSON.parse(readFileSync(join(ROOT, 'packages/server/src/demo/knowledge', `${lang}.json`), 'utf8')) as Entry[];
  const meta = JSON.parse(readFileSync(join(ROOT, 'packages/server/src/demo/knowledge/meta.json'), 'utf8')) as { synonyms?: string[][]; terms?: string[] };
  const docs: FaqDoc[] = kb.map((e) => ({ id: e.id, questions: [e.question, ...(e.similar ?? [])] }));
  trainFaqMatcher(docs.slice(0, 3)); // load jieba, OpenCC and pinyin tables first, as a running server has
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const m = trainFaqMatcher(docs, { synonyms: meta.synonyms, terms: meta.terms });
  const trainMs = performance.now() - t0;
  const trainCpuMs = process.cpuUsage(c0).user / 1000;
  // Not timed: the knowledge's own questions once through the matcher (JIT warm-up, and the collector done with the
  // training's garbage), so the latency figures are a serving model's rather than the first second after a retrain's.
  for (const d of docs) for (const q of d.questions) m.match(q, 5);
  const rows = (f: string) => parseCsv(readFileSync(join(ROOT, 'eval/faq', f), 'utf8')).slice(1).map((r) => ({ text: r[0], id: (r[1] ?? '').trim() }));
  const qs = rows(`queries-${lang}.csv`);
  const oos = lang === 'zh' ? rows('queries-oos.csv').filter((r) => /\p{Script=Han}/u.test(r.text)) : rows('queries-oos.csv').filter((r) => !/\p{Script=Han}/u.test(r.text));
  const { answer, clarify, margin } = DEFAULT_THRESHOLDS;
  let top1 = 0, top3 = 0, answered = 0, answeredRight = 0, clarified = 0, fallback = 0;
  const times: number[] = [];
  const misses: string[] = [];
  const decide = (hits: { score: number }[]) => hits.length && hits[0].score >= answer && (hits.length < 2 || hits[0].score - hits[1].score >= margin) ? 'answer' : hits.length && hits[0].score >= clarify ? 'clarify' : 'fallback';
  for (const q of qs) {
    const s = performance.now();
    const hits = m.match(q.text, 5);
    times.push(performance.now() - s);
    if (hits[0]?.id === q.id) top1++;
    else misses.push(`${q.text} → ${hits[0]?.id} (${hits[0]?.score}) want ${q.id}`);
    if (hits.slice(0, 3).some((h) => h.id === q.id)) top3++;
    const d = decide(hits);
    if (d === 'answer') { answered++; if (hits[0].id === q.id) answeredRight++; } else if (d === 'clarify') clarified++; else fallback++;
  }
  let oosFallback = 0, oosAnswered = 0;
  for (const q of oos) { const d = decide(m.match(q.text, 5)); if (d === 'fallback') oosFallback++; if (d === 'answer') oosAnswered++; }
  times.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    misses,
    result: {
      lang, entries: docs.length, n: qs.length, top1: r(top1 / qs.length), top3: r(top3 / qs.length),
      answered: r(answered / qs.length), answer_precision: r(answeredRight / Math.max(1, answered)), clarified: r(clarified / qs.length), fallback: r(fallback / qs.length),
      oos_n: oos.length, oos_fallback: r(oosFallback / Math.max(1, oos.length)), oos_answered: r(oosAnswered / Math.max(1, oos.length)),
      train_ms: Math.round(trainMs), train_cpu_ms: Math.round(trainCpuMs), p50_ms: r(times[Math.floor(times.length / 2)]), p99_ms: r(times[Math.floor(times.length * 0.99)]),
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = parseFlags(process.argv.slice(2));
  const { misses, result } = faqEval(f.lang === 'en' ? 'en' : 'zh');
  if (f.misses) process.stderr.write(misses.join('\n') + '\n');
  process.stdout.write(JSON.stringify(result) + '\n');
}
