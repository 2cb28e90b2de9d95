import { z } from 'zod';
import { sanitizeHtml } from '../../platform/html.ts';
import { CHANNELS, ENTRY_STATUSES, type Channel, type EntryRecord, type EntryStatus } from './knowledge-repository.ts';

/** Limits of one FAQ entry (PRODUCT: question 1..500, ≤ 200 similar questions, answer 1..20,000 characters). */
export const LIMITS = {
  question: 500,
  similarCount: 200,
  answer: 20_000,
  answerHtml: 100_000,
  tags: 50,
  tag: 50,
  related: 50,
  externalId: 100,
  categoryName: 100,
  categoryDepth: 10,
  synonymWords: 50,
  synonymWord: 50,
} as const;

/**
 * Dates without an offset (a date, or a date and a time) are read in China Standard Time, the zone of the banks this
 * product serves; write an explicit offset (2025-01-01T00:00:00Z) for anything else. A date alone as valid_to means
 * the end of that day, so "valid_to 2025-12-31" still serves on New Year's Eve.
 */
export const KB_UTC_OFFSET_MINUTES = 8 * 60;

export const ExternalId = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.externalId)
  .regex(/^[^\s/\\?#%]+$/u, 'no spaces or / \\ ? # %');
export const CategoryName = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.categoryName)
  .regex(/^[^/]+$/u, '"/" separates category levels and cannot be part of a name');
const Tag = z.string().trim().min(1).max(LIMITS.tag);
export const DateInput = z.string().trim().max(40).refine((s) => parseDateInput(s, 'start') !== null, 'not a date (use 2025-01-31, 2025-01-31 18:00 or ISO 8601)');

/** Fields of an entry as the API accepts them (no defaults: the same object serves create and patch). */
export const EntryFields = z.object({
  externalId: ExternalId,
  categoryId: z.string().max(64).nullable(),
  question: z.string().trim().min(1, 'the standard question is empty').max(LIMITS.question),
  similar: z.array(z.string().trim().max(LIMITS.question)).max(LIMITS.similarCount, `at most ${LIMITS.similarCount} similar questions`),
  answer: z.string().trim().min(1, 'the answer is empty').max(LIMITS.answer),
  answerHtml: z.string().max(LIMITS.answerHtml).nullable(),
  channelAnswers: z.partialRecord(z.enum(CHANNELS), z.string().trim().min(1).max(LIMITS.answer)),
  tags: z.array(Tag).max(LIMITS.tags),
  related: z.array(ExternalId).max(LIMITS.related),
  validFrom: DateInput.nullable(),
  validTo: DateInput.nullable(),
  status: z.enum(ENTRY_STATUSES),
});
export type EntryFields = z.infer<typeof EntryFields>;

export const EntryCreate = EntryFields.partial().required({ question: true, answer: true });
export type EntryCreate = z.infer<typeof EntryCreate>;
export const EntryPatch = EntryFields.partial();
export type EntryPatch = z.infer<typeof EntryPatch>;

export const SynonymWords = z
  .array(z.string().trim().min(1).max(LIMITS.synonymWord))
  .max(LIMITS.synonymWords)
  .transform((ws) => [...new Set(ws)])
  .refine((ws) => ws.length >= 2, 'a synonym set needs at least 2 different words');

/** Entry content after validation: what the service writes (category as id or as a path to create). */
export type EntryContent = Omit<EntryRecord, 'id' | 'externalId' | 'categoryId' | 'updatedBy'>;

export type FieldProblem = { field: string; message: string };

const dedupe = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter(Boolean))];

/**
 * Checks and normalises complete entry content (all fields present). Returns problems instead of throwing so that
 * the importer can report every row. HTML is sanitised here, so nothing unsanitised can reach storage.
 */
export function checkContent(raw: {
  question: string; similar: string[]; answer: string; answerHtml: string | null; channelAnswers: Record<string, string>;
  tags: string[]; related: string[]; validFrom: string | Date | null; validTo: string | Date | null; status: string;
}): { content: EntryContent; problems: [] } | { content: null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const parsed = EntryFields.omit({ externalId: true, categoryId: true, validFrom: true, validTo: true }).safeParse({
    ...raw, similar: dedupe(raw.similar), tags: dedupe(raw.tags), related: dedupe(raw.related),
  });
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push({ field: String(i.path[0] ?? ''), message: issueMessage(i) });
  }
  const validFrom = raw.validFrom instanceof Date ? raw.validFrom : raw.validFrom ? parseDateInput(raw.validFrom, 'start') : null;
  const validTo = raw.validTo instanceof Date ? raw.validTo : raw.validTo ? parseDateInput(raw.validTo, 'end') : null;
  if (raw.validFrom && validFrom === null) problems.push({ field: 'validFrom', message: `not a date: ${String(raw.validFrom).slice(0, 40)}` });
  if (raw.validTo && validTo === null) problems.push({ field: 'validTo', message: `not a date: ${String(raw.validTo).slice(0, 40)}` });
  if (validFrom && validTo && validTo.getTime() < validFrom.getTime()) problems.push({ field: 'validTo', message: 'valid_to is before valid_from' });
  if (!parsed.success || problems.length) return { content: null, problems };
  const d = parsed.data;
  const html = d.answerHtml ? sanitizeHtml(d.answerHtml).trim() : '';
  return {
    content: {
      question: d.question,
      // A similar question equal to the standard question adds nothing.
      similar: d.similar.filter((s) => s !== d.question),
      answer: d.answer,
      answerHtml: html || null,
      channelAnswers: d.channelAnswers,
      tags: d.tags,
      related: d.related,
      validFrom,
      validTo,
      status: d.status,
    },
    problems: [],
  };
}

function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'too_big' && i.origin === 'string') return `too long (at most ${i.maximum} characters)`;
  if (i.code === 'too_big' && i.origin === 'array') return `too many (at most ${i.maximum})`;
  if (i.path.length > 1) return `item ${Number(i.path[1]) + 1}: ${i.message}`;
  return i.message;
}

/** Category path "信用卡/挂失" -> ["信用卡", "挂失"]; null when blank. */
export function parseCategoryPath(s: string | null | undefined): { path: string[] | null; problem?: string } {
  if (!s || !s.trim()) return { path: null };
  const parts = s.split('/').map((x) => x.trim()).filter(Boolean);
  if (parts.length > LIMITS.categoryDepth) return { path: null, problem: `at most ${LIMITS.categoryDepth} levels` };
  for (const p of parts) if (p.length > LIMITS.categoryName) return { path: null, problem: `category name too long (at most ${LIMITS.categoryName})` };
  return { path: parts.length ? parts : null };
}

/** Splits a tags cell: commas (half- or full-width), 、, semicolons or line breaks. */
export function splitTags(s: string): string[] {
  return dedupe(s.split(/[,，、;；\r\n]+/));
}

/** Splits a similar-questions cell: one per line. */
export function splitLines(s: string): string[] {
  return s.split(/\r?\n|\r/).map((x) => x.trim()).filter(Boolean);
}

const OFFSET_MS = KB_UTC_OFFSET_MINUTES * 60_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Parses a date as operators type it: ISO 8601 with offset; or, read in China Standard Time, 2025-01-31,
 * 2025/1/31, 2025.1.31, 2025年1月31日, each optionally followed by a time "18:00" / "18:00:30". A date alone is the
 * start of the day, or with bound 'end' its last millisecond. Returns null when it is not a real calendar date.
 */
export function parseDateInput(s: string, bound: 'start' | 'end'): Date | null {
  const t = s.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(t);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [h, mi, se, ms] = hasTime ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0'))] : [0, 0, 0, 0];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null; // 2025-02-30
  const at = wall - OFFSET_MS;
  return new Date(!hasTime && bound === 'end' ? at + 86_400_000 - 1 : at);
}

/**
 * The inverse of parseDateInput for exports: a date alone when the instant is the start (or, for 'end', the last
 * millisecond) of a day in China Standard Time, else "YYYY-MM-DD HH:mm:ss" there, else full ISO 8601 (lossless).
 */
export function formatDateOutput(d: Date, bound: 'start' | 'end'): string {
  const w = new Date(d.getTime() + OFFSET_MS + (bound === 'end' ? 1 : 0));
  const day = `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;
  const midnight = w.getUTCHours() === 0 && w.getUTCMinutes() === 0 && w.getUTCSeconds() === 0 && w.getUTCMilliseconds() === 0;
  if (midnight && bound === 'end') {
    const prev = new Date(w.getTime() - 86_400_000);
    return `${prev.getUTCFullYear()}-${pad(prev.getUTCMonth() + 1)}-${pad(prev.getUTCDate())}`;
  }
  if (midnight) return day;
  const l = new Date(d.getTime() + OFFSET_MS);
  if (l.getUTCMilliseconds() === 0) {
    return `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())}`;
  }
  return d.toISOString();
}
