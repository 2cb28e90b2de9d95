/**
 * Hand-made pair features: overlaps at several granularities, tf-idf and BM25 scores, edit distances, and
 * mismatches that flip the meaning of otherwise near-identical questions (numbers, negation, question type).
 * Every feature is symmetric in (a, b) so the model cannot learn an order that the caller does not promise.
 */
import type { PairText } from './pair-text.ts';
import { idf, type CorpusStats } from './corpus-stats.ts';

const NEG_WORDS = new Set(['不', '没', '未', '无', '别', '非', '否', '没有', '不能', '不是', '不会', '不了', '无法', '不要', '不用', '不到', '不可以', '不行', 'not', 'no', 'never', "don't", 'cannot', "can't", 'dont', 'cant']);
const NEG_CHARS = new Set(['不', '没', '未', '无', '别', '非']);

// Question types: two questions asking "how" vs "why" about the same thing want different answers.
const QTYPES: [string, string[]][] = [
  ['how', ['怎么', '怎样', '如何', '咋', '怎么样', '怎么办', 'how']],
  ['why', ['为什么', '为何', '为啥', '怎么回事', '干嘛', 'why']],
  ['much', ['多少', '几', '多大', '多高', 'how much', 'how many']],
  ['when', ['什么时候', '何时', '多久', '多长时间', '几天', '几号', '啥时候', 'when']],
  ['can', ['能不能', '可不可以', '能否', '可以', '能', '是否', '会不会', '有没有', 'can', 'could']],
  ['where', ['哪里', '哪儿', '在哪', '哪些', '哪个', '哪', 'where', 'which']],
  ['what', ['什么', '啥', 'what']],
  ['who', ['谁', 'who']],
];

export function questionTypes(norm: string): number {
  let mask = 0;
  QTYPES.forEach(([, cues], i) => {
    for (const c of cues) if (norm.includes(c)) { mask |= 1 << i; break; }
  });
  return mask;
}

export function negationCount(t: PairText): number {
  let n = 0;
  for (const c of t.chars) if (NEG_CHARS.has(c)) n++;
  for (const w of t.words) if (w.length > 1 && NEG_WORDS.has(w)) n++;
  return n;
}

function counts<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

function bigrams(xs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < xs.length; i++) out.push(xs[i] + '\u0001' + xs[i + 1]);
  return out;
}

/** Returns [jaccard, overlap/min, overlap/max] on sets. */
function setOverlap(a: string[], b: string[]): [number, number, number] {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size === 0 && sb.size === 0) return [1, 1, 1];
  if (sa.size === 0 || sb.size === 0) return [0, 0, 0];
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return [inter / union, inter / Math.min(sa.size, sb.size), inter / Math.max(sa.size, sb.size)];
}

/** Weighted jaccard and the weight of what each side has that the other lacks. */
function weightedOverlap(a: string[], b: string[], w: (t: string) => number): [number, number, number, number] {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  let onlyA = 0;
  let onlyB = 0;
  let maxMiss = 0;
  for (const x of sa) {
    const v = w(x);
    if (sb.has(x)) inter += v;
    else { onlyA += v; if (v > maxMiss) maxMiss = v; }
  }
  for (const x of sb) {
    if (!sa.has(x)) { const v = w(x); onlyB += v; if (v > maxMiss) maxMiss = v; }
  }
  const union = inter + onlyA + onlyB;
  return [union > 0 ? inter / union : 1, Math.min(onlyA, onlyB), Math.max(onlyA, onlyB), maxMiss];
}

function tfidfCosine(a: string[], b: string[], w: (t: string) => number): number {
  const ca = counts(a);
  const cb = counts(b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, n] of ca) {
    const v = n * w(t);
    na += v * v;
    const m = cb.get(t);
    if (m) dot += v * m * w(t);
  }
  for (const [t, n] of cb) { const v = n * w(t); nb += v * v; }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** BM25 of query q against document d, divided by q's score against itself so it lands in 0..1. */
function bm25Ratio(q: string[], d: string[], w: (t: string) => number, avgLen: number): number {
  const k1 = 1.2;
  const b = 0.75;
  const score = (doc: string[]) => {
    const cd = counts(doc);
    const norm = k1 * (1 - b + (b * doc.length) / avgLen);
    let s = 0;
    for (const t of new Set(q)) {
      const f = cd.get(t);
      if (f) s += (w(t) * f * (k1 + 1)) / (f + norm);
    }
    return s;
  };
  const self = score(q);
  return self > 0 ? score(d) / self : 0;
}

function editDistance(a: string[], b: string[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** [longest common subsequence, longest common substring] lengths. */
function lcs(a: string[], b: string[]): [number, number] {
  if (a.length === 0 || b.length === 0) return [0, 0];
  let prevSeq = new Array<number>(b.length + 1).fill(0);
  let curSeq = new Array<number>(b.length + 1).fill(0);
  let prevStr = new Array<number>(b.length + 1).fill(0);
  let curStr = new Array<number>(b.length + 1).fill(0);
  let best = 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        curSeq[j] = prevSeq[j - 1] + 1;
        curStr[j] = prevStr[j - 1] + 1;
        if (curStr[j] > best) best = curStr[j];
      } else {
        curSeq[j] = Math.max(prevSeq[j], curSeq[j - 1]);
        curStr[j] = 0;
      }
    }
    [prevSeq, curSeq] = [curSeq, prevSeq];
    [prevStr, curStr] = [curStr, prevStr];
  }
  return [prevSeq[b.length], best];
}

export function denseFeatures(a: PairText, b: PairText, stats: CorpusStats): number[] {
  const f: number[] = [];
  const wIdf = (t: string) => idf(stats.wordDf, stats.nDocs, t);
  const cIdf = (t: string) => idf(stats.charDf, stats.nDocs, t);
  const la = a.chars.length;
  const lb = b.chars.length;
  f.push(Math.min(la, lb), Math.max(la, lb), Math.abs(la - lb), Math.max(la, lb) > 0 ? Math.min(la, lb) / Math.max(la, lb) : 1);
  f.push(Math.min(a.words.length, b.words.length), Math.abs(a.words.length - b.words.length));

  f.push(...setOverlap(a.chars, b.chars));
  f.push(...setOverlap(bigrams(a.chars), bigrams(b.chars)));
  f.push(...setOverlap(a.words, b.words));
  f.push(...setOverlap(a.pinyin, b.pinyin));
  f.push(...setOverlap(bigrams(a.pinyin), bigrams(b.pinyin)));

  f.push(...weightedOverlap(a.words, b.words, wIdf));
  f.push(...weightedOverlap(a.chars, b.chars, cIdf));

  f.push(tfidfCosine(a.words, b.words, wIdf), tfidfCosine(a.chars, b.chars, cIdf));
  f.push(tfidfCosine(bigrams(a.chars), bigrams(b.chars), () => 1));
  const bAB = bm25Ratio(a.words, b.words, wIdf, stats.avgWords);
  const bBA = bm25Ratio(b.words, a.words, wIdf, stats.avgWords);
  f.push(Math.min(bAB, bBA), Math.max(bAB, bBA));
  const cAB = bm25Ratio(a.chars, b.chars, cIdf, stats.avgChars);
  const cBA = bm25Ratio(b.chars, a.chars, cIdf, stats.avgChars);
  f.push(Math.min(cAB, cBA), Math.max(cAB, cBA));

  const maxC = Math.max(la, lb, 1);
  const ed = editDistance(a.chars, b.chars);
  f.push(ed, ed / maxC);
  const pd = editDistance(a.pinyin, b.pinyin);
  f.push(pd / maxC);
  const wd = editDistance(a.words, b.words);
  f.push(wd / Math.max(a.words.length, b.words.length, 1));
  const [seq, sub] = lcs(a.chars, b.chars);
  f.push(seq / maxC, seq / Math.max(1, Math.min(la, lb)), sub / maxC, sub / Math.max(1, Math.min(la, lb)));

  // Numbers: a different amount or term is a different question ("3期" vs "6期").
  const na = new Set(a.nums);
  const nb = new Set(b.nums);
  const numSame = na.size === nb.size && [...na].every((x) => nb.has(x));
  f.push(na.size + nb.size === 0 ? 0 : numSame ? 1 : na.size > 0 && nb.size > 0 ? 3 : 2);

  const ga = negationCount(a);
  const gb = negationCount(b);
  f.push(ga % 2 !== gb % 2 ? 1 : 0, Math.abs(ga - gb));

  const qa = questionTypes(a.norm);
  const qb = questionTypes(b.norm);
  f.push(qa === qb ? 1 : 0, qa && qb && (qa & qb) === 0 ? 1 : 0, popcount(qa ^ qb));
  return f;
}

function popcount(x: number): number {
  let n = 0;
  while (x) { n += x & 1; x >>>= 1; }
  return n;
}
