/**
 * Text preparation for the NLU components: normalisation plus the token views the featurizers need
 * (words, pinyin). Kept inside nlu so the classifiers have no runtime dependency on anything that may
 * change shape; the text module's analyzer can be plugged in through `setWordSegmenter` if it adds
 * value (finance dictionary, tenant terms).
 */
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

/** Inputs longer than this are cut: features of a 10,000-char paste add nothing but latency. */
export const MAX_CHARS = 512;

let t2s: ((s: string) => string) | undefined;
let jieba: Jieba | undefined;
let extraTerms: string[] = [];

function toSimplified(s: string): string {
  // 'twp' also maps Taiwan phrases (網路→网络, 軟體→软件), which customers from TW/HK type.
  t2s ??= OpenCC.Converter({ from: 'twp', to: 'cn' });
  return t2s(s);
}

function segmenter(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    if (extraTerms.length) jieba.loadDict(Buffer.from(extraTerms.map((t) => `${t} 100000 n`).join('\n')));
  }
  return jieba;
}

/** Adds domain terms (e.g. 挂失, 手机银行) to the shared segmenter; idempotent per term. */
export function addTerms(terms: string[]): void {
  const fresh = terms.map((t) => normalize(t)).filter((t) => t && /\p{Script=Han}/u.test(t) && !extraTerms.includes(t));
  if (!fresh.length) return;
  extraTerms = extraTerms.concat(fresh);
  if (jieba) jieba.loadDict(Buffer.from(fresh.map((t) => `${t} 100000 n`).join('\n')));
}

// 帐 is the pre-1990s variant that OpenCC keeps; banks and customers mean 账 (账户, 账单, 转账).
const VARIANTS: Record<string, string> = { 帐: '账', 祇: '只' };

/**
 * NFKC (full-width → half-width), control characters → space, lower case, traditional → simplified,
 * whitespace collapsed, length bounded. Pure and total: any string in, a string out.
 */
export function normalize(text: string): string {
  if (typeof text !== 'string' || !text) return '';
  let s = text.length > MAX_CHARS * 2 ? text.slice(0, MAX_CHARS * 2) : text;
  s = s.normalize('NFKC').replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, ' ').toLowerCase();
  if (/\p{Script=Han}/u.test(s)) s = toSimplified(s).replace(/[帐祇]/g, (c) => VARIANTS[c] ?? c);
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > MAX_CHARS ? s.slice(0, MAX_CHARS) : s;
}

const HAN = /\p{Script=Han}/u;
const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+(?:['’][\p{L}]+)?)/gu;

/** Words: jieba for Han runs, letter/digit runs otherwise (apostrophes kept inside: "don't"). */
export function words(norm: string): string[] {
  const out: string[] = [];
  for (const m of norm.matchAll(RUNS)) {
    if (m[1]) {
      for (const w of segmenter().cut(m[1], false)) out.push(w);
    } else if (m[2]) out.push(m[2]);
  }
  return out;
}

/** Toneless pinyin syllables of the Han characters, in order (homophone typos share them: 挂是/挂失). */
export function pinyinSyllables(norm: string): string[] {
  const han = norm.match(/\p{Script=Han}+/gu);
  if (!han) return [];
  const out: string[] = [];
  for (const run of han) for (const p of runPinyin(run)) out.push(p);
  return out;
}

// One FAQ match reads a query's pinyin three times (homophone correction, two feature views) and a training run
// twice per question; pinyin-pro costs microseconds and allocates heavily per call. Bounded: cleared when full.
const RUN_CACHE_LIMIT = 20_000;
const runCache = new Map<string, readonly string[]>();

function runPinyin(run: string): readonly string[] {
  let r = runCache.get(run);
  if (r === undefined) {
    r = pinyin(run, { toneType: 'none', type: 'array' });
    if (run.length <= 32) {
      if (runCache.size >= RUN_CACHE_LIMIT) runCache.clear();
      runCache.set(run, r);
    }
  }
  return r;
}

export function hasHan(s: string): boolean {
  return HAN.test(s);
}

/** Cheap English suffix folding (cards→card, charged→charg, charging→charg): enough to merge inflections. */
export function stem(w: string): string {
  if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return w.slice(0, -3) + 'y';
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('es') && w.length > 4 && /(ch|sh|x|ss|z)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) return w.slice(0, -1);
  return w;
}
