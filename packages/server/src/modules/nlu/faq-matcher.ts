/**
 * FAQ retrieval for the Q&A robot: which knowledge entry answers the user's question?
 *
 * Three signals per entry, combined by a small logistic model into a probability that the entry is right:
 *  - BM25 over words + characters (1–2) + pinyin (1–2), normalised by the query's own attainable score;
 *  - nearest-question cosine in a tf-idf space of word/char/pinyin n-grams;
 *  - a linear SVM with entries as classes and their questions as examples (learns which n-grams
 *    discriminate between neighbouring entries, which plain overlap cannot), each entry trained against its
 *    hardest negatives only and stored sparse, so a KB of thousands of entries trains in seconds and stays small.
 *    Up to INTENT_FEATURES_MAX_ENTRIES entries it reads the intent classifier's features (`intentFeatures`: glosses
 *    and radicals for Chinese, char 1–4-grams for English) of the question as typed and as corrected: a business
 *    bot's flow triggers and intents with dozens of examples each are an intent classification problem.
 * Pinyin views make homophone typos (挂是 → 挂失, speech-recognition errors) match without a dictionary.
 * The combiner is fit on the knowledge base itself: similar questions are held out in folds and asked
 * back, so the score means "how often a hit like this was right" for this KB, not an arbitrary scale.
 */
import { normalize, addTerms, words, pinyinSyllables } from './text-prep.ts';
import { createAnalyzer, type Analyzer } from '../text/index.ts';
import {
  extractCounts,
  fitVocabulary,
  vectorize,
  vocabularyFrom,
  type FeatureConfig,
  type SparseVec,
  type Vocabulary,
} from './features.ts';
import { intentFeatures } from './intent-classifier.ts';
import { trainHardNegativeSvm, sparseDecision, softmax, mulberry32, type SparseLinearModel } from './linear-svm.ts';
import { f32ToB64, b64ToF32, i32ToB64, b64ToI32, toText } from './codec.ts';

export type FaqDoc = { id: string; questions: string[] };
export type FaqHit = { id: string; score: number; question: string };
export type FaqMatcherOptions = { terms?: string[]; synonyms?: string[][] };
export type FaqModel = { match(text: string, k?: number): FaqHit[]; serialize(): Buffer | string };

/**
 * Decision defaults for the Q&A robot: answer when the top hit ≥ `answer` and leads the runner-up by
 * `margin`; offer the candidates ≥ `clarify` as options; otherwise fall back. Scores are calibrated
 * probabilities, so 0.5 means "right about half the time" on held-out similar questions.
 */
export const DEFAULT_THRESHOLDS = { answer: 0.55, clarify: 0.2, margin: 0.12 };

// Pinyin weighs more than in intent classification: customers' FAQ questions are full of homophone and
// speech-recognition typos (measured on eval/faq: pinyin weight 0.6 → 1.5 and start/end markers, top-1 0.900 → 0.925).
const VEC_CFG: FeatureConfig = {
  word: [1, 2],
  char: [1, 3],
  pinyin: [1, 2],
  weights: { word: 1, char: 1, pinyin: 1.5 },
  stem: true,
  edges: true,
};
const BM_CFG: FeatureConfig = {
  word: [1, 1],
  char: [1, 2],
  pinyin: [1, 2],
  weights: { word: 1, char: 1, pinyin: 1 },
  stem: true,
  // Latin words are already terms; their 1–2-letter pieces would make every English question overlap.
  latinChar: [0, 0],
};
/**
 * Negatives each entry's SVM is trained against: its nearest other questions (see trainHardNegativeSvm), at least
 * HARD_NEGATIVES and NEGATIVES_PER_QUESTION × the entry's own questions. An FAQ entry's few similar questions need few;
 * an intent of a hundred examples needs more: Banking77 as a knowledge base (80 % of its training split, asked the
 * other 20 %) top-1 0.877 → 0.916; SMP2019 / SMP2020 training splits, 5-fold, 0.874 / 0.899 → 0.891 / 0.917
 * (eval/README.md, "The robot's matcher on intent data").
 */
const HARD_NEGATIVES = 256;
const NEGATIVES_PER_QUESTION = 20;
/**
 * Up to this many entries the SVM reads the intent classifier's features instead of the retrieval views' (after the
 * negatives above: Banking77 0.916 → 0.918, SMP2019 / SMP2020 0.891 / 0.917 → 0.910 / 0.928, eval/faq zh top-1
 * 0.937 → 0.940, 800 one-question AFQMC entries asked their paraphrases 0.250 → 0.280). Above it every query visits
 * the broad features' long weight lists: 2,000 entries × 5 questions p99 1.6 → 2.5–2.8 ms, for paraphrase top-1 0.173 → 0.179.
 */
const INTENT_FEATURES_MAX_ENTRIES = 1000;
/**
 * Entry weights below this share of the entry's largest are dropped: model size and prediction time (each query
 * feature visits the entries weighting it). eval/faq: 0.02 costs nothing; 0.05 three of 479 top-1 hits. A large
 * KB (≥ LARGE_KB questions) takes 0.05: on 2,000 entries × 5 questions p99 2.9 → 2.0 ms; on 2,000 one-question
 * entries asked their AFQMC paraphrases, top-1 0.173 → 0.172.
 */
const SVM_PRUNE = 0.02;
const SVM_PRUNE_LARGE = 0.05;
/**
 * In a KB of LARGE_KB questions or more, terms in more than COMMON_SHARE of them take no part in choosing
 * candidates: their posting lists are the long ones (信用卡 in a card KB), and sharing them makes no question a near
 * match. The chosen entries' cosine and BM25 are then computed exactly, with every term. Smaller KBs use every term.
 */
const LARGE_KB = 3000;
const COMMON_SHARE = 0.05;
/**
 * In a large KB, an entry with more questions than this (an intent with a hundred examples) has only this many scored
 * exactly for its best cosine and BM25: the ones the uncommon terms found most like the query (see `promising`).
 * Banking77 as a KB (77 entries, 8,005 questions): p50 1.6 → 0.6–0.7 ms a query, top-1 unchanged.
 */
const EXACT_PER_ENTRY = 8;
/** Rows the combiner is fit on at most (eval/faq's KB has ~5,000). */
const MAX_CALIBRATION_ROWS = 12_000;
const K1 = 1.2;
const B = 0.6;
const SVM_TEMP = 4;
const FORMAT = 'lingxi.faq/3';
/**
 * logistic weights over [bias, cos, bm25, svm prob × lexical evidence, is-best-by-svm]: the prior, used as is
 * when the KB is too small to fit them and as the centre the fit shrinks towards (strongly for small KBs,
 * whose few held-out questions would otherwise make the classifier look decisive on near-ties).
 */
const DEFAULT_COEF = [-6, 4, 3, 1.5, 0.3];

type Synonyms = { re: RegExp; map: Map<string, string> } | undefined;

function buildSynonyms(groups: string[][] | undefined): Synonyms {
  if (!groups?.length) return undefined;
  const map = new Map<string, string>();
  for (const g of groups) {
    const norm = g.map((s) => normalize(s)).filter(Boolean);
    if (norm.length < 2) continue;
    for (const v of norm.slice(1)) if (v !== norm[0] && !map.has(v)) map.set(v, norm[0]);
  }
  if (!map.size) return undefined;
  const alts = [...map.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { re: new RegExp(alts.join('|'), 'g'), map };
}

function prep(text: string, syn: Synonyms): string {
  const n = normalize(text);
  return syn ? n.replace(syn.re, (m) => syn.map.get(m) ?? m) : n;
}

/** BM25 index: per term the questions having it and each one's saturated, length-normalised tf (the "impact"). */
type Bm25 = { postings: Map<number, { q: Int32Array; imp: Float64Array }>; len: Float32Array; avg: number; idf: Map<number, number>; maxIdf: number; /** term → dense column */ col: Map<number, number> };

function bmImpact(tf: number, len: number, avg: number): number {
  return (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avg));
}

function buildBm25(counts: Map<number, number>[]): Bm25 {
  const tmp = new Map<number, { q: number[]; tf: number[] }>();
  const len = new Float32Array(counts.length);
  counts.forEach((c, q) => {
    for (const [t, tf] of c) {
      let p = tmp.get(t);
      if (!p) tmp.set(t, (p = { q: [], tf: [] }));
      p.q.push(q);
      p.tf.push(tf);
      len[q] += tf;
    }
  });
  const N = counts.length;
  const avg = len.reduce((a, b) => a + b, 0) / Math.max(1, N) || 1;
  const postings = new Map<number, { q: Int32Array; imp: Float64Array }>();
  const idf = new Map<number, number>();
  let maxIdf = 0;
  const col = new Map<number, number>();
  for (const [t, p] of tmp) {
    col.set(t, col.size);
    postings.set(t, { q: Int32Array.from(p.q), imp: Float64Array.from(p.tf, (tf, k) => bmImpact(tf, len[p.q[k]], avg)) });
    const v = Math.log(1 + (N - p.q.length + 0.5) / (p.q.length + 0.5));
    idf.set(t, v);
    if (v > maxIdf) maxIdf = v;
  }
  return { postings, len, avg, idf, maxIdf: maxIdf || 1, col };
}

/** What the query would score against itself (unknown terms count at max idf): BM25 is divided by it. */
function bmSelf(ix: Bm25, query: Map<number, number>): number {
  let self = 0;
  for (const [t, qtf] of query) self += (ix.idf.get(t) ?? ix.maxIdf) * Math.min(qtf, 3);
  return self;
}

/**
 * Normalised BM25 of the questions that share an uncommon term with the query, accumulated into `out` (touched
 * questions appended to `touched`); terms with more than `maxDf` questions are left out here. True if one was.
 */
function bm25Uncommon(ix: Bm25, query: Map<number, number>, self: number, maxDf: number, out: Float64Array, touched: number[], seen: Uint8Array): boolean {
  if (self <= 0) return false;
  let skipped = false;
  for (const [t, qtf] of query) {
    const p = ix.postings.get(t);
    if (!p) continue;
    if (p.q.length > maxDf) {
      skipped = true;
      continue;
    }
    addPostings(p.q, p.imp, (Math.min(qtf, 3) * (ix.idf.get(t) ?? ix.maxIdf)) / self, out, touched, seen);
  }
  return skipped;
}

/** out[q] += w × vals[k] along a posting list, each question reached noted once in `touched`. */
function addPostings(qs: Int32Array, vals: ArrayLike<number>, w: number, out: Float64Array, touched: number[], seen: Uint8Array): void {
  for (let k = 0; k < qs.length; k++) {
    const q = qs[k];
    if (!seen[q]) {
      seen[q] = 1;
      touched.push(q);
    }
    out[q] += w * vals[k];
  }
}

/** A question's BM25 terms as dense columns with their impacts: its exact normalised BM25 is a dot with the query's. */
type BmRow = { idx: Int32Array; val: Float64Array };

function bmRow(ix: Bm25, doc: Map<number, number>, q: number): BmRow {
  const terms = [...doc.keys()];
  return { idx: Int32Array.from(terms, (t) => ix.col.get(t)!), val: Float64Array.from(terms, (t) => bmImpact(doc.get(t)!, ix.len[q], ix.avg)) };
}

/** Σ dense[idx[k]] × val[k]: a sparse row against a query scattered into a dense scratch array. */
function denseDot(dense: Float64Array, row: { idx: Int32Array; val: ArrayLike<number> }): number {
  let s = 0;
  for (let k = 0; k < row.idx.length; k++) s += dense[row.idx[k]] * row.val[k];
  return s;
}

type Core = {
  docs: FaqDoc[];
  qDoc: Int32Array;
  qText: string[];
  vocab: Vocabulary;
  qVec: SparseVec[];
  svm: SparseLinearModel;
  /** the SVM's own features (`intentFeatures`, see svmVector), or undefined: it reads qVec's */
  svmCfg: FeatureConfig | undefined;
  svmVocab: Vocabulary;
  bm: Bm25;
  syn: Synonyms;
  /** pinyin key → KB word, for homophone correction of queries */
  homo: Map<string, string>;
  known: Set<string>;
  /** column → questions containing it, so cosine touches only overlapping questions */
  inv: { q: Int32Array; v: Float32Array }[];
  /** each question's BM25 terms (exact scores of the chosen entries) */
  qBm: BmRow[];
  /** entry → its questions */
  docQs: number[][];
  /** posting lists longer than this are left out of candidate choice (LARGE_KB, COMMON_SHARE) */
  maxDf: number;
  scratch: { cosQ: Float64Array; bmQ: Float64Array; seen: Uint8Array; qDense: Float64Array; bmDense: Float64Array };
  /** the text module's analyzer: finance-dictionary homophone correction (验正码 → 验证码) before our own */
  analyzer: Analyzer;
};

type PreparedQ = { doc: number; text: string; norm: string; vc: Map<number, number>; bc: Map<number, number> };

function prepareQuestions(qs: { doc: number; text: string }[], syn: Synonyms): PreparedQ[] {
  return qs.map((q) => {
    const norm = prep(q.text, syn);
    return { doc: q.doc, text: q.text, norm, vc: extractCounts(norm, VEC_CFG, true), bc: extractCounts(norm, BM_CFG, true) };
  });
}

function buildHomophones(norms: string[], terms: string[]): { homo: Map<string, string>; known: Set<string> } {
  const known = new Set<string>();
  for (const n of norms) for (const w of words(n)) if (w.length >= 2 && w.length <= 4 && /^\p{Script=Han}+$/u.test(w)) known.add(w);
  for (const t of terms) if (t.length >= 2 && /^\p{Script=Han}+$/u.test(t)) known.add(t);
  const homo = new Map<string, string>();
  for (const w of known) {
    const key = pinyinSyllables(w).join(' ');
    if (!homo.has(key)) homo.set(key, w);
  }
  return { homo, known };
}

/**
 * Replaces 2–4 character spans that are not KB words but sound exactly like one (挂是 → 挂失).
 * Limited to the KB's own vocabulary so ordinary words are never "corrected" into something else.
 */
function correctHomophones(norm: string, core: Core): string {
  if (!core.homo.size) return norm;
  return norm.replace(/\p{Script=Han}{2,}/gu, (run) => {
    const chars = Array.from(run);
    const py = pinyinSyllables(run);
    if (py.length !== chars.length) return run;
    let out = '';
    let i = 0;
    while (i < chars.length) {
      let done = false;
      for (let len = Math.min(4, chars.length - i); len >= 2 && !done; len--) {
        const span = chars.slice(i, i + len).join('');
        if (core.known.has(span)) {
          out += span;
          i += len;
          done = true;
          break;
        }
        const fix = core.homo.get(py.slice(i, i + len).join(' '));
        if (fix && fix !== span) {
          out += fix;
          i += len;
          done = true;
        }
      }
      if (!done) out += chars[i++];
    }
    return out;
  });
}

type StoredSvm = Pick<SparseLinearModel, 'bias' | 'ptr' | 'cls' | 'w'>;

/** A loaded model's vocabulary and SVM; `svmOwn`: the SVM's own feature set and vocabulary, when it has them. */
type Stored = { ids: Int32Array; idf: Float32Array; svm: StoredSvm; svmOwn?: { cfg: FeatureConfig; ids: Int32Array; idf: Float32Array } };

function buildCore(docs: FaqDoc[], qs: PreparedQ[], syn: Synonyms, terms: string[], synonyms: string[][] | undefined, stored?: Stored, epochs = 8): Core {
  const vocab = stored ? vocabularyFrom(stored.ids, stored.idf) : fitVocabulary(qs.map((q) => q.vc), 1);
  const qVec = qs.map((q) => vectorize(q.vc, vocab, VEC_CFG));
  const qDoc = Int32Array.from(qs.map((q) => q.doc));
  const svmCfg = stored ? stored.svmOwn?.cfg : docs.length <= INTENT_FEATURES_MAX_ENTRIES ? intentFeatures(qs.map((q) => q.norm)) : undefined;
  let svmVocab = vocab;
  let svmVec = qVec;
  if (stored?.svmOwn) svmVocab = vocabularyFrom(stored.svmOwn.ids, stored.svmOwn.idf);
  else if (svmCfg) {
    const counts = qs.map((q) => extractCounts(q.norm, svmCfg, true));
    svmVocab = fitVocabulary(counts, 1);
    svmVec = counts.map((c) => vectorize(c, svmVocab, svmCfg));
  }
  const svm = stored
    ? { dim: svmVocab.ids.length, classes: docs.length, ...stored.svm }
    : trainHardNegativeSvm(svmVec, qDoc, svmVocab.ids.length, docs.length, { C: 1, epochs, greedy: true, negatives: HARD_NEGATIVES, negativesPerPositive: NEGATIVES_PER_QUESTION, prune: qs.length >= LARGE_KB ? SVM_PRUNE_LARGE : SVM_PRUNE });
  const bm = buildBm25(qs.map((q) => q.bc));
  const { homo, known } = buildHomophones(qs.map((q) => q.norm), terms.map((t) => normalize(t)));
  const lists: { q: number[]; v: number[] }[] = Array.from({ length: vocab.ids.length }, () => ({ q: [], v: [] }));
  qVec.forEach((x, q) => x.idx.forEach((j, t) => { lists[j].q.push(q); lists[j].v.push(x.val[t]); }));
  const inv = lists.map((l) => ({ q: Int32Array.from(l.q), v: Float32Array.from(l.v) }));
  const docQs: number[][] = docs.map(() => []);
  qs.forEach((q, i) => docQs[q.doc].push(i));
  const maxDf = qs.length >= LARGE_KB ? Math.ceil(COMMON_SHARE * qs.length) : Infinity;
  return { docs, qDoc, qText: qs.map((q) => q.text), vocab, qVec, svm, svmCfg, svmVocab, bm, syn, homo, known, inv, qBm: qs.map((q, i) => bmRow(bm, q.bc, i)), docQs, maxDf, scratch: { cosQ: new Float64Array(qs.length), bmQ: new Float64Array(qs.length), seen: new Uint8Array(qs.length), qDense: new Float64Array(vocab.ids.length), bmDense: new Float64Array(bm.col.size) }, analyzer: createAnalyzer({ terms, synonyms }) };
}

/** The SVM's vector of a query: the features of the text as typed, and of its corrected form where that differs. */
function svmVector(core: Core, cfg: FeatureConfig, typed: string, corrected: string): SparseVec {
  const c = extractCounts(typed, cfg, true);
  if (corrected !== typed) for (const [h, n] of extractCounts(corrected, cfg, true)) if (n > (c.get(h) ?? 0)) c.set(h, n);
  return vectorize(c, core.svmVocab, cfg);
}

type Candidate = { doc: number; q: number; feats: number[] };


/**
 * An entry's EXACT_PER_ENTRY questions with the most evidence from the query's uncommon terms (cosine + BM25 as
 * accumulated before the exact pass): the ones worth scoring with every term.
 */
function promising(own: number[], cosQ: Float64Array, bmQ: Float64Array): number[] {
  return own
    .map((q) => [q, cosQ[q] + bmQ[q]] as const)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, EXACT_PER_ENTRY)
    .map(([q]) => q);
}

/** Indices of the `k` largest values (k is small: a linear scan with insertion beats sorting). */
function topK(arr: ArrayLike<number>, k: number, into: Set<number>): void {
  const best: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (best.length === k && v <= arr[best[k - 1]]) continue;
    let p = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (p > 0 && arr[best[p - 1]] < v) {
      best[p] = best[p - 1];
      p--;
    }
    best[p] = i;
  }
  for (const i of best) into.add(i);
}

function candidates(core: Core, text: string, pool = 8): Candidate[] {
  const a = core.analyzer.analyze(text);
  const norm = correctHomophones(prep(a.corrected ?? a.normalized, core.syn), core);
  if (!norm) return [];
  const nd = core.docs.length;
  const qv = vectorize(extractCounts(norm, VEC_CFG, true), core.vocab, VEC_CFG);
  const qb = extractCounts(norm, BM_CFG, true);
  const self = bmSelf(core.bm, qb);
  // Choosing candidates: cosine and BM25 through the uncommon terms only, over the questions they reach.
  // Per-question scratch kept on the core (matching is synchronous) and cleared where touched: no 10k-row
  // allocations per query for the collector to chase.
  const { cosQ, bmQ, seen } = core.scratch;
  const touched: number[] = [];
  try {
    let skipped = false;
    for (let t = 0; t < qv.idx.length; t++) {
      const l = core.inv[qv.idx[t]];
      if (l.q.length > core.maxDf) {
        skipped = true;
        continue;
      }
      addPostings(l.q, l.v, qv.val[t], cosQ, touched, seen);
    }
    if (bm25Uncommon(core.bm, qb, self, core.maxDf, bmQ, touched, seen)) skipped = true;
    const cosD = new Float64Array(nd).fill(-1);
    const bmD = new Float64Array(nd).fill(-1);
    for (const q of touched) {
      const d = core.qDoc[q];
      if (cosQ[q] > cosD[d]) cosD[d] = cosQ[q];
      if (bmQ[q] > bmD[d]) bmD[d] = bmQ[q];
    }
    // The SVM reads the question as typed (normalised) and, where they differ, as corrected (挂是 → 挂失): on the
    // corrected text alone it loses names that merely sound like a KB word (SMP2019 / SMP2020 0.911 / 0.931 as typed,
    // 0.909 / 0.925 corrected, 0.910 / 0.928 both); on the typed text alone the typo test in faq-matcher.test.ts fails.
    const sv = core.svmCfg ? svmVector(core, core.svmCfg, prep(text, core.syn), norm) : qv;
    const raw = sparseDecision(core.svm, sv);
    const prob = softmax(raw, SVM_TEMP);
    let svmTop = 0;
    for (let d = 1; d < nd; d++) if (raw[d] > raw[svmTop]) svmTop = d;
    const pick = new Set<number>();
    topK(raw, pool, pick);
    topK(cosD, pool, pick);
    topK(bmD, pool, pick);
    // The chosen entries' evidence, exactly: best cosine and BM25 over their questions with every term (what was
    // accumulated, when no term was left out), and the question shown to the user — the one most like the query by both.
    const bestQ = new Map<number, number>();
    // With a term left out, the query is scattered into dense scratch arrays (cleared below) for exact dot products.
    const { qDense, bmDense } = core.scratch;
    if (skipped) {
      for (let t = 0; t < qv.idx.length; t++) qDense[qv.idx[t]] = qv.val[t];
      if (self > 0) {
        for (const [t, qtf] of qb) {
          const j = core.bm.col.get(t);
          if (j !== undefined) bmDense[j] = (Math.min(qtf, 3) * (core.bm.idf.get(t) ?? core.bm.maxIdf)) / self;
        }
      }
    }
    for (const d of pick) {
      let c = -1;
      let b = -1;
      let bq = -1;
      let bs = -Infinity;
      const own = core.docQs[d];
      for (const q of skipped && own.length > EXACT_PER_ENTRY ? promising(own, cosQ, bmQ) : own) {
        const cq = skipped ? denseDot(qDense, core.qVec[q]) : cosQ[q];
        const bmq = skipped ? denseDot(bmDense, core.qBm[q]) : bmQ[q];
        if (cq > c) c = cq;
        if (bmq > b) b = bmq;
        if (cq + bmq > bs) {
          bs = cq + bmq;
          bq = q;
        }
      }
      cosD[d] = c;
      bmD[d] = b;
      bestQ.set(d, bq);
    }
    // The classifier only knows "which entry, if any of them": its probability is gated by the lexical evidence,
    // or a lone English entry in a Chinese KB would win every English question, related or not.
    return [...pick].map((d) => {
      const cos = Math.max(0, cosD[d]);
      const bm = Math.min(1.5, Math.max(0, bmD[d]));
      return { doc: d, q: bestQ.get(d)!, feats: [1, cos, bm, prob[d] * Math.min(1, Math.max(cos, bm)), d === svmTop ? 1 : 0] };
    });
  } finally {
    for (let t = 0; t < qv.idx.length; t++) core.scratch.qDense[qv.idx[t]] = 0;
    for (const t of qb.keys()) {
      const j = core.bm.col.get(t);
      if (j !== undefined) core.scratch.bmDense[j] = 0;
    }
    for (const q of touched) {
      cosQ[q] = 0;
      bmQ[q] = 0;
      seen[q] = 0;
    }
  }
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function rank(core: Core, coef: number[], text: string, k: number): FaqHit[] {
  const cands = candidates(core, text);
  const scored = cands.map((c) => {
    let z = 0;
    for (let i = 0; i < coef.length; i++) z += coef[i] * c.feats[i];
    return { c, s: sigmoid(z) };
  });
  scored.sort((a, b) => b.s - a.s);
  return scored.slice(0, Math.max(0, k)).map(({ c, s }) => ({ id: core.docs[c.doc].id, score: Math.round(s * 1e4) / 1e4, question: core.qText[c.q] }));
}

/** Logistic regression by gradient descent, with an L2 pull towards the prior `w0` of strength `pull`. */
function fitLogistic(X: number[][], y: number[], w0: number[], pull: number): number[] {
  const w = w0.slice();
  const lr = 1;
  const n = X.length;
  for (let it = 0; it < 800; it++) {
    const g = new Array(w.length).fill(0);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < w.length; j++) z += w[j] * X[i][j];
      const e = sigmoid(z) - y[i];
      for (let j = 0; j < w.length; j++) g[j] += e * X[i][j];
    }
    for (let j = 0; j < w.length; j++) w[j] -= lr * (g[j] / n + pull * (w[j] - w0[j]));
  }
  return w;
}

function flatten(docs: FaqDoc[]): { doc: number; text: string; k: number }[] {
  const qs: { doc: number; text: string; k: number }[] = [];
  docs.forEach((d, i) => d.questions.forEach((t, k) => { if (typeof t === 'string' && t.trim()) qs.push({ doc: i, text: t, k }); }));
  return qs;
}

/** Fit the combiner on held-out similar questions; the KB's own paraphrases stand in for users. */
function calibrate(docs: FaqDoc[], qs: (PreparedQ & { k: number })[], syn: Synonyms, terms: string[], synonyms: string[][] | undefined): number[] {
  const held = qs.map((q, i) => ({ k: q.k, i })).filter((q) => q.k > 0);
  if (held.length < 20 || docs.length < 3) return DEFAULT_COEF;
  const rand = mulberry32(7);
  const fold = held.map(() => Math.floor(rand() * 3));
  const X: number[][] = [];
  const y: number[] = [];
  // With hundreds of similar questions one fold of three is enough for five weights, and retraining on every
  // knowledge publish must stay well under a second; small KBs use all three folds to have enough rows.
  const folds = held.length >= 300 ? 1 : 3;
  for (let f = 0; f < folds; f++) {
    const out = new Set(held.filter((_, j) => fold[j] === f).map((q) => q.i));
    if (!out.size) continue;
    const core = buildCore(docs, qs.filter((_, i) => !out.has(i)), syn, terms, synonyms, undefined, 5);
    for (const i of out) {
      for (const c of candidates(core, qs[i].text, 4)) {
        X.push(c.feats);
        y.push(c.doc === qs[i].doc ? 1 : 0);
      }
    }
  }
  if (!y.includes(1) || !y.includes(0)) return DEFAULT_COEF;
  // Five weights need no more than a few thousand rows: a big KB's are thinned evenly (full-batch steps cost per row).
  if (X.length > MAX_CALIBRATION_ROWS) {
    const step = X.length / MAX_CALIBRATION_ROWS;
    const pick = Array.from({ length: MAX_CALIBRATION_ROWS }, (_, i) => Math.floor(i * step));
    return fitLogistic(pick.map((i) => X[i]), pick.map((i) => y[i]), DEFAULT_COEF, Math.min(1, 20 / held.length));
  }
  // ~100 held-out questions or fewer: lean on the prior; hundreds: the data speaks.
  return fitLogistic(X, y, DEFAULT_COEF, Math.min(1, 20 / held.length));
}

function validate(docs: FaqDoc[]): void {
  if (!Array.isArray(docs)) throw new TypeError('trainFaqMatcher: docs must be an array');
  const seen = new Set<string>();
  for (const d of docs) {
    if (!d || typeof d.id !== 'string' || !Array.isArray(d.questions)) throw new TypeError('trainFaqMatcher: each doc needs id: string and questions: string[]');
    if (seen.has(d.id)) throw new Error(`trainFaqMatcher: duplicate entry id ${d.id}`);
    seen.add(d.id);
  }
}

function model(core: Core, coef: number[], docs: FaqDoc[], opts: FaqMatcherOptions): FaqModel {
  return {
    match(text: string, k = 5): FaqHit[] {
      if (typeof text !== 'string' || core.docs.length === 0) return [];
      return rank(core, coef, text, k);
    },
    serialize(): string {
      return JSON.stringify({
        format: FORMAT,
        docs,
        opts,
        coef,
        ids: i32ToB64(core.vocab.ids),
        idf: f32ToB64(core.vocab.idf),
        // The SVM's feature set and vocabulary when it has its own (null: it shares the vectors above).
        svmFeatures: core.svmCfg ?? null,
        ...(core.svmCfg ? { svmIds: i32ToB64(core.svmVocab.ids), svmIdf: f32ToB64(core.svmVocab.idf) } : {}),
        // Sparse entry weights (only the features of each entry's questions and its hard negatives' questions).
        svm: { bias: f32ToB64(core.svm.bias), ptr: i32ToB64(core.svm.ptr), cls: i32ToB64(core.svm.cls), w: f32ToB64(core.svm.w) },
      });
    },
  };
}

function prepared(docs: FaqDoc[], syn: Synonyms): (PreparedQ & { k: number })[] {
  const flat = flatten(docs);
  const p = prepareQuestions(flat, syn);
  return p.map((q, i) => ({ ...q, k: flat[i].k }));
}

export function trainFaqMatcher(docs: FaqDoc[], opts: FaqMatcherOptions = {}): FaqModel {
  validate(docs);
  const terms = (opts.terms ?? []).filter((t) => typeof t === 'string');
  if (terms.length) addTerms(terms);
  const syn = buildSynonyms(opts.synonyms);
  const clean = docs.map((d) => ({ id: d.id, questions: d.questions.filter((q) => typeof q === 'string') }));
  const qs = prepared(clean, syn);
  const core = buildCore(clean, qs, syn, terms, opts.synonyms);
  const coef = calibrate(clean, qs, syn, terms, opts.synonyms);
  return model(core, coef, clean, { terms: opts.terms, synonyms: opts.synonyms });
}

export function loadFaqMatcher(data: Buffer | string): FaqModel {
  const o = JSON.parse(toText(data));
  if (o?.format !== FORMAT) throw new Error(`loadFaqMatcher: not a ${FORMAT} model`);
  const opts: FaqMatcherOptions = o.opts ?? {};
  const terms = opts.terms ?? [];
  if (terms.length) addTerms(terms);
  const syn = buildSynonyms(opts.synonyms);
  const svmCfg: FeatureConfig | undefined = o.svmFeatures ?? undefined;
  // The SVM's dictionaries (CC-CEDICT: ~0.3 s, once per process) are read now, while the model loads, rather than on
  // the first customer message it answers.
  if (svmCfg) extractCounts('银行卡挂失', svmCfg, true);
  const core = buildCore(o.docs, prepared(o.docs, syn), syn, terms, opts.synonyms, {
    ids: b64ToI32(o.ids),
    idf: b64ToF32(o.idf),
    svm: { bias: b64ToF32(o.svm.bias), ptr: b64ToI32(o.svm.ptr), cls: b64ToI32(o.svm.cls), w: b64ToF32(o.svm.w) },
    svmOwn: svmCfg && { cfg: svmCfg, ids: b64ToI32(o.svmIds), idf: b64ToF32(o.svmIdf) },
  });
  return model(core, o.coef, o.docs, opts);
}
