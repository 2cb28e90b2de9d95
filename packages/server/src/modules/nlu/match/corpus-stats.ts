/** Document frequencies learned from the training sentences: idf weights for words, characters and pinyin. */
import type { PairText } from './pair-text.ts';

export type CorpusStats = {
  nDocs: number;
  avgWords: number;
  avgChars: number;
  wordDf: Map<string, number>;
  charDf: Map<string, number>;
};

export function buildCorpusStats(texts: PairText[]): CorpusStats {
  const wordDf = new Map<string, number>();
  const charDf = new Map<string, number>();
  let w = 0;
  let c = 0;
  for (const t of texts) {
    for (const x of new Set(t.words)) wordDf.set(x, (wordDf.get(x) ?? 0) + 1);
    for (const x of new Set(t.chars)) charDf.set(x, (charDf.get(x) ?? 0) + 1);
    w += t.words.length;
    c += t.chars.length;
  }
  const n = Math.max(1, texts.length);
  return { nDocs: texts.length, avgWords: w / n || 1, avgChars: c / n || 1, wordDf, charDf };
}

export function idf(df: Map<string, number>, nDocs: number, term: string): number {
  // Smoothed so that unseen terms get the highest weight rather than infinity: a word never seen in training is
  // usually a specific entity, and a mismatch on it matters.
  const d = df.get(term) ?? 0;
  return Math.log((nDocs + 1) / (d + 0.5));
}

export function serializeStats(s: CorpusStats): unknown {
  return { n: s.nDocs, aw: s.avgWords, ac: s.avgChars, w: [...s.wordDf], c: [...s.charDf] };
}

export function deserializeStats(o: unknown): CorpusStats {
  const x = o as { n: number; aw: number; ac: number; w: [string, number][]; c: [string, number][] };
  return { nDocs: x.n, avgWords: x.aw, avgChars: x.ac, wordDf: new Map(x.w), charDf: new Map(x.c) };
}
