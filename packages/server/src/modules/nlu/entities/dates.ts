import { parseNumeral } from '../../text/index.ts';

export type DateGrain = 'day' | 'week' | 'month' | 'year' | 'range';
export type DateSpan = { start: number; end: number; text: string; value: { start: string; end: string }; grain: DateGrain };

// Civil dates are handled as day numbers since 1970-01-01 (UTC arithmetic on calendar dates: no DST, no offsets).
const DAY_MS = 86_400_000;
const dayNum = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;
const ymd = (n: number) => {
  const dt = new Date(n * DAY_MS);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
};
const iso = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const weekdayMon0 = (n: number) => (new Date(n * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0 (Chinese and ISO weeks)
const monthEnd = (y: number, m: number) => dayNum(y, m + 1, 0);
function addMonths(n: number, k: number): number {
  const { y, m, d } = ymd(n);
  const target = dayNum(y, m + k, 1);
  const t = ymd(target);
  return dayNum(t.y, t.m, Math.min(d, ymd(monthEnd(t.y, t.m)).d));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Today's calendar date in `timeZone` as a day number. */
export function todayIn(now: Date, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const p = Object.fromEntries(f.formatToParts(now).map((x) => [x.type, x.value]));
  return dayNum(Number(p.year), Number(p.month), Number(p.day));
}

function valid(y: number, m: number, d: number): boolean {
  if (!(m >= 1 && m <= 12 && d >= 1 && y >= 1900 && y <= 2200)) return false;
  return d <= ymd(monthEnd(y, m)).d;
}

const NUM = '[0-9零〇一二两三四五六七八九十]+';
const WEEK_WORD = '(?:周|星期|礼拜)';
const ZH_WEEKDAY: Record<string, number> = { 一: 0, 二: 1, 三: 2, 四: 3, 五: 4, 六: 5, 日: 6, 天: 6, '1': 0, '2': 1, '3': 2, '4': 3, '5': 4, '6': 5, '7': 6 };
const EN_WEEKDAY: Record<string, number> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };
const EN_MONTH: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const EN_NUM: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12 };
const RELATIVE_DAY: Record<string, number> = { 大前天: -3, 前天: -2, 昨天: -1, 昨日: -1, 今天: 0, 今日: 0, 当天: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3, 'the day before yesterday': -2, yesterday: -1, today: 0, tomorrow: 1, 'the day after tomorrow': 2 };
const SHIFT: Record<string, number> = { 上上: -2, 上: -1, 这: 0, 本: 0, 当: 0, 下: 1, 下下: 2, last: -1, this: 0, next: 1, previous: -1, current: 0 };

const EN_MONTH_RE = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

type Rule = { re: RegExp; make: (m: RegExpExecArray, today: number) => { start: number; end: number; grain: DateGrain } | undefined };

const num = (s: string) => parseNumeral(s) ?? EN_NUM[s];
const day = (n: number) => ({ start: n, end: n, grain: 'day' as const });
const weekOf = (n: number) => n - weekdayMon0(n);
const monthOf = (y: number, m: number) => ({ start: dayNum(y, m, 1), end: monthEnd(y, m), grain: 'month' as const });
const yearOf = (y: number) => ({ start: dayNum(y, 1, 1), end: dayNum(y, 12, 31), grain: 'year' as const });

// "最近三个月" / "past 3 months" convention: a window that ENDS TODAY (inclusive) and starts the day after the same
// calendar date N units ago: 2026-11-24 → 2026-08-25..2026-11-24. N days = today-N+1..today; N weeks = 7N days.
function lastN(today: number, n: number, unit: string): { start: number; end: number; grain: DateGrain } | undefined {
  if (!(n >= 1 && n <= 366)) return undefined;
  if (/^(天|日|day)/.test(unit)) return { start: today - n + 1, end: today, grain: 'range' };
  if (/(周|星期|礼拜|week)/.test(unit)) return { start: today - 7 * n + 1, end: today, grain: 'range' };
  if (/(月|month)/.test(unit)) return { start: addMonths(today, -n) + 1, end: today, grain: 'range' };
  if (/(年|year)/.test(unit)) return { start: addMonths(today, -12 * n) + 1, end: today, grain: 'range' };
  return undefined;
}

const RULES: Rule[] = [
  // 2024-03-05, 2024/3/5, 2024.3.5 (a four-digit year is required: "3.5" is far more often an amount)
  {
    re: /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/g,
    make: (m) => (valid(+m[1], +m[2], +m[3]) ? day(dayNum(+m[1], +m[2], +m[3])) : undefined),
  },
  // 2024年3月5日 / 3月5号 / 三月五号 / 2024年3月 / 2024年 — without a year, the current year
  {
    re: new RegExp(`(?:(\\d{4}|[零〇一二三四五六七八九]{4})年)?(${NUM})月(?:(${NUM})(?:日|号))?`, 'g'),
    make: (m, today) => {
      const y = m[1] ? num(m[1]) : ymd(today).y;
      const mo = num(m[2]);
      if (y === undefined || mo === undefined) return undefined;
      if (m[3] === undefined) return mo >= 1 && mo <= 12 && valid(y, mo, 1) ? monthOf(y, mo) : undefined;
      const d = num(m[3]);
      return d !== undefined && valid(y, mo, d) ? day(dayNum(y, mo, d)) : undefined;
    },
  },
  { re: /(?<!\d)(\d{4})年(?![0-9零〇一二两三四五六七八九十]+月|底|初)/g, make: (m) => (valid(+m[1], 1, 1) ? yearOf(+m[1]) : undefined) },
  // 最近三个月, 近3个月, 过去一周, 最近7天; past 3 months, last 3 months, past week
  {
    re: new RegExp(`(?:最近|近|过去)(${NUM})(个月|个星期|个礼拜|天|日|周|星期|礼拜|年|月)`, 'g'),
    make: (m, today) => lastN(today, num(m[1]) ?? NaN, m[2]),
  },
  { re: /\b(?:past|last|previous)\s+(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(days?|weeks?|months?|years?)\b/g, make: (m, today) => lastN(today, num(m[1]) ?? NaN, m[2]) },
  { re: /\bpast\s+(day|week|month|year)\b/g, make: (m, today) => lastN(today, 1, m[1]) },
  // N天前 / 3 days ago
  { re: new RegExp(`(${NUM})天(?:以前|之前|前)`, 'g'), make: (m, today) => { const n = num(m[1]); return n !== undefined && n <= 3650 ? day(today - n) : undefined; } },
  { re: /\b(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+days?\s+ago\b/g, make: (m, today) => { const n = num(m[1]); return n !== undefined ? day(today - n) : undefined; } },
  // 今天 昨天 前天 明天…
  { re: /大前天|大后天|前天|昨天|昨日|今天|今日|当天|明天|明日|后天/g, make: (m, today) => day(today + RELATIVE_DAY[m[0]]) },
  { re: /\b(?:the day before yesterday|the day after tomorrow|yesterday|today|tomorrow)\b/g, make: (m, today) => day(today + RELATIVE_DAY[m[0]]) },
  // 下周三, 上周五, 本周日, 周三 (this week's)
  {
    re: new RegExp(`(上上|下下|上|下|这|本)?(?:个)?${WEEK_WORD}([一二三四五六日天1-7])`, 'g'),
    make: (m, today) => day(weekOf(today) + 7 * SHIFT[m[1] ?? '这'] + ZH_WEEKDAY[m[2]]),
  },
  // 上周 / 本周 / 下个星期 — the calendar week, Monday to Sunday
  {
    re: new RegExp(`(上上|下下|上|下|这|本)(?:个)?${WEEK_WORD}`, 'g'),
    make: (m, today) => ({ start: weekOf(today) + 7 * SHIFT[m[1]], end: weekOf(today) + 7 * SHIFT[m[1]] + 6, grain: 'week' }),
  },
  // 上个月 / 本月 / 这个月 / 下月 / 上上个月
  {
    re: /(上上|下下|上|下|这|本|当)(?:个)?月(?![0-9零一二两三四五六七八九十]+[日号])/g,
    make: (m, today) => { const t = ymd(addMonths(dayNum(ymd(today).y, ymd(today).m, 1), SHIFT[m[1]])); return monthOf(t.y, t.m); },
  },
  // 今年 / 去年 / 前年 / 明年
  { re: /今年|本年|去年|前年|明年/g, make: (m, today) => yearOf(ymd(today).y + ({ 今年: 0, 本年: 0, 去年: -1, 前年: -2, 明年: 1 } as Record<string, number>)[m[0]]) },
  // last Friday = the most recent Friday before today; next Monday = the first Monday after today; this Friday = in
  // the current Monday–Sunday week.
  {
    re: /\b(last|next|this|previous|coming)\s+(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b/g,
    make: (m, today) => {
      const wd = EN_WEEKDAY[m[2]];
      const cur = weekdayMon0(today);
      if (m[1] === 'last' || m[1] === 'previous') return day(today - (((cur - wd + 7) % 7) || 7));
      if (m[1] === 'next' || m[1] === 'coming') return day(today + (((wd - cur + 7) % 7) || 7));
      return day(weekOf(today) + wd);
    },
  },
  {
    re: /\b(last|this|next|previous|current)\s+(week|month|year)\b/g,
    make: (m, today) => {
      const k = SHIFT[m[1]];
      if (m[2] === 'week') return { start: weekOf(today) + 7 * k, end: weekOf(today) + 7 * k + 6, grain: 'week' };
      if (m[2] === 'year') return yearOf(ymd(today).y + k);
      const t = ymd(addMonths(dayNum(ymd(today).y, ymd(today).m, 1), k));
      return monthOf(t.y, t.m);
    },
  },
  // March 5, March 5th 2024, 5 March, March 2024
  {
    re: new RegExp(`\\b${EN_MONTH_RE}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`, 'g'),
    make: (m, today) => {
      const mo = EN_MONTH[m[1].slice(0, 3)];
      const y = m[3] ? +m[3] : ymd(today).y;
      return valid(y, mo, +m[2]) ? day(dayNum(y, mo, +m[2])) : undefined;
    },
  },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${EN_MONTH_RE}\\b(?:,?\\s+(\\d{4})\\b)?`, 'g'),
    make: (m, today) => {
      const mo = EN_MONTH[m[2].slice(0, 3)];
      const y = m[3] ? +m[3] : ymd(today).y;
      return valid(y, mo, +m[1]) ? day(dayNum(y, mo, +m[1])) : undefined;
    },
  },
  { re: new RegExp(`\\b${EN_MONTH_RE}\\s+(\\d{4})\\b`, 'g'), make: (m) => monthOf(+m[2], EN_MONTH[m[1].slice(0, 3)]) },
];

/** Dates and periods in `folded` (lower-case, half-width, simplified), resolved against `today`. May overlap. */
export function findDates(folded: string, today: number): DateSpan[] {
  const out: DateSpan[] = [];
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(folded); m; m = rule.re.exec(folded)) {
      const r = rule.make(m, today);
      if (r) out.push({ start: m.index, end: m.index + m[0].length, text: m[0], value: { start: iso(r.start), end: iso(r.end) }, grain: r.grain });
    }
  }
  return out;
}
