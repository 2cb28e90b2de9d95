import type { Category, SnapshotEntry, VersionDiff } from './kb-api.ts';

export type CategoryNode = Category & { children: CategoryNode[] };

/** Flat categories → tree, siblings by sort then name (as the server orders them). */
export function categoryTree(cats: Category[]): CategoryNode[] {
  const nodes = new Map(cats.map((c) => [c.id, { ...c, children: [] as CategoryNode[] }]));
  const roots: CategoryNode[] = [];
  for (const n of nodes.values()) (n.parentId && nodes.has(n.parentId) ? nodes.get(n.parentId)!.children : roots).push(n);
  const order = (xs: CategoryNode[]) => {
    xs.sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name));
    xs.forEach((x) => order(x.children));
    return xs;
  };
  return order(roots);
}

/** Entries in a category and all of its sub-categories. */
export function subtreeCount(node: CategoryNode): number {
  return node.entryCount + node.children.reduce((n, c) => n + subtreeCount(c), 0);
}

/**
 * Where a drag in the tree puts a category: dropped onto a node (not in a gap) = its first child; in the gap
 * before/after a node = that node's sibling just before/after it. The position counts the new siblings without the
 * dragged category (what POST categories/:id/move expects).
 */
export function dropPlacement(cats: Category[], dragId: string, targetId: string, dropToGap: boolean, after: boolean): { parentId: string | null; position: number } {
  if (!dropToGap) return { parentId: targetId, position: 0 };
  const target = cats.find((c) => c.id === targetId);
  const parentId = target?.parentId ?? null;
  const siblings = categoryTree(cats.filter((c) => c.id !== dragId));
  const list = parentId ? findNode(siblings, parentId)?.children ?? [] : siblings;
  const idx = list.findIndex((c) => c.id === targetId);
  return { parentId, position: idx < 0 ? list.length : idx + (after ? 1 : 0) };
}

function findNode(nodes: CategoryNode[], id: string): CategoryNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const f = findNode(n.children, id);
    if (f) return f;
  }
  return undefined;
}

/** Pasted text → similar questions: one per line, trimmed, blank lines and duplicates dropped, order kept. */
export function splitLines(text: string, existing: string[] = []): string[] {
  const out = [...existing];
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

export type DiffRow = { id: string; kind: 'added' | 'removed' | 'changed'; before: SnapshotEntry | null; after: SnapshotEntry | null; fields: string[] };

const FIELDS: (keyof SnapshotEntry)[] = ['question', 'similar', 'answer', 'category', 'tags', 'validFrom', 'validTo'];

/** The rows of a side-by-side diff: each added, removed and changed entry with both sides and what changed. */
export function diffRows(diff: VersionDiff, from: SnapshotEntry[], to: SnapshotEntry[]): DiffRow[] {
  const a = new Map(from.map((e) => [e.id, e]));
  const b = new Map(to.map((e) => [e.id, e]));
  const changedFields = (x: SnapshotEntry, y: SnapshotEntry) => {
    const f = FIELDS.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
    return f.length ? f : ['other'];
  };
  return [
    ...diff.added.map((id): DiffRow => ({ id, kind: 'added', before: null, after: b.get(id) ?? null, fields: [] })),
    ...diff.removed.map((id): DiffRow => ({ id, kind: 'removed', before: a.get(id) ?? null, after: null, fields: [] })),
    ...diff.changed.map((id): DiffRow => ({ id, kind: 'changed', before: a.get(id) ?? null, after: b.get(id) ?? null, fields: a.get(id) && b.get(id) ? changedFields(a.get(id)!, b.get(id)!) : [] })),
  ];
}
