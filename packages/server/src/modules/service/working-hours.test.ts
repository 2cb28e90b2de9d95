import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkingHours } from '@lingxi/contracts';
import { hoursProblems, isOpen, localTime } from './working-hours.ts';

const nineToSix = [{ start: '09:00', end: '18:00' }];
const weekdays: WorkingHours = { timeZone: 'Asia/Shanghai', weekly: { sun: [], mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [] } };

test('open within the intervals of the local weekday, in the group\'s time zone', () => {
  // 2026-03-02 is a Monday. 01:00 UTC = 09:00 in Shanghai.
  assert.equal(isOpen(weekdays, new Date('2026-03-02T01:00:00Z')), true);
  assert.equal(isOpen(weekdays, new Date('2026-03-02T00:59:00Z')), false, '08:59 local');
  assert.equal(isOpen(weekdays, new Date('2026-03-02T10:00:00Z')), false, '18:00 local: the end is exclusive');
  assert.equal(isOpen(weekdays, new Date('2026-03-06T16:30:00Z')), false, 'Saturday 00:30 local, still Friday in UTC');
  assert.deepEqual(localTime(new Date('2026-03-06T16:30:00Z'), 'Asia/Shanghai'), { day: 'sat', minute: 30 });
  assert.equal(isOpen({ ...weekdays, timeZone: 'Europe/London' }, new Date('2026-03-02T09:30:00Z')), true);
});

test('no schedule: always open; a night shift is two intervals', () => {
  assert.equal(isOpen(null, new Date()), true);
  const night: WorkingHours = { timeZone: 'UTC', weekly: { sun: [], mon: [{ start: '22:00', end: '24:00' }], tue: [{ start: '00:00', end: '06:00' }], wed: [], thu: [], fri: [], sat: [] } };
  assert.equal(isOpen(night, new Date('2026-03-02T23:59:00Z')), true);
  assert.equal(isOpen(night, new Date('2026-03-03T05:59:00Z')), true);
  assert.equal(isOpen(night, new Date('2026-03-03T06:00:00Z')), false);
});

test('schedule problems are named', () => {
  assert.deepEqual(hoursProblems(weekdays), []);
  const bad: WorkingHours = { timeZone: 'Mars/Olympus', weekly: { ...weekdays.weekly, mon: [{ start: '18:00', end: '09:00' }], tue: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] } };
  const p = hoursProblems(bad);
  assert.equal(p.length, 3, p.join('\n'));
  assert.match(p[0], /time zone/);
  assert.match(p[1], /mon\[0\].*before it starts/);
  assert.match(p[2], /tue\[1\].*overlaps/);
});
