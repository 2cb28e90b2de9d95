/**
 * Sparse text features: word n-grams, character n-grams (word-bounded for Latin text, running for Han),
 * pinyin n-grams, Kangxi radicals of Han characters and the English glosses of Chinese words, hashed to 32-bit ids
 * (the low bits say the view, `viewOf`) so a model stores numbers, not strings. A vocabulary learned
 * from training data maps ids to columns; sublinear tf × idf per view, each view L2-normalised and
 * weighted, so one view (char n-grams produce most features) cannot drown the others.
 */
import { normalize, words, pinyinSyllables, stem } from './text-prep.ts';
import { hanRadical } from './han-radicals.ts';
import { glossTokens } from './glosses.ts';

export type FeatureConfig = {
  /** inclusive n-gram ranges; [0, 0] disables a view */
  word: [number, number];
  char: [number, number];
  pinyin: [number, number];
  /** relative weight of each view after its own L2 normalisation */
  weights: { word: number; char: number; pinyin: number; radical?: number; gloss?: number };
  /**
   * n-grams of the Kangxi radicals of consecutive Han characters, a view of their own (疹/瘫/癌 share 疒, 炒/炸/烤 share
   * 火: an unseen name still says what kind of thing it is); off if unset. Weight `weights.radical`.
   */
  radical?: [number, number];
  /**
   * The English gloss words of the Chinese words in each Han run (CC-CEDICT, `glosses.ts`: 古惑仔 → gangster,
   * hooligan), a view of their own; off if unset. Weight `weights.gloss`.
   */
  gloss?: boolean;
  stem: boolean;
  /** char n-gram range for non-Han runs when it should differ from `char` (short Latin n-grams match everything) */
  latinChar?: [number, number];
  /** mark the start and end of the utterance in char n-grams (Chinese commands hinge on their first words: 打开…, 来一首…) */
  edges?: boolean;
};

export const DEFAULT_FEATURES: FeatureConfig = {
  word: [1, 2],
  char: [1, 4],
  pinyin: [1, 2],
  weights: { word: 1, char: 1, pinyin: 0.5 },
  stem: true,
};

export const VIEW_WORD = 0;
export const VIEW_CHAR = 1;
export const VIEW_PINYIN = 2;
export const VIEW_RADICAL = 3;
export const VIEW_GLOSS = 4;

/**
 * A feature id's view. Word, char and pinyin ids end in their view number (2 bits, as before there were more views,
 * so the ids of English and FAQ models did not move); ids ending in 3 are radicals when bit 2 is clear, glosses when
 * it is set.
 */
export function viewOf(h: number): number {
  const v = h & 3;
  return v === 3 && h & 4 ? VIEW_GLOSS : v;
}

function withView(h: number, view: number): number {
  return view < VIEW_RADICAL ? ((h & ~3) | view) | 0 : ((h & ~7) | (view === VIEW_GLOSS ? 7 : 3)) | 0;
}

export type SparseVec = { idx: Int32Array; val: Float32Array };

/** FNV-1a over UTF-16 code units, seeded by the view so "w:ab" and "c:ab" differ. */
export function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Fold the view into the low bits so the vocabulary knows each feature's view without a side table.
  return withView(h, seed);
}

function addNgrams(out: Map<number, number>, toks: string[], lo: number, hi: number, view: number): void {
  if (lo <= 0) return;
  for (let n = lo; n <= hi; n++) {
    for (let i = 0; i + n <= toks.length; i++) {
      const g = n === 1 ? toks[i] : toks.slice(i, i + n).join('\u0001');
      const h = hash32(g, view);
      out.set(h, (out.get(h) ?? 0) + 1);
    }
  }
}

const HAN_START = /^\p{Script=Han}/u;

function addChars(out: Map<number, number>, text: string, hanLo: number, hanHi: number, edges = false, latin?: [number, number]): void {
  if (hanLo <= 0 && !latin) return;
  // Han runs: running n-grams over characters. Other runs: char-wb (each word padded with spaces).
  const segs: string[] = [];
  for (const m of text.matchAll(/(\p{Script=Han}+)|([^\s\p{Script=Han}]+)/gu)) {
    segs.push(m[1] ? m[1] : ` ${m[2]} `);
  }
  if (edges && segs.length) {
    segs[0] = '\u0002' + segs[0];
    segs[segs.length - 1] += '\u0003';
  }
  // Rolling FNV-1a from each start position: the hash of every n-gram without building its string
  // (identical to hash32 of the joined characters; keeps prediction free of garbage-collection pauses).
  const seed0 = (0x811c9dc5 ^ Math.imul(VIEW_CHAR + 1, 0x9e3779b1)) >>> 0;
  for (const seg of segs) {
    const chars = Array.from(seg);
    const han = HAN_START.test(chars[0] === '\u0002' ? (chars[1] ?? '') : chars[0]);
    const [lo, hi] = han || !latin ? [hanLo, hanHi] : latin;
    if (lo <= 0) continue;
    for (let i = 0; i < chars.length; i++) {
      let h = seed0;
      for (let n = 1; n <= hi && i + n <= chars.length; n++) {
        const ch = chars[i + n - 1];
        for (let u = 0; u < ch.length; u++) {
          h ^= ch.charCodeAt(u);
          h = Math.imul(h, 0x01000193);
        }
        if (n < lo) continue;
        if (n === 1 && (ch === ' ' || ch < '\u0004')) continue;
        const key = ((h & ~3) | VIEW_CHAR) | 0;
        out.set(key, (out.get(key) ?? 0) + 1);
      }
    }
  }
}

/** Raw term counts of one text (already normalised or not: normalisation is idempotent). */
export function extractCounts(text: string, cfg: FeatureConfig, isNormalized = false): Map<number, number> {
  const norm = isNormalized ? text : normalize(text);
  const out = new Map<number, number>();
  if (!norm) return out;
  if (cfg.word[0] > 0) {
    let ws = words(norm).filter((w) => /[\p{L}\p{N}]/u.test(w));
    if (cfg.stem) ws = ws.map(stem);
    addNgrams(out, ws, cfg.word[0], cfg.word[1], VIEW_WORD);
  }
  addChars(out, norm, cfg.char[0], cfg.char[1], cfg.edges, cfg.latinChar);
  if (cfg.pinyin[0] > 0) addNgrams(out, pinyinSyllables(norm), cfg.pinyin[0], cfg.pinyin[1], VIEW_PINYIN);
  const radical = cfg.radical && cfg.radical[0] > 0 ? cfg.radical : undefined;
  if (!radical && !cfg.gloss) return out;
  const hanRuns = norm.match(/\p{Script=Han}+/gu) ?? [];
  // n-grams of the radicals within each run of Han characters
  if (radical) for (const run of hanRuns) addNgrams(out, Array.from(run, (ch) => String(hanRadical(ch))), radical[0], radical[1], VIEW_RADICAL);
  if (cfg.gloss) {
    const glosses: string[] = [];
    for (const run of hanRuns) glossTokens(run, glosses);
    addNgrams(out, glosses, 1, 1, VIEW_GLOSS);
  }
  return out;
}

export type Vocabulary = {
  /** hashed feature id → column */
  index: Map<number, number>;
  ids: Int32Array;
  idf: Float32Array;
};

export function fitVocabulary(docs: Map<number, number>[], minDf = 1): Vocabulary {
  const df = new Map<number, number>();
  for (const d of docs) for (const h of d.keys()) df.set(h, (df.get(h) ?? 0) + 1);
  const kept = [...df.entries()].filter(([, c]) => c >= minDf).sort((a, b) => a[0] - b[0]);
  const n = docs.length;
  const ids = new Int32Array(kept.length);
  const idf = new Float32Array(kept.length);
  const index = new Map<number, number>();
  kept.forEach(([h, c], j) => {
    ids[j] = h;
    idf[j] = Math.log((1 + n) / (1 + c)) + 1; // smoothed idf, as in the usual tf-idf recipe
    index.set(h, j);
  });
  return { index, ids, idf };
}

export function vocabularyFrom(ids: Int32Array, idf: Float32Array): Vocabulary {
  const index = new Map<number, number>();
  for (let j = 0; j < ids.length; j++) index.set(ids[j], j);
  return { index, ids, idf };
}

/** tf-idf vector (sublinear tf), per-view L2 norm × view weight, then a global L2 norm. */
export function vectorize(counts: Map<number, number>, vocab: Vocabulary, cfg: FeatureConfig): SparseVec {
  const cols: number[] = [];
  const vals: number[] = [];
  const views: number[] = [];
  const norms = [0, 0, 0, 0, 0];
  for (const [h, c] of counts) {
    const j = vocab.index.get(h);
    if (j === undefined) continue;
    const v = (1 + Math.log(c)) * vocab.idf[j];
    const view = viewOf(h);
    cols.push(j);
    vals.push(v);
    views.push(view);
    norms[view] += v * v;
  }
  const w = [cfg.weights.word, cfg.weights.char, cfg.weights.pinyin, cfg.weights.radical ?? 0, cfg.weights.gloss ?? 0];
  const scale = norms.map((s, k) => (s > 0 ? w[k] / Math.sqrt(s) : 0));
  let total = 0;
  for (let i = 0; i < vals.length; i++) {
    vals[i] *= scale[views[i]];
    total += vals[i] * vals[i];
  }
  const inv = total > 0 ? 1 / Math.sqrt(total) : 0;
  const order = cols.map((_, i) => i).sort((a, b) => cols[a] - cols[b]);
  const idx = new Int32Array(order.length);
  const val = new Float32Array(order.length);
  order.forEach((o, k) => {
    idx[k] = cols[o];
    val[k] = vals[o] * inv;
  });
  return { idx, val };
}

export function dot(a: SparseVec, b: SparseVec): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    if (a.idx[i] === b.idx[j]) s += a.val[i++] * b.val[j++];
    else if (a.idx[i] < b.idx[j]) i++;
    else j++;
  }
  return s;
}
