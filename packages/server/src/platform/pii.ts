// Detection and masking of personal data (个人信息) for logs, UI and exports. Runs on every log line, so each
// detector is a single regex pass plus a checksum; ordinary numbers (amounts, dates, millisecond timestamps, order ids
// that fail the checksums) must not be masked.

export type PiiType = 'card' | 'phone' | 'id' | 'email';
export type PiiMatch = { type: PiiType; start: number; end: number; value: string };

/** Luhn (ISO/IEC 7812-1) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * Mainland resident identity number (GB 11643-1999): 6-digit region code (first digit 1–8), 8-digit birth date,
 * 3-digit sequence, ISO 7064 MOD 11-2 check character (0–9 or X). The 15-digit first-generation number is not accepted.
 */
export function idNumberValid(id: string): boolean {
  if (!/^[1-8]\d{16}[\dXx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  if (ID_CHECK[sum % 11] !== id[17].toUpperCase()) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  return birth.getTime() <= Date.now();
}

const EMAIL_RE = /[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}/g;
const ID_RE = /(?<![0-9A-Za-z])[1-8]\d{16}[\dXx](?![0-9A-Za-z])/g;
// A run of digits with optional single spaces/dashes between them, not glued to other digits or letters.
const DIGIT_RUN_RE = /(?<![0-9A-Za-z])\d(?:[ -]?\d){12,}(?![0-9A-Za-z])/g;
const PHONE_RE = /(?<![0-9A-Za-z+])(?:(?:\+86|0086|86)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])/g;

// Card numbers start with 3 (JCB/Amex), 4 (Visa), 5 (Mastercard), 6 (UnionPay 62, Discover) or 9 (older domestic
// debit cards, e.g. 95599…). Excluding 1/2/7/8/0 keeps millisecond timestamps (17…, 13 digits) and most internal ids
// that happen to pass Luhn out of the masks.
const CARD_FIRST = new Set(['3', '4', '5', '6', '9']);

function cardIn(run: string, runStart: number): PiiMatch | undefined {
  // Try the whole run, then shorter prefixes cut at separators ("6222 0212 3456 7890 100" = card + amount).
  const cuts: number[] = [run.length];
  for (let i = run.length - 1; i > 0; i--) if (run[i] === ' ' || run[i] === '-') cuts.push(i);
  for (const cut of cuts) {
    const digits = run.slice(0, cut).replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && CARD_FIRST.has(digits[0]) && luhnValid(digits)) {
      return { type: 'card', start: runStart, end: runStart + cut, value: digits };
    }
  }
  return undefined;
}

/** Personal data in `text`, sorted by position, non-overlapping (e-mail > ID > card > phone on overlap). */
export function findPii(text: string): PiiMatch[] {
  const hasAt = text.includes('@');
  if (!hasAt && !/\d{4}/.test(text)) return []; // fast path: most log lines
  const found: PiiMatch[] = [];
  const overlaps = (s: number, e: number) => found.some((m) => s < m.end && e > m.start);
  if (hasAt) for (const m of text.matchAll(EMAIL_RE)) found.push({ type: 'email', start: m.index, end: m.index + m[0].length, value: m[0] });
  for (const m of text.matchAll(ID_RE)) {
    if (idNumberValid(m[0]) && !overlaps(m.index, m.index + 18)) found.push({ type: 'id', start: m.index, end: m.index + 18, value: m[0].toUpperCase() });
  }
  for (const m of text.matchAll(DIGIT_RUN_RE)) {
    // Scan each run for a card at every group start, so "订单 2024 6222…" still finds the card.
    let offset = 0;
    while (offset < m[0].length) {
      const sub = m[0].slice(offset);
      const card = cardIn(sub, m.index + offset);
      if (card && !overlaps(card.start, card.end)) {
        found.push(card);
        offset += card.end - card.start;
      }
      const nextSep = m[0].slice(offset).search(/[ -]/);
      if (nextSep < 0) break;
      offset += nextSep + 1;
    }
  }
  for (const m of text.matchAll(PHONE_RE)) {
    const end = m.index + m[0].length;
    if (overlaps(m.index, end)) continue;
    const digits = m[0].replace(/\D/g, '');
    found.push({ type: 'phone', start: m.index, end, value: digits.slice(-11) });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Replaces digits at digit positions [from, to) of `s` with '*', keeping separators. */
function maskDigits(s: string, keepHead: number, keepTail: number): string {
  const total = s.replace(/\D/g, '').length;
  let idx = 0;
  let out = '';
  for (const ch of s) {
    if (ch >= '0' && ch <= '9' || ch === 'X' || ch === 'x') {
      out += idx < keepHead || idx >= total - keepTail ? ch : '*';
      idx++;
    } else out += ch;
  }
  return out;
}

function maskOne(m: PiiMatch, raw: string): string {
  switch (m.type) {
    case 'card':
      return maskDigits(raw, 4, 4); // 6222 **** **** 7890, as printed on bank receipts
    case 'id':
      return raw.slice(0, 6) + '********' + raw.slice(14); // region code + ******** + sequence/check
    case 'phone': {
      // Keep a country prefix as written, then 138****5678.
      const core = raw.length - (raw.match(/1[3-9]\d(?:[ -]?\d{4}){2}$/)?.[0].length ?? raw.length);
      const local = raw.slice(core);
      let idx = 0;
      let out = '';
      for (const ch of local) {
        if (ch >= '0' && ch <= '9') out += idx >= 3 && idx < 7 ? '*' : ch, idx++;
        else out += ch;
      }
      return raw.slice(0, core) + out;
    }
    case 'email': {
      const at = raw.indexOf('@');
      return raw[0] + '***' + raw.slice(at);
    }
  }
}

/** Masks every card, phone, ID number and e-mail address in `text`. */
export function maskPii(text: string): string {
  const found = findPii(text);
  if (found.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const m of found) {
    out += text.slice(pos, m.start) + maskOne(m, text.slice(m.start, m.end));
    pos = m.end;
  }
  return out + text.slice(pos);
}

// Two-character surnames (复姓) that must be kept whole; without this list 欧阳娜娜 would become 欧***.
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '端木',
  '轩辕', '独孤', '南宫', '西门', '百里', '呼延', '申屠', '太史', '闻人', '澹台', '公冶', '宗政', '濮阳', '淳于', '单于',
  '钟离', '赫连', '万俟', '拓跋', '第五', '司空', '东郭', '左丘', '梁丘', '乐正', '颛孙', '仲孙', '鲜于', '亓官', '司寇',
]);

/**
 * Keeps the surname and masks the given name one '*' per character: 张三 → 张*, 张三丰 → 张**, 欧阳娜娜 → 欧阳**
 * (compound surnames kept). Latin names keep each word's initial: John Smith → J*** S****. A one-character name
 * becomes '*'.
 */
export function maskName(name: string): string {
  const n = name.trim();
  if (!n) return n;
  if (/[\u3400-\u9fff]/.test(n)) {
    const chars = [...n.replace(/\s+/g, '')];
    if (chars.length <= 1) return '*';
    const surnameLen = chars.length > 2 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
    return chars.slice(0, surnameLen).join('') + '*'.repeat(chars.length - surnameLen);
  }
  return n
    .split(/(\s+|-)/)
    .map((part) => (/^[\s-]*$/.test(part) ? part : [...part][0] + '*'.repeat([...part].length - 1)))
    .join('');
}
