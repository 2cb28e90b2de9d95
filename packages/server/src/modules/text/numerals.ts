// Chinese numerals → numbers. Customers write amounts and dates in words ("一千二", "三万五", "两千块", "1.2万"),
// and banking forms use capital numerals (壹仟贰佰). The scanner is deliberately conservative: a lone digit character
// is only a number when a unit follows ("一张", "三天"), two bare digits ("三五天", "七八个") are approximations and
// are left alone, and fixed words that contain 一 (一下, 一起, 统一, 万一) are never touched.

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 幺: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
  壹: 1, 贰: 2, 貳: 2, 叁: 3, 參: 3, 肆: 4, 伍: 5, 陆: 6, 陸: 6, 柒: 7, 捌: 8, 玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8 };

// Words in which 一 is not a quantity, checked against the character after the run.
const YI_WORDS_AFTER = new Set('下起般样直些点定切旦律致共再边向同并面时会句心道味方路生'.split(''));
// Units after which a single digit character is a quantity ("一张卡", "三天", "两块").
const LONE_UNITS = new Set('元块圆角毛张笔次天日周年月号期岁倍位份项户台'.split(''));

export type NumeralSpan = { start: number; end: number; value: number; text: string; percent?: true };

type Item = { kind: 'digit'; value: number; arabic: boolean; len: number; zero: boolean } | { kind: 'unit'; value: number; big: boolean };

const isArabic = (c: string) => c >= '0' && c <= '9';
const isNumeralChar = (c: string) => c in DIGITS || c in SMALL_UNITS || c in BIG_UNITS || isArabic(c);

function evaluate(items: Item[], next: string | undefined, next2: string | undefined, percent: boolean): number | undefined {
  const unitFollows = percent || (next !== undefined && LONE_UNITS.has(next)) || (next === '个' && next2 === '月');
  const hasUnit = items.some((it) => it.kind === 'unit');
  const hasChinese = items.some((it) => it.kind === 'unit' || !it.arabic);
  if (!hasChinese) return undefined; // plain Arabic numbers are already numbers
  if (!hasUnit) {
    if (items.some((it) => it.kind === 'digit' && it.arabic)) return undefined;
    if (items.length >= 3) {
      // 一三八… read digit by digit (phone and card numbers, 二〇二四年)
      let v = 0;
      for (const it of items) v = v * 10 + it.value;
      return items.length > 15 ? undefined : v;
    }
    return items.length === 1 && unitFollows ? items[0].value : undefined;
  }
  const first = items[0];
  if (first.kind === 'unit' && first.value !== 10) return undefined; // 万一, 千万, 百度 are words
  if (items.length === 1 && first.kind === 'unit') {
    return unitFollows ? 10 : undefined; // 十天 yes, 十分 (= very) no
  }
  let acc = 0; // completed 万/亿 sections
  let small = 0; // value below the current big unit
  let pending: Extract<Item, { kind: 'digit' }> | undefined;
  let lastUnit = 1;
  let zeroSeen = false;
  let prev: Item | undefined;
  for (const it of items) {
    if (it.kind === 'digit') {
      if (prev && prev.kind === 'digit' && !(prev.zero && !prev.arabic)) return undefined; // 二三十: an approximation
      if (it.zero && !it.arabic) {
        zeroSeen = true;
        pending = undefined;
      } else pending = it;
    } else if (!it.big) {
      const base = pending ? pending.value : it.value === 10 ? 1 : undefined;
      if (base === undefined) return undefined;
      small += base * it.value;
      pending = undefined;
      zeroSeen = false;
      lastUnit = it.value;
    } else {
      const section = small + (pending ? pending.value : 0);
      if (section === 0) return undefined;
      acc = it.value === 1e8 ? (acc + section) * 1e8 : acc + section * it.value;
      small = 0;
      pending = undefined;
      zeroSeen = false;
      lastUnit = it.value;
    }
    prev = it;
  }
  let value = acc + small;
  if (pending) {
    // Colloquial abbreviation: 一千二 = 1200, 三万五 = 35000 — a single trailing digit right after a unit takes the
    // next lower unit. With 零 in between (一千零二) or a multi-digit Arabic tail (1万2500) it is added as is.
    const abbreviated = !zeroSeen && prev?.kind === 'digit' && pending.len === 1 && lastUnit > 10 && Number.isInteger(pending.value);
    value += abbreviated ? pending.value * (lastUnit / 10) : pending.value;
  }
  return Math.round(value * 1e6) / 1e6;
}

/** Every numeral written with Chinese characters (or Arabic digits with a Chinese unit) in `text`, with its value. */
export function findNumerals(text: string): NumeralSpan[] {
  const spans: NumeralSpan[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    let percent = false;
    const start = i;
    if (c === '百' && text.startsWith('百分之', i) && i + 3 < n && isNumeralChar(text[i + 3])) {
      percent = true;
      i += 3;
    } else if (!isNumeralChar(c)) {
      i++;
      continue;
    }
    const items: Item[] = [];
    const ends: number[] = [];
    let j = i;
    while (j < n) {
      const ch = text[j];
      if (isArabic(ch)) {
        let k = j;
        while (k < n && isArabic(text[k])) k++;
        if (text[k] === '.' && isArabic(text[k + 1] ?? '')) {
          k++;
          while (k < n && isArabic(text[k])) k++;
        }
        items.push({ kind: 'digit', value: Number(text.slice(j, k)), arabic: true, len: k - j, zero: false });
        j = k;
      } else if (ch in DIGITS) {
        items.push({ kind: 'digit', value: DIGITS[ch], arabic: false, len: 1, zero: DIGITS[ch] === 0 && ch !== '幺' });
        j++;
      } else if (ch in SMALL_UNITS) {
        items.push({ kind: 'unit', value: SMALL_UNITS[ch], big: false });
        j++;
      } else if (ch in BIG_UNITS) {
        items.push({ kind: 'unit', value: BIG_UNITS[ch], big: true });
        j++;
      } else if (ch === '点' && items.length === 1 && items[0].kind === 'digit' && !items[0].arabic && j + 2 < n && text[j + 1] in DIGITS) {
        // 一点五万 = 1.5万; without a following 万/亿/千 "三点五" is a time, so only accept it when a unit follows.
        let k = j + 1;
        let frac = '';
        while (k < n && text[k] in DIGITS) frac += String(DIGITS[text[k++]]);
        if (!(text[k] in BIG_UNITS || text[k] === '千')) break;
        items[0] = { kind: 'digit', value: Number(`${items[0].value}.${frac}`), arabic: true, len: 2, zero: false };
        j = k;
      } else break;
      ends.push(j);
    }
    // Trailing 一 that starts a fixed word (三万一起 → 三万 + 一起) is not part of the number.
    while (items.length > 1) {
      const last = items[items.length - 1];
      const lastChar = text[ends[ends.length - 1] - 1];
      if (last.kind === 'digit' && lastChar === '一' && YI_WORDS_AFTER.has(text[ends[ends.length - 1]] ?? '')) {
        items.pop();
        ends.pop();
      } else break;
    }
    const end = ends.length ? ends[ends.length - 1] : i + 1;
    const lone = items.length === 1 && items[0].kind === 'digit' && !items[0].arabic;
    const prevChar = start > 0 ? text[start - 1] : '';
    // 统一, 唯一, 之一, 万一, 第一 / 一下, 一起: the char next to a lone 一 decides.
    const yiWord = lone && text[i] === '一' && (YI_WORDS_AFTER.has(text[end] ?? '') || '统唯之万第'.includes(prevChar || '\0'));
    const value = yiWord || items.length === 0 ? undefined : evaluate(items, text[end], text[end + 1], percent);
    if (value !== undefined) {
      spans.push({ start, end, value, text: text.slice(start, end), ...(percent ? { percent: true } : {}) });
      i = end;
    } else i = Math.max(end, i + 1);
  }
  return spans;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
}

/** Rewrites quantity numerals as Arabic numbers: 一千二 → 1200, 1.2万 → 12000, 百分之五 → 5%. */
export function normalizeNumerals(text: string): string {
  const spans = findNumerals(text);
  if (spans.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const s of spans) {
    out += text.slice(pos, s.start) + formatNumber(s.value) + (s.percent ? '%' : '');
    pos = s.end;
  }
  return out + text.slice(pos);
}

/**
 * Value of a string that is entirely one numeral ("三", "十五", "二〇二四", "12", "1.2万"), or undefined. Unlike
 * findNumerals it accepts a lone digit character, because the caller has already decided from context (月, 号,
 * 个月) that it is a number.
 */
export function parseNumeral(s: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s);
  // Appending a unit character lets the lone-digit rule accept "三"; the span must then cover the whole input.
  const spans = findNumerals(s + '天');
  return spans.length === 1 && spans[0].start === 0 && spans[0].end === s.length && !spans[0].percent ? spans[0].value : undefined;
}
