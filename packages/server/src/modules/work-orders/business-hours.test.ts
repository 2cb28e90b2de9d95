import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addBusinessMinutes, businessMinutesBetween, calendarProblems, DEFAULT_CALENDAR, isOpenAt, localDate, type BusinessCalendar } from './business-hours.ts';

/** An instant written as Beijing wall time. */
const bj = (s: string) => new Date(`${s}+08:00`);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const cal = (over: Partial<BusinessCalendar> = {}): BusinessCalendar => ({ ...DEFAULT_CALENDAR, ...over });

// 2026-11-23 is a Monday; 2026-11-27 a Friday.
describe('adding business minutes (Asia/Shanghai, Mon–Fri 09:00–18:00)', () => {
  test('within one open interval', () => {
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-23T10:00:00'), 60)), iso(bj('2026-11-23T11:00:00')));
  });

  test('a target that uses up the day ends at closing time, not the next morning', () => {
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-23T17:00:00'), 60)), iso(bj('2026-11-23T18:00:00')));
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-23T17:00:00'), 61)), iso(bj('2026-11-24T09:01:00')));
  });

  test('the weekend does not count: Friday 17:00 + 2 h is Monday 10:00', () => {
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-27T17:00:00'), 120)), iso(bj('2026-11-30T10:00:00')));
  });

  test('a start outside hours counts from the next opening (night, Saturday)', () => {
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-23T22:30:00'), 30)), iso(bj('2026-11-24T09:30:00')));
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-28T11:00:00'), 30)), iso(bj('2026-11-30T09:30:00')));
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-24T06:00:00'), 30)), iso(bj('2026-11-24T09:30:00')));
  });

  test('a multi-day target: 3 working days of 9 hours from Thursday morning end on Monday evening', () => {
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-26T09:00:00'), 3 * 540)), iso(bj('2026-11-30T18:00:00')));
  });

  test('holidays are skipped; a special day (调休 Sunday) is worked with its own hours', () => {
    // National Day: 2026-10-01..07 closed; Sunday 2026-09-27 worked 09:00–17:00.
    const national = cal({
      holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
      specialDays: [{ date: '2026-09-27', intervals: [{ start: '09:00', end: '17:00' }], note: '调休上班' }],
    });
    assert.equal(iso(addBusinessMinutes(national, bj('2026-09-30T17:30:00'), 60)), iso(bj('2026-10-08T09:30:00')));
    assert.equal(iso(addBusinessMinutes(national, bj('2026-09-26T12:00:00'), 60)), iso(bj('2026-09-27T10:00:00')));
    assert.equal(iso(addBusinessMinutes(national, bj('2026-09-27T16:30:00'), 60)), iso(bj('2026-09-28T09:30:00')), 'the special day closes at 17:00');
  });

  test('a lunch break splits the day', () => {
    const lunch = cal({ weekly: { ...DEFAULT_CALENDAR.weekly, mon: [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }] } });
    assert.equal(iso(addBusinessMinutes(lunch, bj('2026-11-23T11:30:00'), 60)), iso(bj('2026-11-23T14:00:00')));
  });

  test('across midnight: a night shift written as 22:00–24:00 and 00:00–06:00', () => {
    const nights: BusinessCalendar['weekly'] = { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] };
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) nights[d] = [{ start: '00:00', end: '06:00' }, { start: '22:00', end: '24:00' }];
    const c = cal({ weekly: nights });
    assert.equal(iso(addBusinessMinutes(c, bj('2026-11-23T23:30:00'), 60)), iso(bj('2026-11-24T00:30:00')));
    assert.equal(businessMinutesBetween(c, bj('2026-11-23T23:00:00'), bj('2026-11-24T01:00:00')), 120);
    // Friday night's shift ends at midnight; Saturday is closed; Monday 00:00 opens again.
    assert.equal(iso(addBusinessMinutes(c, bj('2026-11-27T23:30:00'), 60)), iso(bj('2026-11-30T00:30:00')));
  });

  test('round the clock: 24:00 as an end, every day open', () => {
    const always = { start: '00:00', end: '24:00' };
    const c = cal({ weekly: { sun: [always], mon: [always], tue: [always], wed: [always], thu: [always], fri: [always], sat: [always] } });
    assert.equal(iso(addBusinessMinutes(c, bj('2026-11-28T23:00:00'), 180)), iso(bj('2026-11-29T02:00:00')));
  });

  test('zero minutes is the start itself; a calendar with no open time gives null', () => {
    assert.equal(iso(addBusinessMinutes(cal(), bj('2026-11-28T11:00:00'), 0)), iso(bj('2026-11-28T11:00:00')));
    const closed = cal({ weekly: { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } });
    assert.equal(addBusinessMinutes(closed, bj('2026-11-23T10:00:00'), 10), null);
  });
});

describe('time zones', () => {
  test("the same weekly hours mean different instants in the tenant's zone", () => {
    const london = cal({ timeZone: 'Europe/London' });
    // Monday 2026-11-23 09:00 London (UTC+0 in winter) is 17:00 in Beijing.
    assert.equal(iso(addBusinessMinutes(london, new Date('2026-11-23T08:00:00Z'), 30)), '2026-11-23T09:30:00.000Z');
    assert.equal(iso(addBusinessMinutes(cal(), new Date('2026-11-23T08:00:00Z'), 30)), '2026-11-23T08:30:00.000Z', 'Beijing: 16:00 + 30 min');
    assert.equal(iso(addBusinessMinutes(cal(), new Date('2026-11-23T09:30:00Z'), 60)), iso(bj('2026-11-24T09:30:00')), 'Beijing 17:30 + 1 h runs into the next morning');
  });

  test('a daylight-saving change: the spring-forward Sunday in New York has 23 hours', () => {
    const always = { start: '00:00', end: '24:00' };
    const ny = cal({ timeZone: 'America/New_York', weekly: { sun: [always], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } });
    // 2026-03-08 00:00 EST = 05:00Z; 2026-03-09 00:00 EDT = 04:00Z.
    assert.equal(businessMinutesBetween(ny, new Date('2026-03-07T12:00:00Z'), new Date('2026-03-09T12:00:00Z')), 23 * 60);
    assert.equal(iso(addBusinessMinutes(ny, new Date('2026-03-08T05:00:00Z'), 23 * 60)), '2026-03-09T04:00:00.000Z');
  });

  test('the local date of an instant', () => {
    assert.equal(localDate('Asia/Shanghai', new Date('2026-11-23T16:30:00Z')), '2026-11-24');
    assert.equal(localDate('Europe/London', new Date('2026-11-23T16:30:00Z')), '2026-11-23');
  });
});

describe('elapsed business minutes', () => {
  test('over a weekend, a holiday and outside hours', () => {
    assert.equal(businessMinutesBetween(cal(), bj('2026-11-27T17:00:00'), bj('2026-11-30T10:00:00')), 120);
    assert.equal(businessMinutesBetween(cal(), bj('2026-11-23T20:00:00'), bj('2026-11-24T08:00:00')), 0);
    assert.equal(businessMinutesBetween(cal({ holidays: ['2026-11-24'] }), bj('2026-11-23T17:00:00'), bj('2026-11-25T10:00:00')), 120);
    assert.equal(businessMinutesBetween(cal(), bj('2026-11-23T10:00:00'), bj('2026-11-23T10:00:30')), 0.5);
  });

  test('is zero when the end is not after the start', () => {
    assert.equal(businessMinutesBetween(cal(), bj('2026-11-24T10:00:00'), bj('2026-11-23T10:00:00')), 0);
  });

  test('adding then measuring gives back the minutes (many random starts and lengths)', () => {
    const c = cal({ holidays: ['2026-12-25'], specialDays: [{ date: '2026-12-26', intervals: [{ start: '10:00', end: '15:00' }] }] });
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const from = new Date(bj('2026-12-01T00:00:00').getTime() + Math.floor(rnd() * 40 * 86400_000));
      const n = Math.floor(rnd() * 5000);
      const due = addBusinessMinutes(c, from, n)!;
      assert.equal(businessMinutesBetween(c, from, due), n, `from ${from.toISOString()} + ${n}`);
    }
  });

  test('open or closed at an instant', () => {
    assert.equal(isOpenAt(cal(), bj('2026-11-23T09:00:00')), true);
    assert.equal(isOpenAt(cal(), bj('2026-11-23T18:00:00')), false);
    assert.equal(isOpenAt(cal(), bj('2026-11-28T10:00:00')), false);
  });
});

describe('calendar validation', () => {
  test('every problem at once', () => {
    const problems = calendarProblems({
      timeZone: 'Mars/Olympus',
      weekly: { ...DEFAULT_CALENDAR.weekly, mon: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '18:00' }], tue: [{ start: '18:00', end: '09:00' }], wed: [{ start: '9:00', end: '25:00' }] },
      holidays: ['2026-02-30', '2026-10-01', '2026-10-01'],
      specialDays: [{ date: '2026-10-01', intervals: [] }],
    });
    assert.deepEqual(problems, [
      'timeZone: unknown time zone "Mars/Olympus"',
      'weekly.mon[1]: overlaps or is before the previous interval (keep intervals sorted)',
      "weekly.tue[0]: ends (09:00) before it starts (18:00); split a shift across midnight into two days' intervals",
      'weekly.wed[0]: times are HH:MM (00:00–23:59; an end may be 24:00)',
      'holidays[0]: "2026-02-30" is not a date (YYYY-MM-DD)',
      'holidays[2]: 2026-10-01 is listed twice',
      'specialDays[0]: 2026-10-01 is also a holiday',
    ]);
    assert.deepEqual(calendarProblems(DEFAULT_CALENDAR), []);
    assert.deepEqual(calendarProblems(cal({ weekly: { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } })), ['weekly: at least one day must have open hours']);
  });
});
