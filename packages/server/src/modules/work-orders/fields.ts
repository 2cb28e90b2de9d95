import { z } from 'zod';
import { luhnValid, maskPii } from '../../platform/pii.ts';
import { isValidDate } from './business-hours.ts';

/**
 * Custom fields of a work order type (defined by an administrator) and the validation of a work order's values
 * against them. Pure: the service calls it before anything is stored, and every problem is reported at once, per
 * field, so a form can mark each one.
 */
export const FIELD_KINDS = ['text', 'number', 'date', 'select', 'multiselect', 'checkbox', 'phone', 'card_number', 'amount'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const Label = z.object({ zh: z.string().trim().min(1).max(100), en: z.string().trim().min(1).max(100) });
export type Label = z.infer<typeof Label>;

const FieldValidation = z.object({
  minLength: z.number().int().min(0).max(10_000).optional().describe('text'),
  maxLength: z.number().int().min(1).max(10_000).optional().describe('text (default 2000)'),
  pattern: z.string().min(1).max(200).optional().describe('text: a JavaScript regular expression the whole value must match'),
  patternMessage: z.string().max(200).optional().describe('text: what to tell the user when the pattern does not match'),
  min: z.number().optional().describe('number, amount'),
  max: z.number().optional().describe('number, amount'),
  integer: z.boolean().optional().describe('number: whole numbers only'),
  minDate: z.string().optional().describe('date: YYYY-MM-DD'),
  maxDate: z.string().optional().describe('date: YYYY-MM-DD'),
  minItems: z.number().int().min(0).max(200).optional().describe('multiselect'),
  maxItems: z.number().int().min(1).max(200).optional().describe('multiselect'),
}).strict();

export const FieldDefinition = z.object({
  key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'a letter, then letters, digits or _ (at most 40)'),
  label: Label,
  kind: z.enum(FIELD_KINDS),
  required: z.boolean().default(false),
  options: z.array(z.object({ value: z.string().min(1).max(64), label: Label })).max(200).optional().describe('select and multiselect: the choices'),
  validation: FieldValidation.optional(),
  help: z.object({ zh: z.string().max(300).optional(), en: z.string().max(300).optional() }).optional(),
}).strict();
export type FieldDefinition = z.infer<typeof FieldDefinition>;

/** One problem of a work order's values (HTTP 400 `error.details.problems`). */
export type FieldProblem = { field: string; code: string; message: string };

const TEXT_MAX = 2000;
const RULES_BY_KIND: Record<FieldKind, (keyof z.infer<typeof FieldValidation>)[]> = {
  text: ['minLength', 'maxLength', 'pattern', 'patternMessage'],
  number: ['min', 'max', 'integer'],
  amount: ['min', 'max'],
  date: ['minDate', 'maxDate'],
  multiselect: ['minItems', 'maxItems'],
  select: [],
  checkbox: [],
  phone: [],
  card_number: [],
};

// A group with a quantifier inside and a quantifier after it, e.g. (a+)+ or (\w*)*: the shapes that backtrack
// exponentially. Administrators write these patterns, but a slow regex would stall the node for every request.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

/** Problems of a type's field definitions (empty: valid). */
export function fieldDefinitionProblems(fields: FieldDefinition[]): string[] {
  const out: string[] = [];
  const keys = new Set<string>();
  for (const f of fields) {
    const at = `fields.${f.key}`;
    if (keys.has(f.key)) out.push(`${at}: the key is used twice`);
    keys.add(f.key);
    const choice = f.kind === 'select' || f.kind === 'multiselect';
    if (choice && !f.options?.length) out.push(`${at}: a ${f.kind} needs options`);
    if (!choice && f.options) out.push(`${at}: only select and multiselect fields have options`);
    if (f.options) {
      const values = new Set<string>();
      for (const o of f.options) {
        if (values.has(o.value)) out.push(`${at}: option "${o.value}" is listed twice`);
        values.add(o.value);
      }
    }
    const v = f.validation ?? {};
    for (const rule of Object.keys(v) as (keyof typeof v)[]) {
      if (!RULES_BY_KIND[f.kind].includes(rule)) out.push(`${at}: "${rule}" does not apply to a ${f.kind} field`);
    }
    if (v.pattern !== undefined) {
      try {
        new RegExp(v.pattern, 'u');
        if (NESTED_QUANTIFIER.test(v.pattern)) out.push(`${at}: the pattern nests quantifiers (like (a+)+), which can take exponential time`);
      } catch (e) {
        out.push(`${at}: the pattern is not a valid regular expression (${(e as Error).message})`);
      }
    }
    if (v.min !== undefined && v.max !== undefined && v.min > v.max) out.push(`${at}: min is greater than max`);
    if (v.minLength !== undefined && v.maxLength !== undefined && v.minLength > v.maxLength) out.push(`${at}: minLength is greater than maxLength`);
    if (v.minItems !== undefined && v.maxItems !== undefined && v.minItems > v.maxItems) out.push(`${at}: minItems is greater than maxItems`);
    for (const d of ['minDate', 'maxDate'] as const) if (v[d] !== undefined && !isValidDate(v[d]!)) out.push(`${at}: ${d} is not a date (YYYY-MM-DD)`);
    if (v.minDate && v.maxDate && v.minDate > v.maxDate) out.push(`${at}: minDate is after maxDate`);
  }
  return out;
}

/** Mainland mobile, landline with area code, or a 400/800 service number; digits only (a +86/0086 prefix dropped). */
export function normalizePhone(raw: string): string | null {
  let s = raw.replace(/[\s()-]/g, '');
  s = s.replace(/^(?:\+86|0086)/, '');
  if (/^1[3-9]\d{9}$/.test(s)) return s;
  if (/^0\d{2,3}\d{7,8}$/.test(s)) return s;
  if (/^[48]00\d{7}$/.test(s)) return s;
  return null;
}

/** 12–19 digits (spaces and dashes ignored) with a valid Luhn check digit (ISO/IEC 7812-1). */
export function normalizeCardNumber(raw: string): string | null {
  const s = raw.replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(s) && luhnValid(s) ? s : null;
}

/** A non-negative amount in yuan with at most two decimals, kept as a string ("1234.50") so no float rounds it. */
export function normalizeAmount(raw: unknown): string | null {
  const s = typeof raw === 'number' ? (Number.isFinite(raw) ? String(raw) : '') : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,13}(?:\.\d{1,2})?$/.test(s)) return null;
  const [int, frac = ''] = s.split('.');
  return `${BigInt(int).toString()}.${frac.padEnd(2, '0')}`;
}

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

export type FieldValues = Record<string, unknown>;

/**
 * Checks `input` against the type's fields and returns the normalized values and every problem. `mode: 'create'`
 * checks all required fields; `'patch'` merges `input` over `current` (null removes a value), checks only the given
 * values and the required fields of the merged result (values stored under an older definition stay as they are).
 */
export function validateFieldValues(defs: FieldDefinition[], input: FieldValues, mode: 'create' | 'patch' = 'create', current: FieldValues = {}): { values: FieldValues; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const values: FieldValues = mode === 'patch' ? { ...current } : {};
  for (const [key, raw] of Object.entries(input)) {
    const def = byKey.get(key);
    if (!def) {
      problems.push({ field: key, code: 'unknown_field', message: `this work order type has no field "${key}"` });
      continue;
    }
    if (isEmpty(raw)) {
      delete values[key];
      continue;
    }
    const r = checkValue(def, raw);
    if ('problem' in r) problems.push({ field: key, ...r.problem });
    else values[key] = r.value;
  }
  for (const def of defs) {
    if (!def.required) continue;
    if (problems.some((p) => p.field === def.key)) continue;
    const v = values[def.key];
    if (isEmpty(v)) problems.push({ field: def.key, code: 'required', message: `${def.label.en} is required` });
    else if (def.kind === 'checkbox' && v !== true) problems.push({ field: def.key, code: 'required', message: `${def.label.en} must be checked` });
  }
  // In the form's order (the type's fields), unknown keys last.
  const order = (f: string) => { const i = defs.findIndex((d) => d.key === f); return i < 0 ? defs.length : i; };
  problems.sort((a, b) => order(a.field) - order(b.field));
  return { values, problems };
}

type Checked = { value: unknown } | { problem: { code: string; message: string } };
const bad = (code: string, message: string): Checked => ({ problem: { code, message } });

function checkValue(def: FieldDefinition, raw: unknown): Checked {
  const v = def.validation ?? {};
  switch (def.kind) {
    case 'text': {
      if (typeof raw !== 'string') return bad('invalid_type', 'expected text');
      const s = raw.trim();
      const max = v.maxLength ?? TEXT_MAX;
      if ([...s].length > max) return bad('too_long', `at most ${max} characters`);
      if (v.minLength !== undefined && [...s].length < v.minLength) return bad('too_short', `at least ${v.minLength} characters`);
      if (v.pattern && !new RegExp(`^(?:${v.pattern})$`, 'u').test(s)) return bad('pattern', v.patternMessage ?? 'does not have the expected format');
      return { value: s };
    }
    case 'number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return bad('invalid_type', 'expected a number');
      if (v.integer && !Number.isInteger(raw)) return bad('not_integer', 'expected a whole number');
      if (v.min !== undefined && raw < v.min) return bad('min', `at least ${v.min}`);
      if (v.max !== undefined && raw > v.max) return bad('max', `at most ${v.max}`);
      return { value: raw };
    }
    case 'amount': {
      const a = normalizeAmount(raw);
      if (a === null) return bad('invalid_amount', 'expected an amount such as 1234.50 (not negative, at most two decimals)');
      if (v.min !== undefined && Number(a) < v.min) return bad('min', `at least ${v.min}`);
      if (v.max !== undefined && Number(a) > v.max) return bad('max', `at most ${v.max}`);
      return { value: a };
    }
    case 'date': {
      if (typeof raw !== 'string' || !isValidDate(raw)) return bad('invalid_date', 'expected a date (YYYY-MM-DD)');
      if (v.minDate && raw < v.minDate) return bad('min', `not before ${v.minDate}`);
      if (v.maxDate && raw > v.maxDate) return bad('max', `not after ${v.maxDate}`);
      return { value: raw };
    }
    case 'select': {
      if (typeof raw !== 'string') return bad('invalid_type', 'expected one of the options');
      if (!def.options?.some((o) => o.value === raw)) return bad('not_an_option', `"${raw}" is not one of the options (${def.options?.map((o) => o.value).join(', ')})`);
      return { value: raw };
    }
    case 'multiselect': {
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) return bad('invalid_type', 'expected a list of options');
      const unknown = raw.filter((x) => !def.options?.some((o) => o.value === x));
      if (unknown.length) return bad('not_an_option', `not among the options: ${unknown.join(', ')}`);
      if (new Set(raw).size !== raw.length) return bad('duplicate', 'an option is chosen twice');
      if (v.minItems !== undefined && raw.length < v.minItems) return bad('min', `choose at least ${v.minItems}`);
      if (v.maxItems !== undefined && raw.length > v.maxItems) return bad('max', `choose at most ${v.maxItems}`);
      return { value: raw };
    }
    case 'checkbox':
      return typeof raw === 'boolean' ? { value: raw } : bad('invalid_type', 'expected true or false');
    case 'phone': {
      const p = typeof raw === 'string' ? normalizePhone(raw) : null;
      return p ? { value: p } : bad('invalid_phone', 'expected a mainland mobile (11 digits), a landline with area code, or a 400/800 number');
    }
    case 'card_number': {
      const c = typeof raw === 'string' ? normalizeCardNumber(raw) : null;
      return c ? { value: c } : bad('invalid_card', 'expected a card number of 12–19 digits with a valid check digit');
    }
  }
}

/** Keeps `head` and `tail` digits: 6222 **** **** 7890 style, for values shown to roles that may not see them. */
function maskMiddle(digits: string, head: number, tail: number): string {
  if (digits.length <= head + tail) return '*'.repeat(digits.length);
  return digits.slice(0, head) + '*'.repeat(digits.length - head - tail) + digits.slice(-tail);
}

/** Values as shown without the personal-data permission: phones and cards masked by kind, text through maskPii. */
export function maskFieldValues(defs: FieldDefinition[], values: FieldValues): FieldValues {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: FieldValues = {};
  for (const [k, v] of Object.entries(values)) {
    const kind = byKey.get(k)?.kind;
    if (kind === 'phone' && typeof v === 'string') out[k] = /^1\d{10}$/.test(v) ? maskMiddle(v, 3, 4) : maskMiddle(v, 4, 2);
    else if (kind === 'card_number' && typeof v === 'string') out[k] = maskMiddle(v, 4, 4);
    else if (typeof v === 'string') out[k] = maskPii(v);
    else out[k] = v;
  }
  return out;
}
