#!/usr/bin/env node
// Validates the demo knowledge base (packages/server/src/demo/knowledge) and the FAQ evaluation sets (eval/faq).
// Usage: node eval/faq/check.mjs        Exit code 1 on any error; prints a summary either way.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kbCsv, kbCsvFiles } from './export-kb.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const kbDir = path.join(root, 'packages/server/src/demo/knowledge');
const errors = [];
const warnings = [];
const err = (m) => errors.push(m);

const MIN = { zh: 170, en: 45, htmlZh: 35, synZh: 25, synEn: 8, qZh: 300, qEn: 80, oos: 60 };
const SIMILAR = { zh: [4, 6], en: [3, 5] };
const ALLOWED_TAGS = new Set(['p', 'ol', 'ul', 'li', 'b', 'strong', 'em', 'a', 'br']);

// Normalisation used to decide whether two texts are "the same question": case, width, whitespace, punctuation.
const norm = (s) => s.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');

function readJson(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); }
  catch (e) { err(`${file}: ${e.message}`); return null; }
}

function parseCsv(text) {
  const rows = []; let row = []; let field = ''; let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; }
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// ---- knowledge base ----
const kb = { zh: readJson(path.join(kbDir, 'zh.json')), en: readJson(path.join(kbDir, 'en.json')) };
const meta = readJson(path.join(kbDir, 'meta.json'));
const allIds = new Map(); // id -> lang
const kbTexts = new Map(); // normalised question text -> id
const stats = { perCategory: { zh: {}, en: {} }, html: { zh: 0, en: 0 }, validity: [] };

for (const lang of ['zh', 'en']) {
  const entries = kb[lang];
  if (!Array.isArray(entries)) { err(`${lang}.json is not an array`); continue; }
  if (entries.length < MIN[lang]) err(`${lang}.json has ${entries.length} entries, need >= ${MIN[lang]}`);
  for (const e of entries) {
    const where = `${lang}.json ${e.id ?? '(no id)'}`;
    for (const k of ['id', 'category', 'question', 'answer']) {
      if (typeof e[k] !== 'string' || !e[k].trim()) err(`${where}: missing ${k}`);
    }
    if (typeof e.id === 'string') {
      if (!e.id.startsWith(`${lang}-`)) err(`${where}: id must start with ${lang}-`);
      if (allIds.has(e.id)) err(`${where}: duplicate id`);
      allIds.set(e.id, lang);
    }
    if (typeof e.category === 'string' && e.category.split('/').length > 2) err(`${where}: category deeper than two levels`);
    stats.perCategory[lang][e.category] = (stats.perCategory[lang][e.category] ?? 0) + 1;
    const [lo, hi] = SIMILAR[lang];
    if (!Array.isArray(e.similar) || e.similar.length < lo || e.similar.length > hi) {
      err(`${where}: needs ${lo}-${hi} similar questions, has ${e.similar?.length ?? 0}`);
    }
    if (!Array.isArray(e.tags) || e.tags.length === 0) err(`${where}: needs tags`);
    for (const t of [e.question, ...(e.similar ?? [])]) {
      if (typeof t !== 'string' || !t.trim()) { err(`${where}: empty question text`); continue; }
      const n = norm(t);
      if (kbTexts.has(n) && kbTexts.get(n) !== e.id) err(`${where}: question "${t}" duplicates one in ${kbTexts.get(n)}`);
      else if (kbTexts.has(n)) err(`${where}: question "${t}" repeated within the entry`);
      kbTexts.set(n, e.id);
    }
    if (e.answerHtml !== undefined) {
      stats.html[lang]++;
      for (const m of e.answerHtml.matchAll(/<\/?([a-zA-Z0-9]+)([^>]*)>/g)) {
        const tag = m[1].toLowerCase();
        if (!ALLOWED_TAGS.has(tag)) err(`${where}: tag <${tag}> not allowed in answerHtml`);
        if (m[2].trim() && !(tag === 'a' && /^\s*href="https?:\/\/[^"]+"\s*$/.test(m[2]))) err(`${where}: attribute not allowed: ${m[0]}`);
      }
    }
    for (const k of ['validFrom', 'validTo']) {
      if (e[k] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(e[k])) err(`${where}: ${k} must be YYYY-MM-DD`);
    }
    if (e.validFrom && e.validTo && e.validFrom > e.validTo) err(`${where}: validFrom after validTo`);
    if (e.validFrom || e.validTo) stats.validity.push(`${e.id} ${e.validFrom ?? ''}..${e.validTo ?? ''}`);
  }
}
for (const lang of ['zh', 'en']) {
  for (const e of kb[lang] ?? []) {
    for (const r of e.related ?? []) {
      if (!allIds.has(r)) err(`${e.id}: related id ${r} does not exist`);
      else if (r === e.id) err(`${e.id}: related to itself`);
    }
  }
}
if (stats.html.zh < MIN.htmlZh) err(`only ${stats.html.zh} zh entries have answerHtml`);
if (!stats.validity.some((v) => v.includes('..2025-12-31'))) err('no expired promotion (validTo 2025-12-31)');
if (!stats.validity.some((v) => v.includes('2026-01-01..2027-12-31'))) err('no current promotion (2026-01-01..2027-12-31)');

// ---- meta ----
if (meta) {
  const syn = meta.synonyms ?? [];
  const isZh = (set) => set.some((w) => /\p{Script=Han}/u.test(w));
  const zhSets = syn.filter(isZh).length; const enSets = syn.length - zhSets;
  if (zhSets < MIN.synZh) err(`meta: ${zhSets} Chinese synonym sets, need >= ${MIN.synZh}`);
  if (enSets < MIN.synEn) err(`meta: ${enSets} English synonym sets, need >= ${MIN.synEn}`);
  for (const set of syn) if (!Array.isArray(set) || set.length < 2) err(`meta: synonym set too small: ${JSON.stringify(set)}`);
  if (!Array.isArray(meta.terms) || meta.terms.length < 10) err('meta: terms missing');
  for (const lang of ['zh', 'en']) {
    const hq = meta.hotQuestions?.[lang] ?? [];
    if (hq.length !== 6) err(`meta: hotQuestions.${lang} should have 6 ids`);
    for (const id of hq) if (allIds.get(id) !== lang) err(`meta: hot question ${id} is not a ${lang} entry`);
    if (!meta.greeting?.[lang]) err(`meta: greeting.${lang} missing`);
    if (!meta.fallback?.[lang]) err(`meta: fallback.${lang} missing`);
  }
  stats.syn = { zh: zhSets, en: enSets };
}

// ---- evaluation queries ----
const TRAD = /[們這個會為說時對來後還將從與開關間問題點實現東車長門見號張錢帳戶續單額擔聯絡貸賬銀鑰轉掛補辦碼買賣費證託網設處覺線險訊權麼丟幣騙訴記凍結臺傳領過歲種齊]/u;
const qstats = {};
function checkQueries(file, lang, min, expectEmpty) {
  const p = path.join(here, file);
  if (!fs.existsSync(p)) { err(`${file} missing`); return; }
  const rows = parseCsv(fs.readFileSync(p, 'utf8')).filter((r) => r.length > 1 || r[0] !== '');
  if (rows[0]?.join(',') !== 'text,expected_id') err(`${file}: header must be text,expected_id`);
  const data = rows.slice(1);
  const seen = new Set(); const perId = {}; let trad = 0;
  data.forEach((r, i) => {
    const line = i + 2;
    if (r.length !== 2) { err(`${file}:${line}: expected 2 columns, got ${r.length}`); return; }
    const [text, id] = r;
    if (!text.trim()) err(`${file}:${line}: empty text`);
    const n = norm(text);
    if (seen.has(n)) err(`${file}:${line}: duplicate query "${text}"`);
    seen.add(n);
    if (n && kbTexts.has(n)) err(`${file}:${line}: "${text}" is a KB question/similar of ${kbTexts.get(n)}`);
    if (expectEmpty) { if (id !== '') err(`${file}:${line}: expected_id must be empty`); }
    else if (allIds.get(id) !== lang) err(`${file}:${line}: expected_id "${id}" is not a ${lang} entry`);
    perId[id] = (perId[id] ?? 0) + 1;
    if (TRAD.test(text)) trad++;
  });
  if (data.length < min) err(`${file}: ${data.length} queries, need >= ${min}`);
  qstats[file] = { n: data.length, distinctIds: Object.keys(perId).length, traditional: trad };
}
checkQueries('queries-zh.csv', 'zh', MIN.qZh, false);
checkQueries('queries-en.csv', 'en', MIN.qEn, false);
checkQueries('queries-oos.csv', null, MIN.oos, true);

// ---- generated knowledge CSVs (for `lingxi eval faq --kb`) ----
for (const [lang, file] of Object.entries(kbCsvFiles)) {
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== kbCsv(lang)) err(`${path.basename(file)} is out of date: run node eval/faq/export-kb.mjs`);
}

// ---- report ----
console.log(`zh entries: ${kb.zh?.length}, en entries: ${kb.en?.length}, answerHtml zh/en: ${stats.html.zh}/${stats.html.en}`);
for (const lang of ['zh', 'en']) {
  console.log(`${lang} categories:`);
  for (const [c, n] of Object.entries(stats.perCategory[lang])) console.log(`  ${c}: ${n}`);
}
console.log(`synonym sets zh/en: ${stats.syn?.zh}/${stats.syn?.en}, terms: ${meta?.terms?.length}`);
console.log(`validity: ${stats.validity.join('; ')}`);
for (const [f, s] of Object.entries(qstats)) console.log(`${f}: ${s.n} queries, ${s.distinctIds} distinct expected ids, ~${s.traditional} with traditional characters`);
for (const w of warnings) console.log(`warning: ${w}`);
if (errors.length) {
  console.log(`\n${errors.length} error(s):`);
  for (const e of errors.slice(0, 200)) console.log(`  ${e}`);
  process.exit(1);
}
console.log('OK');
