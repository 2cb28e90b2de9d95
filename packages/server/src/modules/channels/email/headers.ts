/**
 * Header access for the e-mail converters. mailparser turns some headers into structured values (List-Id, dates,
 * address lists) and drops nothing it does not understand only by accident, so the loop guard and the threading
 * code read the raw header lines instead: what the sender wrote, unfolded, one entry per occurrence.
 */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

/** From mailparser's `headerLines` ({ key, line: "Key: value" }), or any list of raw "Key: value" lines. */
export function headerMap(lines: readonly { key: string; line: string }[]): HeaderMap {
  const m = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const k = key.toLowerCase();
    const colon = line.indexOf(':');
    // Unfold (RFC 5322 2.2.3): a line break followed by white space is part of the value.
    const value = (colon >= 0 ? line.slice(colon + 1) : line).replace(/\r?\n[ \t]+/g, ' ').trim();
    const list = m.get(k);
    if (list) list.push(value);
    else m.set(k, [value]);
  }
  return m;
}

export const header = (h: HeaderMap, name: string): string | undefined => h.get(name.toLowerCase())?.[0];

/** Message-ID tokens (`<local@domain>`) in a header value, in order; each kept with its angle brackets. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const m of value.matchAll(/<([^<>\s]{1,250})>/g)) out.push(`<${m[1]}>`);
  // Some mailers write a bare id without brackets (seen from older Outlook versions in In-Reply-To).
  if (!out.length && /^[^\s<>]{1,250}@[^\s<>]{1,250}$/.test(value.trim())) out.push(`<${value.trim()}>`);
  return out;
}

/** The bare address (lower-cased) in "Name <a@b>" or "a@b"; null when there is none. */
export function bareAddress(value: string | undefined): string | null {
  if (!value) return null;
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>"',;:]+@[^\s<>"',;:]+)/.exec(value);
  return m ? m[1].toLowerCase() : null;
}
