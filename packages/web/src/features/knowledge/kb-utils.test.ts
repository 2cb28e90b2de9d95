import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categoryTree, diffRows, dropPlacement, splitLines, subtreeCount } from './kb-utils.ts';
import type { Category, SnapshotEntry } from './kb-api.ts';

const cat = (id: string, parentId: string | null, sort: number, entryCount = 0): Category => ({ id, parentId, name: id, sort, path: id, entryCount });
const cats = [cat('a', null, 0, 1), cat('b', null, 1), cat('a1', 'a', 1, 2), cat('a0', 'a', 0, 3), cat('a2', 'a', 2)];

describe('knowledge console helpers', () => {
  it('builds the category tree in sort order and counts a subtree', () => {
    const t = categoryTree(cats);
    assert.deepEqual(t.map((n) => n.id), ['a', 'b']);
    assert.deepEqual(t[0].children.map((n) => n.id), ['a0', 'a1', 'a2']);
    assert.equal(subtreeCount(t[0]), 6);
  });

  it('turns a tree drop into parent and position among the new siblings', () => {
    assert.deepEqual(dropPlacement(cats, 'b', 'a1', false, false), { parentId: 'a1', position: 0 });
    assert.deepEqual(dropPlacement(cats, 'a2', 'a0', true, false), { parentId: 'a', position: 0 });
    assert.deepEqual(dropPlacement(cats, 'a0', 'a1', true, true), { parentId: 'a', position: 1 }, 'a1 moves up once a0 is taken out');
    assert.deepEqual(dropPlacement(cats, 'a1', 'b', true, true), { parentId: null, position: 2 });
    assert.deepEqual(dropPlacement(cats, 'b', 'a', true, false), { parentId: null, position: 0 });
  });

  it('splits pasted similar questions, one per line, without blanks or duplicates', () => {
    assert.deepEqual(splitLines('  卡丢了\r\n\n怎么挂失\n卡丢了\n', ['挂失']), ['挂失', '卡丢了', '怎么挂失']);
  });

  it('pairs both sides of changed entries and names the changed fields', () => {
    const e = (id: string, answer: string): SnapshotEntry => ({ id, category: null, question: id, similar: [], answer, tags: [], validFrom: null, validTo: null });
    const rows = diffRows({ from: 1, to: 2, added: ['n'], removed: ['o'], changed: ['c'], synonymsChanged: false }, [e('o', 'x'), e('c', 'old')], [e('n', 'y'), e('c', 'new')]);
    assert.deepEqual(rows.map((r) => [r.id, r.kind, r.fields]), [['n', 'added', []], ['o', 'removed', []], ['c', 'changed', ['answer']]]);
    assert.equal(rows[2].before?.answer, 'old');
    assert.equal(rows[2].after?.answer, 'new');
  });
});
