// Average analyze() latency on real short customer questions, after warm-up (caches filled, JIT done).
// Run: node --import tsx packages/server/src/modules/text/tools/measure-analyze.ts
import { readFileSync } from 'node:fs';
import { createAnalyzer, normalize } from '../index.ts';

const lines = readFileSync('/work/shared/datasets/bq_corpus/dev.csv', 'utf8').split('\n').slice(1, 2001);
const sentences = lines.map((l) => l.split(',')[0]).filter(Boolean);
const analyzer = createAnalyzer({ synonyms: [['信用卡', '贷记卡', '信用咔']], terms: ['灵犀贷'] });
let t0 = performance.now();
for (const s of sentences) analyzer.analyze(s);
const coldMs = performance.now() - t0;
for (let r = 0; r < 3; r++) for (const s of sentences) analyzer.analyze(s);
const rounds = 10;
t0 = performance.now();
for (let r = 0; r < rounds; r++) for (const s of sentences) analyzer.analyze(s);
const warm = (performance.now() - t0) / (rounds * sentences.length);
t0 = performance.now();
for (let r = 0; r < rounds; r++) for (const s of sentences) normalize(s);
const norm = (performance.now() - t0) / (rounds * sentences.length);
const avgLen = sentences.reduce((a, s) => a + s.length, 0) / sentences.length;
console.log(JSON.stringify({ sentences: sentences.length, avgChars: +avgLen.toFixed(1), firstPassMs: +coldMs.toFixed(1), analyzeMsAvg: +warm.toFixed(4), normalizeMsAvg: +norm.toFixed(4) }));
