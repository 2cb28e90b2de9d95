import type { WorkingHours } from '@lingxi/contracts';

/**
 * A skill group's working hours (服务时间): a weekly schedule in an IANA time zone. Pure functions. A shift across
 * midnight is two intervals (22:00–24:00 on one day, 00:00–06:00 on the next), as in the work orders' business hours.
 */
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Weekday (sun..sat) and minute of the day at `at` in the time zone. */
export function localTime(at: Date, timeZone: string): { day: (typeof DAYS)[number]; minute: number } {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = DAYS.find((d) => d === get('weekday').slice(0, 3).toLowerCase()) ?? 'sun';
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Open at `at`? No schedule (null) means always open. */
export function isOpen(hours: WorkingHours | null | undefined, at: Date): boolean {
  if (!hours) return true;
  const { day, minute } = localTime(at, hours.timeZone);
  return (hours.weekly[day] ?? []).some((iv) => minute >= minuteOf(iv.start) && minute < minuteOf(iv.end));
}

/** What is wrong with a schedule (empty when fine): a known time zone, each interval start < end, sorted, disjoint. */
export function hoursProblems(hours: WorkingHours): string[] {
  const out: string[] = [];
  if (!isValidTimeZone(hours.timeZone)) out.push(`workingHours.timeZone: unknown time zone ${hours.timeZone}`);
  for (const d of DAYS) {
    let prevEnd = -1;
    for (const [i, iv] of (hours.weekly[d] ?? []).entries()) {
      const s = minuteOf(iv.start);
      const e = minuteOf(iv.end);
      if (e <= s) out.push(`workingHours.weekly.${d}[${i}]: ends (${iv.end}) before it starts (${iv.start}); split a shift across midnight over two days`);
      else if (s < prevEnd) out.push(`workingHours.weekly.${d}[${i}]: overlaps the previous interval (keep intervals sorted)`);
      prevEnd = Math.max(prevEnd, e);
    }
  }
  return out;
}
