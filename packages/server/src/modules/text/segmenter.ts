import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { FINANCE_TERMS } from './finance-dict.ts';
import { isCjkCode } from './normalize.ts';

// One process-wide jieba loaded with the default dictionary plus the finance dictionary (~160 ms, done once, lazily).
// Tenant terms are NOT loaded into it: that would make one tenant's vocabulary change another tenant's tokens (and
// make model training depend on load order). Tenant terms are applied by the analyzer's merge pass instead.
let jieba: Jieba | undefined;

// High enough that finance compounds beat their parts (今年费用 still wins over 今|年费|用 because the default
// dictionary's counts for 今年/费用 dominate); chosen by inspecting segmentations, see segmenter.test.ts.
const FINANCE_FREQ = 20_000;

export function baseJieba(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    const pureHan = FINANCE_TERMS.filter((t) => [...t].every((c) => isCjkCode(c.charCodeAt(0))));
    jieba.loadDict(Buffer.from(pureHan.map((t) => `${t} ${FINANCE_FREQ} n`).join('\n') + '\n'));
  }
  return jieba;
}

export type Token = { text: string; start: number; end: number };

/** Terms starting with a Latin word and continuing with Han characters, keyed by that Latin word, longest first. */
export type MixedTerms = ReadonlyMap<string, readonly string[]>;

export function buildMixedTerms(terms: Iterable<string>): MixedTerms {
  const m = new Map<string, string[]>();
  for (const t of terms) {
    const lead = /^[a-z0-9]+/.exec(t)?.[0];
    if (!lead || lead.length === t.length || !isCjkCode(t.charCodeAt(lead.length))) continue;
    const list = m.get(lead) ?? [];
    if (!list.includes(t)) list.push(t);
    list.sort((a, b) => b.length - a.length);
    m.set(lead, list);
  }
  return m;
}

const BASE_MIXED = buildMixedTerms(FINANCE_TERMS);

const isAsciiWordCode = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
const isSpaceOrPunct = /[\s\p{P}\p{Sm}]/u;

/**
 * Splits normalized text into tokens with offsets: jieba (HMM on) for Han runs, `[a-z0-9]+` words for Latin (an
 * inner apostrophe is kept: "can't"; digits keep inner '.' and ',': "1,200.50"), one token per emoji/symbol cluster;
 * whitespace and punctuation are dropped.
 */
export function segment(text: string, hmm = true, mixedTerms: MixedTerms = BASE_MIXED): Token[] {
  const out: Token[] = [];
  const jb = baseJieba();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isCjkCode(c)) {
      let j = i + 1;
      while (j < n && isCjkCode(text.charCodeAt(j))) j++;
      let pos = i;
      for (const w of jb.cut(text.slice(i, j), hmm)) {
        out.push({ text: w, start: pos, end: pos + w.length });
        pos += w.length;
      }
      i = j;
    } else if (isAsciiWordCode(c)) {
      let j = i + 1;
      const digit = c >= 0x30 && c <= 0x39;
      for (;;) {
        while (j < n && isAsciiWordCode(text.charCodeAt(j))) j++;
        const sep = text.charCodeAt(j);
        const after = text.charCodeAt(j + 1);
        if (!digit && sep === 0x27 && j + 1 < n && after >= 0x61 && after <= 0x7a) j += 1;
        else if (digit && (sep === 0x2e || sep === 0x2c) && after >= 0x30 && after <= 0x39) j += 1;
        else break;
      }
      // A Latin word glued to Han characters may start a mixed term (u盾, ic卡, atm机): emit it whole, otherwise
      // jieba would see a Han run starting mid-word and glue its first character to whatever follows (盾坏).
      const forced = mixedTerms.get(text.slice(i, j))?.find((t) => text.startsWith(t, i));
      if (forced) j = i + forced.length;
      out.push({ text: text.slice(i, j), start: i, end: j });
      i = j;
    } else {
      const cp = text.codePointAt(i)!;
      let j = i + (cp > 0xffff ? 2 : 1);
      if (isSpaceOrPunct.test(String.fromCodePoint(cp))) {
        i = j;
        continue;
      }
      // Keep an emoji cluster whole: variation selectors, skin tones and ZWJ-joined pictographs.
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0xfe0f || d === 0xfe0e) j++;
        else if (d === 0xd83c && text.charCodeAt(j + 1) >= 0xdffb && text.charCodeAt(j + 1) <= 0xdfff) j += 2;
        else if (d === 0x200d && j + 1 < n) j += (text.codePointAt(j + 1)! > 0xffff ? 3 : 2);
        else break;
      }
      out.push({ text: text.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  return out;
}
