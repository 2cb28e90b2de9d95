#!/usr/bin/env node
// Writes the demo knowledge (packages/server/src/demo/knowledge/{zh,en}.json) as kb-zh.csv and kb-en.csv in the
// knowledge import layout (id, category, question, similar_questions, answer, tags, valid_from, valid_to,
// answer_html, related), so that `lingxi eval faq --kb eval/faq/kb-zh.csv --queries eval/faq/queries-zh.csv` runs.
// Usage: node eval/faq/export-kb.mjs          (re)write the two files
//        node eval/faq/export-kb.mjs --check  exit 1 when they are missing or out of date
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const kbDir = path.resolve(here, '../../packages/server/src/demo/knowledge');
const HEADER = ['id', 'category', 'question', 'similar_questions', 'answer', 'tags', 'valid_from', 'valid_to', 'answer_html', 'related'];

const cell = (v) => {
  const s = String(v ?? '');
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function kbCsv(lang) {
  const entries = JSON.parse(fs.readFileSync(path.join(kbDir, `${lang}.json`), 'utf8'));
  const rows = [HEADER];
  for (const e of entries) {
    rows.push([e.id, e.category, e.question, (e.similar ?? []).join('\n'), e.answer, (e.tags ?? []).join('\n'),
      e.validFrom ?? '', e.validTo ?? '', e.answerHtml ?? '', (e.related ?? []).join('\n')]);
  }
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export const kbCsvFiles = { zh: path.join(here, 'kb-zh.csv'), en: path.join(here, 'kb-en.csv') };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [lang, file] of Object.entries(kbCsvFiles)) {
    const text = kbCsv(lang);
    if (check) {
      if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) { console.log(`${path.basename(file)} is out of date`); stale++; }
    } else {
      fs.writeFileSync(file, text);
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
