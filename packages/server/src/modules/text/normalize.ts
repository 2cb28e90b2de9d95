import * as OpenCC from 'opencc-js';

export type Lang = 'zh' | 'en';

// 'twp' = Taiwan standard with phrase conversion (軟體 → 软件, 網路 → 网络); it is a superset of plain t→s for the
// characters customers actually type, and the phrase step helps NLU on Taiwanese/HK wording.
let phraseConverter: ((s: string) => string) | undefined;
let charConverter: ((s: string) => string) | undefined;
let s2tConverter: ((s: string) => string) | undefined;
function t2sPhrase(s: string): string {
  phraseConverter ??= OpenCC.Converter({ from: 'twp', to: 'cn' });
  return phraseConverter(s);
}
function t2sChar(s: string): string {
  charConverter ??= OpenCC.Converter({ from: 'tw', to: 'cn' });
  return charConverter(s);
}

function s2tChar(s: string): string {
  s2tConverter ??= OpenCC.Converter({ from: 'cn', to: 'tw' });
  return s2tConverter(s);
}

// Per-code-unit cache: 0 = unknown, 1 = not traditional-only, 2 = traditional-only. Most chat turns are already
// simplified, and a byte lookup per char is far cheaper than running the converter, so opencc only runs when a char
// is traditional-only. "Traditional-only" means T→S changes it and S→T leaves it: 么/于/里 are valid simplified
// characters that the char-level T→S table would still rewrite (么 → 幺), so they must not trigger or be folded.
const tsState = new Uint8Array(65536);
const tsChar = new Map<number, number>();
function tsFlag(code: number): number {
  let f = tsState[code];
  if (f === 0) {
    const ch = String.fromCharCode(code);
    const out = t2sChar(ch);
    const traditionalOnly = out !== ch && s2tChar(ch) === ch;
    if (traditionalOnly && out.length === 1) tsChar.set(code, out.charCodeAt(0));
    f = traditionalOnly ? 2 : 1;
    tsState[code] = f;
  }
  return f;
}

const isHan = (c: number) => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
export const isCjkCode = isHan;

// Map one UTF-16 code unit to its folded form (full-width → half-width, ideographic space → space) or -1 to drop it.
// Zero-width and control characters are dropped: they arrive from copy-paste and from some IMEs and would otherwise
// split words invisibly.
function foldCode(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) return c - 0xfee0;
  if (c === 0x3000) return 0x20;
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c ? 0x20 : -1;
  if (c >= 0x7f && c <= 0x9f) return -1;
  if (c === 0xad || c === 0xfeff || c === 0x180e) return -1;
  if (c >= 0x200b && c <= 0x200f) return -1;
  if (c >= 0x202a && c <= 0x202e) return -1;
  if (c >= 0x2060 && c <= 0x206f) return -1;
  if (c === 0x2028 || c === 0x2029 || c === 0x00a0 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f) return 0x20;
  if (c === 0x2018 || c === 0x2019) return 0x27; // curly apostrophes, so "can’t" and "can't" are one token
  return c;
}

/**
 * Canonical form used by every NLU component: half-width, simplified Chinese, lower case, no control or zero-width
 * characters, single spaces, trimmed. Idempotent.
 */
export function normalize(text: string): string {
  if (!text) return '';
  let out = '';
  let needT2s = false;
  let pendingSpace = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c === 0x200d) {
      // Keep the joiner inside emoji sequences (👨‍👩‍👧) where it is meaningful; drop it everywhere else.
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (!((prev >= 0xdc00 && prev <= 0xdfff) || prev === 0xfe0f) || !(next >= 0xd800 && next <= 0xdbff)) continue;
    } else c = foldCode(c);
    if (c < 0) continue;
    if (c === 0x20) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    if (c >= 0x41 && c <= 0x5a) c += 32;
    else if (c > 0x2e7f && !needT2s && tsFlag(c) === 2) needT2s = true;
    out += String.fromCharCode(c);
  }
  if (needT2s) out = t2sPhrase(out);
  // Non-ASCII upper case (Ü, Σ, full-width letters already folded) is rare; only pay for toLowerCase when present.
  if (/[^\x00-\x7f]/.test(out) && /\p{Lu}/u.test(out)) out = out.toLowerCase();
  return out;
}

/**
 * Length-preserving fold for span-based extraction: out[i] corresponds to text[i]. Full-width → half-width, ASCII
 * lower case, per-character traditional → simplified, control/zero-width characters → space. Use it when offsets into
 * the caller's original text must stay valid (entity extraction).
 */
export function foldPreservingOffsets(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let f = foldCode(c);
    if (f < 0) f = 0x20;
    c = f;
    if (c >= 0x41 && c <= 0x5a) c += 32;
    else if (c > 0x2e7f && tsFlag(c) === 2) c = tsChar.get(c) ?? c;
    out += String.fromCharCode(c);
  }
  return out;
}

/** 'zh' if the text has Han characters and they are not outnumbered by Latin words; Chinese is the default. */
export function detectLang(text: string): Lang {
  let han = 0;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHan(c)) {
      han++;
      inWord = false;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a)) {
      if (!inWord) words++;
      inWord = true;
    } else if (c !== 0x27 && c !== 0x2019) inWord = false;
  }
  if (han === 0) return words > 0 ? 'en' : 'zh';
  // A Chinese sentence with an embedded acronym ("ATM机在哪") is Chinese; an English sentence quoting one product
  // name ("how do I apply for 灵犀贷 online") is English. Compare Han characters with Latin words, weighting Han by 1/2
  // because a Chinese word is about two characters.
  return han / 2 >= words ? 'zh' : 'en';
}
