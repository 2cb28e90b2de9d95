import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedTransitions, STATUSES, transition, type Status } from './workflow.ts';

const at = new Date('2026-11-24T02:00:00Z');
const fresh = (status: Status, over: Partial<Parameters<typeof transition>[0]> = {}) => ({ status, firstResponseAt: null, resolvedAt: null, closedAt: null, reopenCount: 0, ...over });

describe('work order status workflow', () => {
  test('the normal path new → in_progress → pending_customer → resolved → closed', () => {
    let cur = fresh('new');
    for (const to of ['in_progress', 'pending_customer', 'in_progress', 'resolved', 'closed'] as const) {
      const r = transition(cur, to, at, true);
      assert.ok(r.ok, `${cur.status} → ${to}`);
      cur = r.next;
    }
    assert.equal(cur.status, 'closed');
    assert.equal(cur.resolvedAt, at);
    assert.equal(cur.closedAt, at);
  });

  test('illegal transitions are refused with the allowed ones', () => {
    assert.deepEqual(transition(fresh('new'), 'closed', at, true), { ok: false, from: 'new', to: 'closed', allowed: ['in_progress', 'pending_customer', 'resolved'] });
    assert.deepEqual(transition(fresh('closed'), 'resolved', at, true), { ok: false, from: 'closed', to: 'resolved', allowed: ['in_progress'] });
    assert.equal(transition(fresh('in_progress'), 'in_progress', at, true).ok, false, 'no transition to the same status');
    assert.equal(transition(fresh('pending_customer'), 'new', at, true).ok, false, 'nothing goes back to new');
    // Every status has a way on, and only resolved/closed lead back to in_progress as a reopen.
    for (const s of STATUSES) assert.ok(allowedTransitions(s).length > 0);
  });

  test('reopen from resolved or closed clears the resolution and counts the reopen', () => {
    const resolved = fresh('resolved', { resolvedAt: at, firstResponseAt: at });
    const later = new Date(at.getTime() + 3600_000);
    const r = transition(resolved, 'in_progress', later, true);
    assert.ok(r.ok);
    assert.equal(r.reopen, true);
    assert.deepEqual(r.next, { status: 'in_progress', firstResponseAt: at, resolvedAt: null, closedAt: null, reopenCount: 1 });
    const c = transition(fresh('closed', { resolvedAt: at, closedAt: at, reopenCount: 1 }), 'in_progress', later, true);
    assert.ok(c.ok && c.reopen && c.next.reopenCount === 2 && c.next.closedAt === null);
    const notReopen = transition(fresh('pending_customer'), 'in_progress', later, true);
    assert.ok(notReopen.ok && !notReopen.reopen);
  });

  test("a staff member's status change is the first response; the system's is not", () => {
    const byStaff = transition(fresh('new'), 'in_progress', at, true);
    assert.ok(byStaff.ok && byStaff.next.firstResponseAt === at);
    const bySystem = transition(fresh('new'), 'in_progress', at, false);
    assert.ok(bySystem.ok && bySystem.next.firstResponseAt === null);
    const earlier = new Date(at.getTime() - 60_000);
    const kept = transition(fresh('in_progress', { firstResponseAt: earlier }), 'resolved', at, true);
    assert.ok(kept.ok && kept.next.firstResponseAt === earlier, 'the first response is kept');
  });
});
