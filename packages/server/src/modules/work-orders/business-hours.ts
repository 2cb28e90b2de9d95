import { z } from 'zod';

/**
 * Business time (工作时间) of a tenant: a weekly schedule in the tenant's time zone, holidays (closed all day) and
 * special days whose hours replace the weekly ones (调休: a Saturday worked instead of a holiday, or a shortened
 * day). SLA targets are counted in business minutes over this calendar. Pure functions, no I/O.
 *
 * A shift across midnight is written as two intervals (22:00–24:00 on one day, 00:00–06:00 on the next); `24:00`
 * is allowed as an interval's end.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Interval = { start: string; end: string };
export type SpecialDay = { date: string; intervals: Interval[]; note?: string };
export type BusinessCalendar = {
  timeZone: string;
  weekly: Record<Weekday, Interval[]>;
  holidays: string[];
  specialDays: SpecialDay[];
};

const nineToSix = (): Interval[] => [{ start: '09:00', end: '18:00' }];
/** When a tenant has not set its hours: Beijing time, Monday to Friday 09:00–18:00, no holidays. */
export const DEFAULT_CALENDAR: BusinessCalendar = Object.freeze({
  timeZone: 'Asia/Shanghai',
  weekly: { sun: [], mon: nineToSix(), tue: nineToSix(), wed: nineToSix(), thu: nineToSix(), fri: nineToSix(), sat: [] },
  holidays: [],
  specialDays: [],
});

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isValidDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Problems of a list of intervals: each well-formed, start before end, sorted and not overlapping. */
function intervalProblems(list: Interval[], where: string): string[] {
  const out: string[] = [];
  let prevEnd = -1;
  for (const [i, iv] of list.entries()) {
    if (!HHMM.test(iv.start) || !HHMM.test(iv.end) || iv.start === '24:00') {
      out.push(`${where}[${i}]: times are HH:MM (00:00–23:59; an end may be 24:00)`);
      continue;
    }
    const s = minuteOf(iv.start);
    const e = minuteOf(iv.end);
    if (e <= s) out.push(`${where}[${i}]: ends (${iv.end}) before it starts (${iv.start}); split a shift across midnight into two days' intervals`);
    else if (s < prevEnd) out.push(`${where}[${i}]: overlaps or is before the previous interval (keep intervals sorted)`);
    prevEnd = Math.max(prevEnd, e);
  }
  return out;
}

const IntervalSchema = z.object({ start: z.string().max(5).describe('HH:MM'), end: z.string().max(5).describe('HH:MM, or 24:00') });
const Intervals = () => z.array(IntervalSchema).max(12).default([]);

/** The calendar as written by an administrator (PUT /api/v1/business-hours). */
export const BusinessCalendarInput = z.object({
  timeZone: z.string().min(1).max(64).default('Asia/Shanghai').describe('IANA time zone, e.g. Asia/Shanghai'),
  weekly: z.object({ sun: Intervals(), mon: Intervals(), tue: Intervals(), wed: Intervals(), thu: Intervals(), fri: Intervals(), sat: Intervals() })
    .describe('open intervals per weekday (sun..sat), local time; an empty list is a closed day'),
  holidays: z.array(z.string()).max(1000).default([]).describe('dates (YYYY-MM-DD, local) closed all day'),
  specialDays: z.array(z.object({ date: z.string(), intervals: z.array(IntervalSchema).max(12), note: z.string().max(100).optional() })).max(1000).default([])
    .describe('dates whose hours replace the weekly ones, e.g. 调休 working weekends (an empty list closes the day)'),
});

/** Every problem of a calendar at once (empty: valid). */
export function calendarProblems(c: BusinessCalendar): string[] {
  const out: string[] = [];
  if (!isValidTimeZone(c.timeZone)) out.push(`timeZone: unknown time zone "${c.timeZone}"`);
  for (const d of WEEKDAYS) out.push(...intervalProblems(c.weekly[d] ?? [], `weekly.${d}`));
  if (WEEKDAYS.every((d) => (c.weekly[d] ?? []).length === 0)) out.push('weekly: at least one day must have open hours');
  const seen = new Set<string>();
  for (const [i, h] of c.holidays.entries()) {
    if (!isValidDate(h)) out.push(`holidays[${i}]: "${h}" is not a date (YYYY-MM-DD)`);
    else if (seen.has(h)) out.push(`holidays[${i}]: ${h} is listed twice`);
    seen.add(h);
  }
  const special = new Set<string>();
  for (const [i, s] of c.specialDays.entries()) {
    if (!isValidDate(s.date)) out.push(`specialDays[${i}].date: "${s.date}" is not a date (YYYY-MM-DD)`);
    else if (special.has(s.date)) out.push(`specialDays[${i}]: ${s.date} is listed twice`);
    else if (seen.has(s.date)) out.push(`specialDays[${i}]: ${s.date} is also a holiday`);
    special.add(s.date);
    out.push(...intervalProblems(s.intervals, `specialDays[${i}].intervals`));
  }
  return out;
}

// ---- time zone arithmetic (Intl only; no tz database of our own) ----

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

type LocalParts = { y: number; m: number; d: number; hour: number; minute: number; second: number };
function localParts(tz: string, ms: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year, m: p.month, d: p.day, hour: p.hour === 24 ? 0 : p.hour, minute: p.minute, second: p.second };
}

/** The zone's offset from UTC at an instant, ms (Asia/Shanghai: +8h). */
function offsetAt(tz: string, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const l = localParts(tz, whole);
  return Date.UTC(l.y, l.m - 1, l.d, l.hour, l.minute, l.second) - whole;
}

/** The instant of a local wall time (minutes after local midnight of the day y-m-d; 1440 is the next midnight). */
function instantOf(tz: string, day: LocalDay, minute: number): number {
  const wall = Date.UTC(day.y, day.m - 1, day.d) + minute * 60_000;
  const first = wall - offsetAt(tz, wall);
  const second = wall - offsetAt(tz, first);
  return second;
}

type LocalDay = { y: number; m: number; d: number };
const dayKey = (day: LocalDay) => `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
const nextDay = (day: LocalDay): LocalDay => {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const weekdayOf = (day: LocalDay): Weekday => WEEKDAYS[new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay()];

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(tz: string, at: Date): string {
  const l = localParts(tz, at.getTime());
  return dayKey(l);
}

/** A calendar with its lookups prepared; build once per computation. */
type Compiled = { tz: string; weekly: Record<Weekday, [number, number][]>; holidays: Set<string>; special: Map<string, [number, number][]> };
const toMinutes = (list: Interval[]): [number, number][] => list.map((i) => [minuteOf(i.start), minuteOf(i.end)]);
function compile(c: BusinessCalendar): Compiled {
  return {
    tz: c.timeZone,
    weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, toMinutes(c.weekly[d] ?? [])])) as Record<Weekday, [number, number][]>,
    holidays: new Set(c.holidays),
    special: new Map(c.specialDays.map((s) => [s.date, toMinutes(s.intervals)])),
  };
}

/** The open intervals of one local day as instants [start, end) in ms. */
function openOn(c: Compiled, day: LocalDay): [number, number][] {
  const key = dayKey(day);
  const list = c.special.get(key) ?? (c.holidays.has(key) ? [] : c.weekly[weekdayOf(day)]);
  return list.map(([s, e]) => [instantOf(c.tz, day, s), instantOf(c.tz, day, e)]);
}

/** How far ahead (days) a computation looks for open time before giving up (a calendar open never). */
const HORIZON_DAYS = 5 * 366;

/**
 * The instant `minutes` business minutes after `from`. Time outside open hours does not count: a start at night
 * counts from the next opening, and a target that uses up an interval exactly ends at its close (18:00, not the next
 * morning). Zero minutes is `from` itself. Null when the calendar has no open time within five years.
 */
export function addBusinessMinutes(cal: BusinessCalendar, from: Date, minutes: number): Date | null {
  if (!(minutes > 0)) return new Date(from.getTime());
  const c = compile(cal);
  let remaining = Math.round(minutes * 60_000);
  const cursor = from.getTime();
  const l = localParts(c.tz, cursor);
  let day: LocalDay = { y: l.y, m: l.m, d: l.d };
  for (let i = 0; i < HORIZON_DAYS; i++, day = nextDay(day)) {
    for (const [s, e] of openOn(c, day)) {
      if (e <= cursor) continue;
      const start = Math.max(s, cursor);
      const available = e - start;
      if (remaining <= available) return new Date(start + remaining);
      remaining -= available;
    }
  }
  return null;
}

/** Business minutes elapsed from `a` to `b` (0 when b is not after a); fractions of a minute are kept. */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  const c = compile(cal);
  const l = localParts(c.tz, from);
  let day: LocalDay = { y: l.y, m: l.m, d: l.d };
  let total = 0;
  const last = localDate(c.tz, b);
  for (let i = 0; i <= 40 * 366; i++, day = nextDay(day)) {
    for (const [s, e] of openOn(c, day)) {
      const lo = Math.max(s, from);
      const hi = Math.min(e, to);
      if (hi > lo) total += hi - lo;
    }
    if (dayKey(day) === last) break;
  }
  return total / 60_000;
}

/** Whether `at` falls in open hours. */
export function isOpenAt(cal: BusinessCalendar, at: Date): boolean {
  const c = compile(cal);
  const l = localParts(c.tz, at.getTime());
  const t = at.getTime();
  return openOn(c, { y: l.y, m: l.m, d: l.d }).some(([s, e]) => t >= s && t < e);
}
