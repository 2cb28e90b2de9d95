import type { FlowText } from '@lingxi/contracts';
import { maskName } from '../../platform/pii.ts';

export type FlowLang = 'zh' | 'en';

/** `{var}`, `{a.b}`, `{var|mask}`: a placeholder's variable path and optional filter. */
const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?:\|\s*([a-z0-9]+)\s*)?\}/g;
const WHOLE = /^\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}$/;
/**
 * `mask` (card •••• 1234, name 张*), `last4`, `name` (张*), `money` (12,345.60), `digits` (only the digits of a value:
 * "尾号 5678 的卡" → 5678), `list` (an array as one line per item, at most LIST_MAX lines, see formatListItem).
 */
export const FILTERS = ['mask', 'last4', 'name', 'money', 'digits', 'list'] as const;
/** Lines `{x|list}` shows at most. */
export const LIST_MAX = 5;

const ACCOUNT_LABELS: Record<string, [string, string]> = {
  debit_card: ['借记卡', 'debit card'],
  credit_card: ['信用卡', 'credit card'],
  current: ['活期账户', 'current account'],
  fixed_deposit: ['定期存款', 'fixed deposit'],
  wealth: ['理财', 'wealth products'],
  loan: ['贷款', 'loan'],
  social_security_card: ['社保卡', 'social security card'],
  provident_fund: ['公积金', 'provident fund'],
};

const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function pickText(t: FlowText, lang: FlowLang): string {
  return typeof t === 'string' ? t : lang === 'en' ? t.en ?? t.zh : t.zh;
}

/** The variables (first path segment) and filters a template uses. */
export function templateVars(t: FlowText | string | number | boolean | null | undefined): { name: string; path: string; filter?: string }[] {
  const texts = t == null || typeof t === 'number' || typeof t === 'boolean' ? [] : typeof t === 'string' ? [t] : [t.zh, t.en ?? ''];
  const out: { name: string; path: string; filter?: string }[] = [];
  for (const s of texts) for (const m of s.matchAll(PLACEHOLDER)) out.push({ name: m[1].split('.')[0], path: m[1], ...(m[2] ? { filter: m[2] } : {}) });
  return out;
}

export function getPath(vars: Record<string, unknown>, path: string): unknown {
  let v: unknown = vars;
  for (const k of path.split('.')) {
    if (v == null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Card numbers and other long digit strings: •••• 1234. Names: 张*. Anything else short: unchanged. */
export function maskValue(v: string): string {
  const digits = v.replace(/[\s-]/g, '');
  if (/^\d{7,}[\dXx]?$/.test(digits)) return `•••• ${digits.slice(-4)}`;
  if (/^[\p{L}\s·.-]+$/u.test(v) && v.trim().length <= 40) return maskName(v);
  return v.length > 4 ? `•••• ${v.slice(-4)}` : '****';
}

/** How a variable's value reads in a reply. */
export function formatValue(v: unknown, lang: FlowLang): string {
  if (v == null) return '';
  if (typeof v === 'string') return ACCOUNT_LABELS[v]?.[lang === 'en' ? 1 : 0] ?? v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && 'start' in v && 'end' in v) {
    const { start, end } = v as { start: unknown; end: unknown };
    return start === end ? String(start) : `${start}${lang === 'en' ? ' to ' : ' 至 '}${end}`;
  }
  return JSON.stringify(v);
}

function applyFilter(raw: unknown, filter: string | undefined, lang: FlowLang): string {
  if (!filter) return formatValue(raw, lang);
  if (filter === 'list') return Array.isArray(raw) ? raw.slice(0, LIST_MAX).map((x) => `· ${formatListItem(x, lang)}`).join('\n') : formatValue(raw, lang);
  if (filter === 'money') return raw == null || raw === '' ? '' : formatMoney(raw);
  const s = raw == null ? '' : typeof raw === 'string' ? raw : formatValue(raw, lang);
  if (!s) return '';
  if (filter === 'mask') return maskValue(s);
  if (filter === 'last4') return s.replace(/[\s-]/g, '').slice(-4);
  if (filter === 'name') return maskName(s);
  if (filter === 'digits') return s.replace(/\D/g, '');
  return s;
}

/** An amount with thousands separators and two decimals: 12345.6 → "12,345.60". Not a number: unchanged. */
export function formatMoney(v: unknown): string {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.replace(/,/g, '')) : NaN;
  if (!Number.isFinite(n)) return typeof v === 'string' ? v : formatValue(v, 'zh');
  return MONEY.format(n);
}

type Item = Record<string, unknown>;
const str = (v: unknown) => (v == null ? '' : String(v));
const has = (o: Item, ...keys: string[]) => keys.every((k) => o[k] !== undefined && o[k] !== null);
const day = (v: unknown) => str(v).slice(0, 10);

/** A transaction's description without a private counterparty's full name (转账给王芳 → 转账给 王*). */
function txDescription(o: Item, lang: FlowLang): string {
  const en = lang === 'en';
  const who = maskName(str(o.counterparty));
  switch (o.type) {
    case 'transfer_out': return en ? `transfer to ${who}` : `转账给 ${who}`;
    case 'transfer_in': return en ? `transfer from ${who}` : `${who} 转入`;
    case 'salary': return en ? `salary (${str(o.counterparty)})` : str(o.description || '工资');
    case 'card_spend': return en ? `card payment, ${str(o.counterparty)}` : str(o.description);
    case 'utility': return en ? `bill payment, ${str(o.description)}` : str(o.description);
    case 'credit_card_repayment': return en ? 'credit card repayment' : '信用卡还款';
    default: return str(o.description ?? o.counterparty);
  }
}

/**
 * One line of `{x|list}`, by the item's shape (the fields core systems commonly return): a transaction (time or date,
 * type, amount), a statement item (date, merchant, amount), an account or card (cardNo), a wealth holding
 * (productName, principal), a loan (typeName, outstandingPrincipal), a repayment instalment (period, dueDate, payment).
 * Card numbers are masked and private counterparties' names shortened (王*) wherever they appear.
 */
export function formatListItem(x: unknown, lang: FlowLang): string {
  if (x == null || typeof x !== 'object' || Array.isArray(x)) return formatValue(x, lang);
  const o = x as Item;
  const en = lang === 'en';
  const cny = (v: unknown) => (en ? `${formatMoney(v)} CNY` : `${formatMoney(v)} 元`);
  if (has(o, 'amount', 'type') && (has(o, 'time') || has(o, 'date'))) {
    const n = Number(o.amount);
    return `${day(o.time ?? o.date)} ${txDescription(o, lang)} ${n > 0 ? '+' : ''}${cny(n)}`;
  }
  if (has(o, 'amount', 'merchant')) return `${day(o.date)} ${str(o.merchant)} ${cny(o.amount)}`.trim();
  if (has(o, 'cardNo')) {
    const status = o.cardStatus === 'lost' ? (en ? ' (reported lost)' : '（已挂失）') : o.cardStatus === 'frozen' ? (en ? ' (frozen)' : '（已冻结）') : '';
    return [maskValue(str(o.cardNo)), str(o.productName)].filter(Boolean).join(' ') + status;
  }
  if (has(o, 'productName', 'principal')) {
    const rate = has(o, 'annualizedRate') ? (en ? `, ${o.annualizedRate}% p.a.` : `，参考年化 ${o.annualizedRate}%`) : '';
    const yieldText = has(o, 'yieldToDate') ? (en ? `, earned ${cny(o.yieldToDate)}` : `，累计收益 ${cny(o.yieldToDate)}`) : '';
    const maturity = o.maturityDate ? (en ? `, matures ${day(o.maturityDate)}` : `，到期日 ${day(o.maturityDate)}`) : '';
    return en ? `${str(o.productName)}: principal ${cny(o.principal)}${yieldText}${rate}${maturity}` : `${str(o.productName)}：本金 ${cny(o.principal)}${yieldText}${rate}${maturity}`;
  }
  if (has(o, 'typeName', 'outstandingPrincipal')) {
    const name = en ? str(o.typeNameEn ?? o.type ?? o.typeName) : str(o.typeName);
    const next = o.nextPayment as Item | null | undefined;
    const nextText = next && has(next, 'dueDate', 'payment') ? (en ? `; next payment ${cny(next.payment)} due ${day(next.dueDate)}` : `，下期 ${day(next.dueDate)} 应还 ${cny(next.payment)}`) : '';
    return en ? `${name}: outstanding principal ${cny(o.outstandingPrincipal)}${nextText}` : `${name}：剩余本金 ${cny(o.outstandingPrincipal)}${nextText}`;
  }
  if (has(o, 'period', 'dueDate', 'payment')) {
    const split = has(o, 'principal', 'interest') ? (en ? ` (principal ${formatMoney(o.principal)}, interest ${formatMoney(o.interest)})` : `（本金 ${formatMoney(o.principal)}，利息 ${formatMoney(o.interest)}）`) : '';
    const paid = o.status === 'paid' ? (en ? ', paid' : '，已还') : '';
    return en ? `#${str(o.period)} ${day(o.dueDate)}: ${cny(o.payment)}${split}${paid}` : `第 ${str(o.period)} 期 ${day(o.dueDate)} 应还 ${cny(o.payment)}${split}${paid}`;
  }
  // Anything else: its plain values, long digit strings (card, account, ID numbers) masked.
  return Object.values(o)
    .filter((v) => v != null && typeof v !== 'object')
    .map((v) => (typeof v === 'string' && /^\d{7,}[\dXx]?$/.test(v.replace(/[\s-]/g, '')) ? maskValue(v) : String(v)))
    .join(' ');
}

export function render(t: FlowText | string, vars: Record<string, unknown>, lang: FlowLang): string {
  const s = typeof t === 'string' ? t : pickText(t, lang);
  return s.replace(PLACEHOLDER, (_m, path: string, filter?: string) => applyFilter(getPath(vars, path), filter, lang));
}

/** A value template: exactly "{var}" copies the variable as is (objects, numbers); other strings are rendered. */
export function renderValue(v: string | number | boolean | null, vars: Record<string, unknown>, lang: FlowLang): unknown {
  if (typeof v !== 'string') return v;
  const whole = WHOLE.exec(v);
  if (whole) return getPath(vars, whole[1]);
  return render(v, vars, lang);
}
