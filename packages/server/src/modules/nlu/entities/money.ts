import { findNumerals } from '../../text/index.ts';

export type Currency = 'CNY' | 'USD' | 'HKD' | 'EUR' | 'GBP' | 'JPY';
export type MoneySpan = { start: number; end: number; text: string; value: number; currency: Currency };

// Currency words after the number, longest first so 块钱 wins over 块.
const SUFFIX: [string, Currency][] = (
  [
    ['块钱', 'CNY'], ['元钱', 'CNY'], ['人民币', 'CNY'], ['元', 'CNY'], ['块', 'CNY'], ['圆', 'CNY'], ['rmb', 'CNY'], ['cny', 'CNY'], ['yuan', 'CNY'],
    ['美元', 'USD'], ['美金', 'USD'], ['刀', 'USD'], ['dollars', 'USD'], ['dollar', 'USD'], ['bucks', 'USD'], ['usd', 'USD'],
    ['港币', 'HKD'], ['港元', 'HKD'], ['hkd', 'HKD'], ['欧元', 'EUR'], ['euros', 'EUR'], ['euro', 'EUR'], ['eur', 'EUR'],
    ['英镑', 'GBP'], ['pounds', 'GBP'], ['gbp', 'GBP'], ['日元', 'JPY'], ['yen', 'JPY'], ['jpy', 'JPY'],
  ] as [string, Currency][]
).sort((a, b) => b[0].length - a[0].length);
// Symbols and codes before the number. "$" is read as USD; HK$ is checked first.
const PREFIX: [string, Currency][] = (
  [
    ['hk$', 'HKD'], ['us$', 'USD'], ['¥', 'CNY'], ['￥', 'CNY'], ['rmb', 'CNY'], ['cny', 'CNY'], ['人民币', 'CNY'], ['$', 'USD'],
    ['usd', 'USD'], ['美元', 'USD'], ['€', 'EUR'], ['eur', 'EUR'], ['£', 'GBP'], ['gbp', 'GBP'], ['hkd', 'HKD'], ['港币', 'HKD'], ['jpy', 'JPY'],
  ] as [string, Currency][]
).sort((a, b) => b[0].length - a[0].length);

// After a bare quantity these mean "not money" (三千个, 两万步, 一万积分).
const NON_MONEY_AFTER = /^(?:个|次|天|人|张|笔|分|年|月|日|号|岁|期|步|条|项|位|份|户|台|公里|米|克|斤|积分|字|%|km|kg|ms|mb|gb)/;

const MONEY_VERB_BEFORE = /(?:转账|转|汇款|汇|还款|还|取款|取|存款|存|借款|借|贷款|贷|付款|付|支付|充值|充|提现|缴|交|扣|扣款|退款|退|花|消费|额度|余额|限额)(?:了|过)?\s?$/;

type NumSpan = { start: number; end: number; value: number; chinese: boolean };

const ARABIC_RE = /(?<![\d.,a-z])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?(k|w)(?![a-z]))?/g;

function numberSpans(f: string): NumSpan[] {
  const spans: NumSpan[] = findNumerals(f)
    .filter((s) => !s.percent)
    .map((s) => ({ start: s.start, end: s.end, value: s.value, chinese: /[千万亿百佰仟]/.test(s.text) }));
  const covered = (i: number) => spans.some((s) => i >= s.start && i < s.end);
  ARABIC_RE.lastIndex = 0;
  for (let m = ARABIC_RE.exec(f); m; m = ARABIC_RE.exec(f)) {
    if (covered(m.index)) continue;
    const base = Number(m[1].replace(/,/g, ''));
    // 3k / 3w (w = 万, chat shorthand) are amounts in practice.
    const mult = m[2] === 'k' ? 1000 : m[2] === 'w' ? 10000 : 1;
    spans.push({ start: m.index, end: m.index + m[0].length, value: Math.round(base * mult * 100) / 100, chinese: mult > 1 });
  }
  return spans;
}

/** Money amounts in `folded` text (lower-case, half-width, simplified). */
export function findMoney(f: string): MoneySpan[] {
  const out: MoneySpan[] = [];
  for (const n of numberSpans(f)) {
    let start = n.start;
    let end = n.end;
    let currency: Currency | undefined;
    // prefix: "¥1,200", "rmb 300", "$50"
    const before = f.slice(Math.max(0, n.start - 4), n.start);
    const beforeTrim = before.replace(/\s$/, '');
    for (const [p, c] of PREFIX) {
      if (beforeTrim.endsWith(p)) {
        const pStart = n.start - (before.length - beforeTrim.length) - p.length;
        // a Latin code must not be the tail of a longer word
        if (/^[a-z]/.test(p) && /[a-z]/.test(f[pStart - 1] ?? '')) continue;
        currency = c;
        start = pStart;
        break;
      }
    }
    // suffix: "1200元", "50 dollars", "一千二百块"
    const afterStart = f[end] === ' ' ? end + 1 : end;
    const after = f.slice(afterStart, afterStart + 7);
    for (const [w, c] of SUFFIX) {
      if (after.startsWith(w) && !(/^[a-z]/.test(w) && /[a-z]/.test(after[w.length] ?? ''))) {
        currency ??= c;
        end = afterStart + w.length;
        break;
      }
    }
    // 一千二, 两千五, 1.2万, 3k: a quantity with a Chinese unit is an amount of yuan in a bank conversation,
    // unless a classifier says otherwise.
    if (!currency && n.chinese && !NON_MONEY_AFTER.test(f.slice(n.end, n.end + 2))) currency = 'CNY';
    // A plain number right after a money verb (转账5000, 还了 3000, 取2000) is an amount too.
    if (!currency && MONEY_VERB_BEFORE.test(f.slice(Math.max(0, n.start - 4), n.start)) && !NON_MONEY_AFTER.test(f.slice(n.end, n.end + 2))) {
      currency = 'CNY';
    }
    if (currency) out.push({ start, end, text: f.slice(start, end), value: n.value, currency });
  }
  return out;
}
