import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CALENDAR } from './business-hours.ts';
import { slaDueTimes, slaTarget } from './sla.ts';

const bj = (s: string) => new Date(`${s}+08:00`);

describe('SLA targets', () => {
  const policy = { firstResponseMinutes: { urgent: 30, normal: 240 }, resolutionMinutes: { urgent: 240, normal: 1080 } };

  test('due times in business time, per priority; a priority without a target has none', () => {
    // Friday 17:00: 30 business minutes is 17:30; 240 is Monday 12:00; 1080 (two working days) is Tuesday 17:00.
    const from = bj('2026-11-27T17:00:00');
    const urgent = slaDueTimes(policy, 'urgent', from, DEFAULT_CALENDAR);
    assert.equal(urgent.firstResponseDue?.toISOString(), bj('2026-11-27T17:30:00').toISOString());
    assert.equal(urgent.resolutionDue?.toISOString(), bj('2026-11-30T12:00:00').toISOString());
    assert.equal(slaDueTimes(policy, 'normal', from, DEFAULT_CALENDAR).resolutionDue?.toISOString(), bj('2026-12-01T17:00:00').toISOString());
    assert.deepEqual(slaDueTimes(policy, 'low', from, DEFAULT_CALENDAR), { firstResponseDue: null, resolutionDue: null });
  });

  test('a target is pending, met, breached when overdue, and breached when done late', () => {
    const due = bj('2026-11-27T17:30:00');
    assert.deepEqual(slaTarget(due, null, bj('2026-11-27T17:10:00')), { dueAt: due, state: 'pending', breached: false, remainingMinutes: 20 });
    assert.deepEqual(slaTarget(due, null, bj('2026-11-27T17:45:00')), { dueAt: due, state: 'breached', breached: true, remainingMinutes: -15 });
    assert.deepEqual(slaTarget(due, bj('2026-11-27T17:29:00'), bj('2026-11-30T10:00:00')), { dueAt: due, state: 'met', breached: false, remainingMinutes: null });
    assert.deepEqual(slaTarget(due, bj('2026-11-27T17:31:00'), bj('2026-11-30T10:00:00')), { dueAt: due, state: 'breached', breached: true, remainingMinutes: null });
    assert.deepEqual(slaTarget(null, null, due), { dueAt: null, state: 'none', breached: false, remainingMinutes: null });
  });
});
