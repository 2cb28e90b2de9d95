/**
 * Training pairs from a knowledge base: questions of the same FAQ entry (standard + similar questions) are
 * positives; negatives are drawn from other entries, preferring the lexically closest ones, because those are the
 * confusions a re-ranker exists to resolve ("信用卡怎么激活" vs "信用卡怎么挂失"), while random negatives are trivial.
 */
import type { Pair } from './index.ts';
import { mulberry32 } from './sparse-model.ts';

export type FaqPairOptions = { maxPositivesPerEntry?: number; negativesPerQuestion?: number; seed?: number };

function charSet(s: string): Set<string> {
  return new Set(Array.from(s.normalize('NFKC').toLowerCase()).filter((c) => /[\p{L}\p{N}]/u.test(c)));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union ? inter / union : 0;
}

/** groups: one array of questions per FAQ entry. */
export function pairsFromGroups(groups: string[][], opts: FaqPairOptions = {}): Pair[] {
  const rnd = mulberry32(opts.seed ?? 1);
  const maxPos = opts.maxPositivesPerEntry ?? 50;
  const negPer = opts.negativesPerQuestion ?? 2;
  const items = groups.flatMap((g, gi) => [...new Set(g.filter((q) => q.trim()))].map((q) => ({ q, gi, set: charSet(q) })));
  const out: Pair[] = [];
  const byGroup = new Map<number, typeof items>();
  for (const it of items) {
    const list = byGroup.get(it.gi) ?? [];
    list.push(it);
    byGroup.set(it.gi, list);
  }
  for (const list of byGroup.values()) {
    const pos: Pair[] = [];
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pos.push({ a: list[i].q, b: list[j].q, label: 1 });
    for (let i = pos.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [pos[i], pos[j]] = [pos[j], pos[i]]; }
    out.push(...pos.slice(0, maxPos));
  }
  // Hard negatives from a random sample of other-entry questions (bounded work for large knowledge bases).
  for (const it of items) {
    const sample: typeof items = [];
    for (let k = 0; k < 40 && items.length > 1; k++) {
      const o = items[Math.floor(rnd() * items.length)];
      if (o.gi !== it.gi) sample.push(o);
    }
    sample.sort((x, y) => jaccard(it.set, y.set) - jaccard(it.set, x.set));
    const seen = new Set<string>();
    for (const o of sample) {
      if (seen.size >= negPer) break;
      if (seen.has(o.q)) continue;
      seen.add(o.q);
      out.push({ a: it.q, b: o.q, label: 0 });
    }
  }
  return out;
}
