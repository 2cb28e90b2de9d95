/**
 * What the training pairs already settle. Questions are keyed by their content characters; questions known to be
 * equivalent (transitively, through labelled positives) share a cluster, and clusters a labelled negative separates
 * are recorded. A later pair of two known questions is then answered from that record, as a knowledge operator
 * would expect after labelling it, instead of from a generalisation that may disagree with the label.
 */
import type { Pair } from './index.ts';
import { UnionFind } from './augment.ts';

export type PairMemory = { cluster: Map<string, number>; apart: Set<string> };

const edge = (x: number, y: number) => (x < y ? `${x},${y}` : `${y},${x}`);

export function buildPairMemory(pairs: Pair[], key: (s: string) => string): PairMemory {
  const uf = new UnionFind();
  const keyed = pairs.map((p) => ({ a: key(p.a), b: key(p.b), label: p.label })).filter((p) => p.a && p.b);
  for (const p of keyed) { uf.find(p.a); uf.find(p.b); if (p.label === 1) uf.union(p.a, p.b); }
  const roots = new Map<string, number>();
  const cluster = new Map<string, number>();
  for (const p of keyed) for (const s of [p.a, p.b]) {
    const r = uf.find(s);
    if (!roots.has(r)) roots.set(r, roots.size);
    cluster.set(s, roots.get(r)!);
  }
  const apart = new Set<string>();
  const contradicted = new Set<number>();
  for (const p of keyed) {
    if (p.label === 1) continue;
    const x = cluster.get(p.a)!;
    const y = cluster.get(p.b)!;
    if (x === y) contradicted.add(x);
    else apart.add(edge(x, y));
  }
  // A cluster whose own labels disagree is not trusted for either answer.
  for (const c of contradicted) for (const [s, x] of cluster) if (x === c) cluster.delete(s);
  return { cluster, apart };
}

/** 1: known equivalent, 0: known different, undefined: not settled by training. */
export function recall(m: PairMemory, ka: string, kb: string): 0 | 1 | undefined {
  const x = m.cluster.get(ka);
  const y = m.cluster.get(kb);
  if (x === undefined || y === undefined) return undefined;
  if (x === y) return 1;
  return m.apart.has(edge(x, y)) ? 0 : undefined;
}

export function serializeMemory(m: PairMemory): unknown {
  return { c: [...m.cluster], a: [...m.apart] };
}

export function deserializeMemory(o: unknown): PairMemory {
  const x = o as { c: [string, number][]; a: string[] };
  return { cluster: new Map(x.c), apart: new Set(x.a) };
}
