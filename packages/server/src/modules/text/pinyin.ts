import { pinyin } from 'pinyin-pro';
import { isCjkCode } from './normalize.ts';

const PINYIN_OPTS = { toneType: 'none', type: 'array', v: true } as const;

// pinyin-pro costs ~2 µs per character; chat turns reuse a small vocabulary, so both caches pay off immediately.
// They are bounded (cleared when full) because training runs push tens of thousands of distinct words through.
const CACHE_LIMIT = 50_000;
const readingsCache = new Map<string, readonly string[]>();
const wordCache = new Map<string, readonly string[]>();

/** Every toneless reading of one Han character (行 → xing, hang, heng); [] for anything else. */
export function charReadings(ch: string): readonly string[] {
  let r = readingsCache.get(ch);
  if (r === undefined) {
    r = isCjkCode(ch.charCodeAt(0)) && ch.length === 1 ? [...new Set(pinyin(ch, { ...PINYIN_OPTS, multiple: true }))] : [];
    if (readingsCache.size >= CACHE_LIMIT) readingsCache.clear();
    readingsCache.set(ch, r);
  }
  return r;
}

/** Context-aware toneless pinyin of a run of Han characters (银行 → yin hang), one syllable per character. */
export function wordPinyin(word: string): readonly string[] {
  let r = wordCache.get(word);
  if (r === undefined) {
    // A lone 了 token is almost always the particle (le), which pinyin-pro reads as liao without context.
    r = word === '了' ? ['le'] : pinyin(word, PINYIN_OPTS);
    if (word.length <= 16) {
      if (wordCache.size >= CACHE_LIMIT) wordCache.clear();
      wordCache.set(word, r);
    }
  }
  return r;
}

// Fuzzy pinyin (模糊音): the confusions of southern Mandarin speakers and of speech recognisers.
export function fuzzySyllable(s: string): string {
  let out = s;
  if (out.startsWith('zh') || out.startsWith('ch') || out.startsWith('sh')) out = out[0] + out.slice(2);
  else if (out.startsWith('n') && out !== 'n' && out !== 'ng') out = 'l' + out.slice(1);
  if (out.endsWith('ang') || out.endsWith('eng') || out.endsWith('ing')) out = out.slice(0, -1);
  return out;
}

const PUNCT_ONLY = /^[\p{P}\p{Z}]+$/u;

/**
 * Toneless pinyin per Han character (context-aware for polyphones); each run of other characters between
 * whitespace and punctuation is kept as one token (ATM机 → ["ATM", "ji"]).
 */
export function pinyinOf(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (isCjkCode(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isCjkCode(text.charCodeAt(j))) j++;
      for (const p of wordPinyin(text.slice(i, j))) out.push(p);
      i = j;
    } else {
      let j = i + 1;
      while (j < n && !isCjkCode(text.charCodeAt(j))) j++;
      for (const piece of text.slice(i, j).split(/[\s\p{P}]+/u)) if (piece && !PUNCT_ONLY.test(piece)) out.push(piece);
      i = j;
    }
  }
  return out;
}
