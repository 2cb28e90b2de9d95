import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conversationsUrl, dayRange, intentDrill } from './drill.ts';

test('a day range becomes Shanghai midnights, the last day included', () => {
  assert.deepEqual(dayRange('2026-11-01', '2026-11-30'), { from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });
  assert.deepEqual(dayRange('2026-12-31', '2026-12-31'), { from: '2026-12-31T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' });
});

test('the conversations URL carries the range and only the given filters', () => {
  const url = conversationsUrl({ from: '2026-11-24', to: '2026-11-24' }, { outcome: 'handoff', channel: 'web', agent: 'u1', rating: undefined });
  const [path, qs] = url.split('?');
  assert.equal(path, '/conversations');
  const p = new URLSearchParams(qs);
  assert.equal(p.get('from'), '2026-11-24T00:00:00+08:00');
  assert.equal(p.get('to'), '2026-11-25T00:00:00+08:00');
  assert.equal(p.get('outcome'), 'handoff');
  assert.equal(p.get('channel'), 'web');
  assert.equal(p.get('agent'), 'u1');
  assert.equal(p.has('rating'), false);
});

test('intent bars drill by outcome or by flow id', () => {
  assert.deepEqual(intentDrill('fallback'), { outcome: 'fallback' });
  assert.deepEqual(intentDrill('clarify'), { outcome: 'clarify' });
  assert.deepEqual(intentDrill('handoff_request'), { outcome: 'handoff' });
  assert.deepEqual(intentDrill('flow:transfer'), { intent: 'flow:transfer' });
  assert.deepEqual(intentDrill('greeting'), {});
});
