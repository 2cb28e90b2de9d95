import { normalize, stemEnglish } from '../text/index.ts';

/**
 * Clustering of customer questions the robot could not answer well (Chinese and English), for knowledge operators.
 *
 * Features: Han character bigrams (a lone Han character counts as itself) for Chinese, stemmed word tokens without
 * stop words for English (both in mixed text). Weights: TF-IDF over the questions being clustered, L2-normalised.
 * Grouping: identical normalised questions first; then a greedy single pass in a fixed order (most frequent first,
 * then text) that joins a question to the most similar cluster centroid when the cosine reaches the threshold, else
 * opens a new cluster. Candidate clusters come from an inverted index of centroid terms, so a few thousand
 * questions take milliseconds. Same input, same clusters.
 */

export type ClusterInput = { id: string; text: string; at: Date; score?: number | null };

export type ClusterMember = {
  /** The question as first asked (one of the identical questions). */
  text: string;
  normalized: string;
  count: number;
  ids: string[];
  lastAt: Date;
};

export type QuestionCluster = {
  /** Stable while the cluster's representative question is open: the smallest id of its identical questions. */
  key: string;
  representative: string;
  /** Questions in the cluster, counting repeats. */
  count: number;
  members: ClusterMember[];
  lastAt: Date;
  /** Mean matcher score of the questions that have one (how close the robot came). */
  avgScore: number | null;
  lang: 'zh' | 'en';
};

export type ClusterOptions = { threshold?: number };

/** Cosine similarity at or above which a question joins a cluster. */
export const DEFAULT_CLUSTER_THRESHOLD = 0.42;

const EN_STOP = new Set(
  ('a an the and or but if of to in on at for from by with about as into is are was were be been being am do does did ' +
    'can could will would shall should may might must i me my we our you your he she it its they them their this that ' +
    'these those what which who whom how why when where there here please pls hi hello hey thanks thank any some ' +
    'have has had get got not no yes so just also than then too very').split(' '),
);
/** Chinese function words and question particles, removed before making bigrams. */
const ZH_STOP = /请问|怎么样|怎么办|怎么|如何|什么|为什么|为啥|咋样|咋|能不能|可不可以|可以|我们|你们|[的了吗呢吧啊呀么嘛哦哈我你您]/gu;
const HAN = /\p{Script=Han}/u;

/** The terms of one question (not weighted). */
export function questionTerms(text: string): string[] {
  const norm = normalize(text).toLowerCase();
  const terms: string[] = [];
  // Runs of Han characters and runs of Latin letters/digits.
  for (const m of norm.matchAll(/\p{Script=Han}+|[a-z0-9']+/gu)) {
    const run = m[0];
    if (HAN.test(run[0])) {
      const core = run.replace(ZH_STOP, '') || run;
      const chars = [...core];
      if (chars.length === 1) terms.push(chars[0]);
      for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i] + chars[i + 1]);
    } else {
      const w = run.replace(/'s$/, '').replace(/'/g, '');
      if (!w || EN_STOP.has(w)) continue;
      terms.push(/^\d+$/.test(w) ? w : stem(w));
    }
  }
  return terms;
}

/** The shared light stemmer, plus -ing/-ed and a final -e, so that exchange/exchanging/exchanged are one term. */
function stem(w: string): string {
  let s = stemEnglish(w);
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  return s;
}

type Vec = Map<string, number>;

function unit(v: Vec): Vec {
  let n = 0;
  for (const x of v.values()) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (const [k, x] of v) v.set(k, x / n);
  return v;
}

function dot(a: Vec, b: Vec): number {
  const [s, l] = a.size <= b.size ? [a, b] : [b, a];
  let d = 0;
  for (const [k, x] of s) {
    const y = l.get(k);
    if (y !== undefined) d += x * y;
  }
  return d;
}

type Group = { normalized: string; text: string; ids: string[]; count: number; lastAt: Date; scores: number[]; terms: string[]; vec: Vec };

/** Groups and clusters the questions; clusters ranked by size (then most recent, then key). */
export function clusterQuestions(items: ClusterInput[], opts: ClusterOptions = {}): QuestionCluster[] {
  const threshold = opts.threshold ?? DEFAULT_CLUSTER_THRESHOLD;
  // 1. Identical questions (after normalisation, ignoring punctuation and spaces) are one group.
  const byNorm = new Map<string, Group>();
  const sorted = [...items].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1));
  for (const it of sorted) {
    const normalized = normalize(it.text).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
    if (!normalized) continue;
    let g = byNorm.get(normalized);
    if (!g) byNorm.set(normalized, (g = { normalized, text: it.text.trim(), ids: [], count: 0, lastAt: it.at, scores: [], terms: questionTerms(it.text), vec: new Map() }));
    g.ids.push(it.id);
    g.count++;
    if (it.at > g.lastAt) g.lastAt = it.at;
    if (typeof it.score === 'number') g.scores.push(it.score);
  }
  const groups = [...byNorm.values()];
  // 2. TF-IDF over the groups (a repeated question does not make its own words common).
  const df = new Map<string, number>();
  for (const g of groups) for (const t of new Set(g.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = groups.length;
  for (const g of groups) {
    for (const t of g.terms) g.vec.set(t, (g.vec.get(t) ?? 0) + 1);
    for (const [t, tf] of g.vec) g.vec.set(t, (1 + Math.log(tf)) * (Math.log((n + 1) / ((df.get(t) ?? 0) + 1)) + 1));
    unit(g.vec);
  }
  // 3. Greedy assignment, most frequent first.
  groups.sort((a, b) => b.count - a.count || (a.normalized < b.normalized ? -1 : a.normalized > b.normalized ? 1 : 0));
  type C = { sum: Vec; centroid: Vec; groups: Group[] };
  const clusters: C[] = [];
  const index = new Map<string, Set<number>>();
  for (const g of groups) {
    let best = -1;
    let bestSim = 0;
    if (g.vec.size) {
      const cands = new Set<number>();
      for (const t of g.vec.keys()) for (const c of index.get(t) ?? []) cands.add(c);
      for (const c of [...cands].sort((a, b) => a - b)) {
        const s = dot(g.vec, clusters[c].centroid);
        if (s > bestSim) [best, bestSim] = [c, s];
      }
    }
    if (best >= 0 && bestSim >= threshold) {
      const c = clusters[best];
      c.groups.push(g);
      for (const [t, x] of g.vec) c.sum.set(t, (c.sum.get(t) ?? 0) + x * g.count);
      c.centroid = unit(new Map(c.sum));
      for (const t of g.vec.keys()) (index.get(t) ?? index.set(t, new Set()).get(t)!).add(best);
    } else {
      const sum: Vec = new Map([...g.vec].map(([t, x]) => [t, x * g.count]));
      clusters.push({ sum, centroid: unit(new Map(sum)), groups: [g] });
      for (const t of g.vec.keys()) (index.get(t) ?? index.set(t, new Set()).get(t)!).add(clusters.length - 1);
    }
  }
  // 4. Output: the representative is the most frequent question, ties to the one closest to the centroid.
  const out = clusters.map((c): QuestionCluster => {
    const rep = [...c.groups].sort((a, b) => b.count - a.count || dot(b.vec, c.centroid) - dot(a.vec, c.centroid) || a.text.length - b.text.length)[0];
    const scores = c.groups.flatMap((g) => g.scores);
    const members = [...c.groups].sort((a, b) => b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime() || (a.normalized < b.normalized ? -1 : 1));
    return {
      key: [...rep.ids].sort()[0],
      representative: rep.text,
      count: c.groups.reduce((s, g) => s + g.count, 0),
      members: members.map((g) => ({ text: g.text, normalized: g.normalized, count: g.count, ids: g.ids, lastAt: g.lastAt })),
      lastAt: new Date(Math.max(...c.groups.map((g) => g.lastAt.getTime()))),
      avgScore: scores.length ? Math.round((scores.reduce((s, x) => s + x, 0) / scores.length) * 1000) / 1000 : null,
      lang: HAN.test(rep.text) ? 'zh' : 'en',
    };
  });
  return out.sort((a, b) => b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime() || (a.key < b.key ? -1 : 1));
}
