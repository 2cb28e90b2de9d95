import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filtersFromSearch, mergePreview, searchOfFilters } from './conversations-api.ts';

test('filters from a drill-down link: the known names only, empty values and a bad page ignored', () => {
  const f = filtersFromSearch('?from=2026-01-01T00%3A00%3A00.000Z&to=2026-01-02T00%3A00%3A00.000Z&channel=web&outcome=handoff&agent=&rating=4&bot=demo&intent=E1&q=%E6%8C%82%E5%A4%B1&customer=138&x=1&page=abc');
  assert.deepEqual(f, { page: 1, from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z', channel: 'web', outcome: 'handoff', rating: '4', bot: 'demo', intent: 'E1', q: '挂失', customer: '138' });
  assert.equal(filtersFromSearch('?page=3').page, 3);
});

test('filters round-trip through the query string in a stable order; page 1 left out', () => {
  const f = { page: 2, outcome: 'robot', q: 'zebra fox' };
  assert.equal(searchOfFilters(f), 'q=zebra+fox&outcome=robot&page=2');
  assert.deepEqual(filtersFromSearch(searchOfFilters(f)), f);
  assert.equal(searchOfFilters({ page: 1 }), '');
});

test('merge preview: survivor name, each identity once, conversations added', () => {
  const a = { id: 'a', displayName: null, createdAt: '', conversations: 2, identities: [{ kind: 'phone', value: '136****1111', verified: false }] };
  const b = { id: 'b', displayName: '张*', createdAt: '', conversations: 3, identities: [{ kind: 'phone', value: '136****1111', verified: false }, { kind: 'email', value: 'z***@x.cn', verified: true }] };
  assert.deepEqual(mergePreview(a, b), { id: 'a', displayName: '张*', conversations: 5, identities: [a.identities[0], b.identities[1]] });
});
