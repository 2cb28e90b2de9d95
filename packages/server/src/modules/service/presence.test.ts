import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryCoordination } from '../../platform/coordination.ts';
import { PresenceService } from './presence.ts';

function setup() {
  let now = Date.parse('2026-03-02T02:00:00Z');
  const clock = { now: () => new Date(now) };
  const p = new PresenceService(new InMemoryCoordination(), clock, { ttlMs: 60_000, idleMs: 10 * 60_000 });
  return { p, advance: (ms: number) => { now += ms; } };
}

test('presence: online while heartbeating, away after idle time, back online on activity', async () => {
  const { p, advance } = setup();
  assert.equal(await p.get('t', 'u'), 'offline');
  assert.equal(await p.beat('t', 'u', 's1', true), 'online');
  advance(9 * 60_000);
  assert.equal(await p.beat('t', 'u', 's1', false), 'online', 'a heartbeat is not activity');
  advance(2 * 60_000);
  assert.equal(await p.beat('t', 'u', 's1', false), 'away', 'idle for 11 minutes');
  assert.equal((await p.getMany('t', ['u', 'x'])).get('u'), 'away');
  assert.equal(await p.beat('t', 'u', 's1', true), 'online', 'activity brings them back');
});

test('presence: the chosen state wins and survives a reconnect; offline stays offline while connected', async () => {
  const { p } = setup();
  await p.beat('t', 'u', 's1', true);
  assert.equal(await p.choose('t', 'u', 'busy'), 'busy');
  assert.equal(await p.beat('t', 'u', 's1', true), 'busy');
  assert.equal(await p.disconnect('t', 'u', 's1'), true, 'the last socket');
  assert.equal(await p.get('t', 'u'), 'offline');
  assert.equal(await p.beat('t', 'u', 's2', true), 'busy', 'a reload restores the chosen state');
  await p.choose('t', 'u', 'offline');
  assert.equal(await p.beat('t', 'u', 's2', true), 'offline');
  assert.equal(await p.get('t', 'u'), 'offline');
});

test('presence: closing one of two tabs keeps the agent present', async () => {
  const { p } = setup();
  await p.beat('t', 'u', 'tab1', true);
  await p.beat('t', 'u', 'tab2', true);
  assert.equal(await p.disconnect('t', 'u', 'tab1'), false);
  assert.equal(await p.get('t', 'u'), 'online');
  assert.equal(await p.disconnect('t', 'u', 'tab2'), true);
  assert.equal(await p.get('t', 'u'), 'offline');
});
