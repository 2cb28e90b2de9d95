import { findPii } from '../../../platform/pii.ts';
import { foldPreservingOffsets } from '../../text/index.ts';
import { findDates, todayIn, type DateGrain } from './dates.ts';
import { ACCOUNT_WORDS, compileLexicon, scanLexicon, type AccountType, type Lexicon } from './lexicon.ts';
import { findMoney, type Currency } from './money.ts';

export type { AccountType, Currency, DateGrain };
type Span = { text: string; start: number; end: number };
export type Entity =
  | ({ type: 'money'; value: number; currency: Currency } & Span) // value in the currency's major unit (yuan for CNY)
  | ({ type: 'date'; value: { start: string; end: string }; grain: DateGrain } & Span) // ISO dates, inclusive
  | ({ type: 'card_number' | 'phone' | 'id_number'; value: string } & Span) // digits only (ID: upper-case X)
  | ({ type: 'account_type'; value: AccountType } & Span)
  | ({ type: 'product'; value: string } & Span); // product id

export type ProductEntry = { id: string; names: string[] };
export type ExtractOptions = { now: Date; timeZone?: string; products?: ProductEntry[] };

const accountLexicon = compileLexicon(Object.entries(ACCOUNT_WORDS));
// Product dictionaries are compiled once per array instance (callers keep the tenant's catalogue in memory).
const productLexicons = new WeakMap<ProductEntry[], Lexicon<string>>();
function productLexicon(products: ProductEntry[]): Lexicon<string> {
  let lex = productLexicons.get(products);
  if (!lex) {
    // Names go through the same per-character fold as the text (not normalize(), whose phrase-level T→S could turn a
    // name into something the fold never produces), so 靈犀寶 matches 灵犀宝 and "Gold Card" matches "gold card".
    const entries: [string, string][] = products.flatMap((p) =>
      p.names.map((n) => [foldPreservingOffsets(n).replace(/\s+/g, ' ').trim(), p.id] as [string, string]),
    );
    productLexicons.set(products, (lex = compileLexicon(entries)));
  }
  return lex;
}

const PII_TYPE = { card: 'card_number', phone: 'phone', id: 'id_number' } as const;
// Among overlapping candidates the longer wins; on equal length, the lower rank.
const RANK: Record<Entity['type'], number> = { card_number: 0, id_number: 0, phone: 0, money: 1, date: 1, product: 2, account_type: 3 };

/**
 * Entities in a customer message. Offsets refer to `text` as given (the matching runs on a length-preserving fold:
 * full-width, case, traditional characters). Dates are resolved against `opts.now` in `opts.timeZone`
 * (default Asia/Shanghai). Result is sorted by position and non-overlapping.
 */
export function extractEntities(text: string, opts: ExtractOptions): Entity[] {
  if (!text) return [];
  const f = foldPreservingOffsets(text);
  const today = todayIn(opts.now, opts.timeZone ?? 'Asia/Shanghai');
  const slice = (s: number, e: number) => ({ text: text.slice(s, e), start: s, end: e });
  const pii: Entity[] = [];
  for (const p of findPii(f)) if (p.type !== 'email') pii.push({ type: PII_TYPE[p.type], value: p.value, ...slice(p.start, p.end) });
  const others: Entity[] = [];
  for (const m of findMoney(f)) others.push({ type: 'money', value: m.value, currency: m.currency, ...slice(m.start, m.end) });
  for (const d of findDates(f, today)) others.push({ type: 'date', value: d.value, grain: d.grain, ...slice(d.start, d.end) });
  if (opts.products?.length) for (const p of scanLexicon(f, productLexicon(opts.products))) others.push({ type: 'product', value: p.value, ...slice(p.start, p.end) });
  for (const a of scanLexicon(f, accountLexicon)) others.push({ type: 'account_type', value: a.value, ...slice(a.start, a.end) });

  // Personal identifiers first (a card number is never re-read as an amount), then longest-first.
  others.sort((a, b) => b.end - b.start - (a.end - a.start) || RANK[a.type] - RANK[b.type] || a.start - b.start);
  const chosen: Entity[] = [];
  for (const e of [...pii, ...others]) if (!chosen.some((c) => e.start < c.end && e.end > c.start)) chosen.push(e);
  return chosen.sort((a, b) => a.start - b.start);
}
