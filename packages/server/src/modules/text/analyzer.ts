import { FINANCE_TERMS } from './finance-dict.ts';
import { detectLang, isCjkCode, normalize, type Lang } from './normalize.ts';
import { charReadings, fuzzySyllable, pinyinOf, wordPinyin } from './pinyin.ts';
import { buildMixedTerms, segment, type MixedTerms, type Token } from './segmenter.ts';

export type Analysis = { normalized: string; lang: Lang; tokens: string[]; pinyin: string[]; corrected?: string };
export type AnalyzerOptions = { terms?: string[]; synonyms?: string[][] };
export type Analyzer = { analyze(text: string): Analysis };

// ---------------------------------------------------------------------------------------------------------------
// Pinyin index for homophone correction (挂是 → 挂失). A trie keyed by syllables; each node that ends a term lists
// the terms with that pronunciation, best first (finance dictionary and synonym heads before synonym variants).

type PyNode = { next: Map<string, PyNode>; terms?: string[] };
type PyIndex = { exact: PyNode; fuzzy: PyNode };

const allHan = (s: string) => s.length > 0 && [...s].every((c) => isCjkCode(c.charCodeAt(0)));

function addToTrie(root: PyNode, syllables: readonly string[], term: string): void {
  let node = root;
  for (const s of syllables) {
    let nx = node.next.get(s);
    if (!nx) node.next.set(s, (nx = { next: new Map() }));
    node = nx;
  }
  (node.terms ??= []).includes(term) || node.terms.push(term);
}

// pinyin-pro reads 跨行 as kua xing; in banking terms 行 is the bank (háng): 跨行转账, 同行, 开户行. Index both.
function bankingReading(term: string, py: readonly string[]): readonly string[] {
  return term.includes('行') ? py.map((p, i) => (term[i] === '行' ? 'hang' : p)) : py;
}

function buildIndex(termsByPriority: readonly string[]): PyIndex {
  const exact: PyNode = { next: new Map() };
  const fuzzy: PyNode = { next: new Map() };
  for (const t of termsByPriority) {
    if (t.length < 2 || !allHan(t)) continue;
    const py = wordPinyin(t);
    if (py.length !== t.length) continue;
    for (const variant of [py, bankingReading(t, py)]) {
      addToTrie(exact, variant, t);
      addToTrie(fuzzy, variant.map(fuzzySyllable), t);
    }
  }
  return { exact, fuzzy };
}

const fuzzyReadingsCache = new Map<string, readonly string[]>();
function fuzzyReadings(ch: string): readonly string[] {
  let r = fuzzyReadingsCache.get(ch);
  if (!r) fuzzyReadingsCache.set(ch, (r = [...new Set(charReadings(ch).map(fuzzySyllable))]));
  return r;
}

type Candidate = { start: number; end: number; term: string; fuzzy: boolean };

// Sentence particles and the most frequent function characters: they sit next to finance words all the time
// (安全吗 vs 安全码, 卡好呢 vs 卡号), so a correction may never rewrite one. 是 is deliberately absent: 挂是 for 挂失 is
// the classic IME/ASR confusion.
const NEVER_CHANGE = new Set('吗呢吧啊呀哦嘛啦么了的得地着过们个这那就也都还很和跟与或及在不没有我你他她它好会说要'.split(''));

/** A changed character must be pronounced like the term's character in its usual reading, not only in a rare one
 * (长 is zhang only in 长大; 到长 is not a typo for 到账). */
function primaryReadingMatches(ch: string, syllable: string, fuzzy: boolean): boolean {
  const r = charReadings(ch)[0];
  if (r === undefined) return false;
  return fuzzy ? fuzzySyllable(r) === fuzzySyllable(syllable) : r === syllable;
}

function diffCount(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** All spans of `s` whose pronunciation equals a term's (exact pass) or matches it under fuzzy pinyin (fuzzy pass). */
function findPinyinMatches(s: string, index: PyIndex, known: ReadonlySet<string>, out: Candidate[], protect: Uint8Array): void {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (!isCjkCode(s.charCodeAt(i))) continue;
    for (const fuzzy of [false, true]) {
      let states: PyNode[] = [fuzzy ? index.fuzzy : index.exact];
      for (let j = i; j < n && states.length > 0; j++) {
        const ch = s[j];
        const readings = fuzzy ? fuzzyReadings(ch) : charReadings(ch);
        if (readings.length === 0) break;
        const nextStates: PyNode[] = [];
        for (const st of states) for (const r of readings) {
          const nx = st.next.get(r);
          if (nx && !nextStates.includes(nx)) nextStates.push(nx);
        }
        states = nextStates;
        const len = j + 1 - i;
        if (len < 2) continue;
        for (const st of states) {
          if (!st.terms) continue;
          const sub = s.slice(i, j + 1);
          if (st.terms.includes(sub) || known.has(sub)) {
            protect.fill(1, i, j + 1); // already a known word: never rewrite any part of it
            continue;
          }
          // Best term for this span: fewest differing characters, then index priority.
          let best: string | undefined;
          let bestDiff = Infinity;
          for (const t of st.terms) {
            const d = diffCount(sub, t);
            if (d < bestDiff) [best, bestDiff] = [t, d];
          }
          // Conservative: at most half the characters may change (one for 2–3-char terms), and only one under fuzzy
          // pinyin; a term whose every character differs is more likely a different word than a typo.
          // Fuzzy matches of 2-char terms were mostly false on real questions (说卡 → 锁卡), so fuzzy needs ≥ 3 chars.
          if (fuzzy && len < 3) continue;
          const maxDiff = fuzzy ? 1 : Math.max(1, Math.floor(len / 2));
          if (best && bestDiff <= maxDiff && bestDiff < len) out.push({ start: i, end: j + 1, term: best, fuzzy });
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

const ENGLISH_KEEP = new Set(['this', 'his', 'has', 'was', 'is', 'does', 'yes', 'plus', 'bus', 'gas', 'less', 'its', 'us', 'as', 'always', 'news', 'thanks', 'series', 'status', 'bonus', 'minus', 'various', 'previous', 'sms']);

/** Light English stemmer: plural and possessive -s only. Enough to merge card/cards, fee/fees, without the errors of
 * aggressive stemmers on short banking words. */
export function stemEnglish(w: string): string {
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.length <= 3 || ENGLISH_KEEP.has(w) || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return w.slice(0, -3) + 'y';
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

type Built = {
  index: PyIndex;
  known: ReadonlySet<string>;
  canonical: ReadonlyMap<string, string>;
  mergeTerms: ReadonlySet<string>;
  mergeMaxLen: number;
  mixed: MixedTerms;
};

let baseBuilt: Built | undefined;

function build(opts: AnalyzerOptions): Built {
  const clean = (w: string) => normalize(w);
  const tenantTerms = (opts.terms ?? []).map(clean).filter(Boolean);
  const synonymSets = (opts.synonyms ?? []).map((set) => set.map(clean).filter(Boolean)).filter((set) => set.length > 0);
  const canonical = new Map<string, string>();
  for (const set of synonymSets) for (const w of set) if (w !== set[0]) canonical.set(w, set[0]);
  const heads = synonymSets.map((s) => s[0]);
  const variants = synonymSets.flatMap((s) => s.slice(1));
  const finance = new Set(FINANCE_TERMS);
  // Priority decides which term a homophone is corrected to when several share a pronunciation.
  const ordered = [...new Set([...heads, ...FINANCE_TERMS, ...tenantTerms, ...variants])];
  const known = new Set(ordered);
  // Words the shared jieba does not know are joined after segmentation; Latin-led ones are forced in segment().
  const mergeTerms = new Set(ordered.filter((t) => !finance.has(t) && t.length >= 2));
  for (const t of FINANCE_TERMS) if (!allHan(t)) mergeTerms.add(t);
  let mergeMaxLen = 0;
  for (const t of mergeTerms) mergeMaxLen = Math.max(mergeMaxLen, t.length);
  return { index: buildIndex(ordered), known, canonical, mergeTerms, mergeMaxLen, mixed: buildMixedTerms(ordered) };
}

function correct(s: string, b: Built): string | undefined {
  const cands: Candidate[] = [];
  const protect = new Uint8Array(s.length);
  findPinyinMatches(s, b.index, b.known, cands, protect);
  if (cands.length === 0) return undefined;
  // Exact-pinyin before fuzzy, longer before shorter, then left to right.
  cands.sort((x, y) => Number(x.fuzzy) - Number(y.fuzzy) || y.end - y.start - (x.end - x.start) || x.start - y.start);
  // A correction must respect word boundaries of a dictionary-only (no HMM) segmentation, and every changed character
  // must stand alone there: a character that forms a dictionary word with its neighbour (分歧, 体现, 几分) is not a typo.
  const words = segment(s, false, b.mixed);
  const startAt = new Set(words.map((w) => w.start));
  const endAt = new Set(words.map((w) => w.end));
  const single = new Set(words.filter((w) => w.end - w.start === 1).map((w) => w.start));
  const taken = new Uint8Array(s.length);
  const accepted: Candidate[] = [];
  for (const c of cands) {
    if (!startAt.has(c.start) || !endAt.has(c.end)) continue;
    let ok = true;
    const termPy = wordPinyin(c.term);
    const termPyBank = bankingReading(c.term, termPy);
    for (let p = c.start; p < c.end && ok; p++) {
      if (taken[p]) ok = false;
      else if (s[p] !== c.term[p - c.start]) {
        // Known words may sit inside a correction (跨航转账 keeps 转账) but are never rewritten themselves.
        ok = !protect[p] && single.has(p) && !NEVER_CHANGE.has(s[p]) && (primaryReadingMatches(s[p], termPy[p - c.start], c.fuzzy) || primaryReadingMatches(s[p], termPyBank[p - c.start], c.fuzzy));
      }
    }
    if (!ok) continue;
    taken.fill(1, c.start, c.end);
    accepted.push(c);
  }
  if (accepted.length === 0) return undefined;
  accepted.sort((x, y) => x.start - y.start);
  let out = '';
  let pos = 0;
  for (const c of accepted) {
    out += s.slice(pos, c.start) + c.term;
    pos = c.end;
  }
  return out + s.slice(pos);
}

/** Joins runs of adjacent tokens that spell a tenant term or synonym (jieba does not know them). */
function mergeTokens(tokens: Token[], s: string, b: Built): Token[] {
  if (b.mergeTerms.size === 0) return tokens;
  const out: Token[] = [];
  for (let k = 0; k < tokens.length; ) {
    let bestEnd = -1;
    for (let m = k + 1; m < tokens.length && tokens[m].end - tokens[k].start <= b.mergeMaxLen; m++) {
      if (tokens[m].start !== tokens[m - 1].end) break;
      if (b.mergeTerms.has(s.slice(tokens[k].start, tokens[m].end))) bestEnd = m;
    }
    if (bestEnd < 0) out.push(tokens[k++]);
    else {
      out.push({ text: s.slice(tokens[k].start, tokens[bestEnd].end), start: tokens[k].start, end: tokens[bestEnd].end });
      k = bestEnd + 1;
    }
  }
  return out;
}

function analyzeWith(b: Built, text: string): Analysis {
  const normalized = normalize(text);
  const lang = detectLang(normalized);
  const corrected = lang === 'zh' ? correct(normalized, b) : undefined;
  const s = corrected ?? normalized;
  const toks = mergeTokens(segment(s, true, b.mixed), s, b);
  const tokens: string[] = [];
  const pinyin: string[] = [];
  for (const t of toks) {
    let w = t.text;
    const c0 = w.charCodeAt(0);
    if (isCjkCode(c0) && allHan(w)) for (const p of wordPinyin(w)) pinyin.push(p);
    else if (c0 < 0x80 && !/[^\x00-\x7f]/.test(w)) {
      pinyin.push(w);
      if (!(c0 >= 0x30 && c0 <= 0x39)) w = stemEnglish(w);
    } else for (const p of pinyinOf(w)) pinyin.push(p);
    tokens.push(b.canonical.get(w) ?? w);
  }
  return corrected === undefined ? { normalized, lang, tokens, pinyin } : { normalized, lang, tokens, pinyin, corrected };
}

/**
 * Text analyzer for one knowledge domain/tenant. Construction costs a few milliseconds (pinyin of every term); keep
 * one per tenant configuration. The default analyzer (no options) is shared.
 */
export function createAnalyzer(opts: AnalyzerOptions = {}): Analyzer {
  const plain = !opts.terms?.length && !opts.synonyms?.length;
  const b = plain ? (baseBuilt ??= build({})) : build(opts);
  return { analyze: (text: string) => analyzeWith(b, text) };
}
