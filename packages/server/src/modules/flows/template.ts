import type { FlowText } from '@lingxi/contracts';
import { maskName } from '../../platform/pii.ts';

export type FlowLang = 'zh' | 'en';

/** `{var}`, `{a.b}`, `{var|mask}`: a placeholder's variable path and optional filter. */
const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?:\|\s*([a-z0-9]+)\s*)?\}/g;
const WHOLE = /^\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}$/;
export const FILTERS = ['mask', 'last4', 'name'] as const;

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
  const s = raw == null ? '' : typeof raw === 'string' ? raw : formatValue(raw, lang);
  if (!s) return '';
  if (filter === 'mask') return maskValue(s);
  if (filter === 'last4') return s.replace(/[\s-]/g, '').slice(-4);
  if (filter === 'name') return maskName(s);
  return s;
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
