/**
 * Text views of one sentence that the pair features need: normalized characters, jieba words, pinyin syllables,
 * numbers. Kept local to the matcher so that its measured accuracy does not move when the shared text module is
 * tuned for other purposes; the normalization is the same idea (NFKC folds full-width, OpenCC folds traditional).
 */
import { createRequire } from 'node:module';
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import { Jieba } from '@node-rs/jieba';
import { createAnalyzer, type Analyzer } from '../../text/index.ts';

export type Lang = 'zh' | 'en';
/** 'jieba': plain jieba words; 'text': the shared text analyzer (finance dictionary, homophone correction). */
export type Tokenizer = 'jieba' | 'text';

let shared: Analyzer | undefined;

export type PairText = {
  norm: string;
  /** content characters (no punctuation or spaces); for English the lower-cased letters and digits */
  chars: string[];
  words: string[];
  /** one syllable per CJK character (tone-less); other characters pass through */
  pinyin: string[];
  nums: string[];
};

// Long inputs are cut: the matcher compares questions, and similarity() must stay well under a millisecond.
const MAX_CHARS = 200;

let jieba: Jieba | undefined;
function getJieba(): Jieba {
  if (!jieba) {
    // The dictionary ships as a CommonJS module; createRequire keeps ESM resolution quirks out of the way.
    const require = createRequire(import.meta.url);
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
    // The first cut that reaches the HMM for unknown words pays ~2 ms of lazy set-up; pay it here, not in a chat.
    jieba.cut('人不知而不愠的愠是什么意思', true);
  }
  return jieba;
}

let toSimplified: ((s: string) => string) | undefined;
function simplify(s: string): string {
  if (!toSimplified) toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
  return toSimplified(s);
}

const pinyinCache = new Map<string, string>();
function charPinyin(c: string): string {
  let p = pinyinCache.get(c);
  if (p === undefined) {
    p = pinyin(c, { toneType: 'none', type: 'array' })[0] ?? c;
    pinyinCache.set(c, p);
  }
  return p;
}

/** Fills the pinyin cache (≈0.02 ms per character on first use) so that a loaded model answers the first chats fast. */
export function warmPinyin(chars: Iterable<string>): void {
  for (const c of chars) if (CJK.test(c)) charPinyin(c);
}

const CJK = /[\u3400-\u9fff]/;
const CONTENT = /[\p{L}\p{N}]/u;

export function normalizeText(raw: string): string {
  let s = raw.length > MAX_CHARS ? raw.slice(0, MAX_CHARS) : raw;
  s = s.normalize('NFKC').toLowerCase();
  // Control characters and lone surrogates would confuse the tokenizer; emoji are kept but are not "content".
  s = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (CJK.test(s)) s = simplify(s);
  return s.trim();
}

export function analyzePairText(raw: string, lang: Lang = 'zh', tokenizer: Tokenizer = 'jieba'): PairText {
  if (tokenizer === 'text' && lang === 'zh') {
    shared ??= createAnalyzer({});
    const cut = raw.length > MAX_CHARS ? raw.slice(0, MAX_CHARS) : raw;
    const r = shared.analyze(cut);
    const norm = (r.corrected ?? r.normalized).toLowerCase();
    const chars = Array.from(norm).filter((c) => CONTENT.test(c));
    return {
      norm,
      chars,
      words: r.tokens.filter((w) => CONTENT.test(w)),
      pinyin: chars.map((c) => (CJK.test(c) ? charPinyin(c) : c)),
      nums: norm.match(/\d+(?:\.\d+)?/g) ?? [],
    };
  }
  const norm = normalizeText(raw);
  const nums = norm.match(/\d+(?:\.\d+)?/g) ?? [];
  if (lang === 'en') {
    const words = (norm.match(/[\p{L}\p{N}]+/gu) ?? []).map(stemEn);
    const chars = Array.from(norm).filter((c) => CONTENT.test(c));
    return { norm, chars, words, pinyin: words, nums };
  }
  const chars = Array.from(norm).filter((c) => CONTENT.test(c));
  const words = norm ? getJieba().cut(norm, true).filter((w) => CONTENT.test(w)) : [];
  const py = chars.map((c) => (CJK.test(c) ? charPinyin(c) : c));
  return { norm, chars, words, pinyin: py, nums };
}

// A crude suffix stripper: enough to let "cards"/"card" and "charged"/"charge" meet; no dictionary needed.
function stemEn(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}
