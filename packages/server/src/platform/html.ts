/**
 * Allow-list HTML sanitizer for operator-written rich answers. Operator HTML is never trusted: it is re-tokenised
 * and re-serialised, so only the tags and attributes below survive, every attribute value and text node is
 * re-escaped, and URLs are limited to safe schemes. What is not understood is dropped (or, for text, escaped),
 * never passed through. Pure and dependency-free so the widget, the console and the exports can share its output.
 */

/** Allowed elements and, per element, their allowed attributes. */
const ALLOWED: Record<string, readonly string[]> = {
  p: [], br: [], ol: [], ul: [], li: [], b: [], strong: [], em: [], h3: [], h4: [],
  a: ['href', 'title'],
  img: ['src', 'alt', 'width', 'height'],
  table: [], caption: [], thead: [], tbody: [], tr: [], th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'],
};
const VOID = new Set(['br', 'img']);
/** Elements whose whole content is dropped with them (code, styles, embedded documents, form widgets). */
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'iframe', 'object', 'embed', 'noscript', 'template', 'textarea', 'select', 'svg', 'math',
  'title', 'xmp', 'noembed', 'noframes', 'plaintext', 'frameset', 'frame', 'applet', 'head',
]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™', yen: '¥',
  middot: '·', hellip: '…', mdash: '—', ndash: '–', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', times: '×',
  divide: '÷', deg: '°', plusmn: '±', laquo: '«', raquo: '»', bull: '•', euro: '€', pound: '£', cent: '¢', sect: '§',
  colon: ':', tab: '\t', newline: '\n', lpar: '(', rpar: ')', sol: '/', num: '#', excl: '!', semi: ';', comma: ',',
  period: '.', equals: '=', percnt: '%',
};

/** Decodes HTML character references (named subset, decimal, hex). Unknown references stay as written. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{1,31});?/g, (m, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // NUL, surrogates and out-of-range code points become U+FFFD, as browsers do.
      if (!Number.isFinite(cp) || cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    }
    return NAMED_ENTITIES[ref] ?? NAMED_ENTITIES[ref.toLowerCase()] ?? m;
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Whether a (decoded) URL may be used for the given attribute. Only absolute http(s) links, plus mailto: and tel:
 * for anchors; images only http(s). Control characters and whitespace that browsers ignore inside a scheme
 * (`java\tscript:`) are removed before the check, and a URL that still contains any is refused.
 */
export function safeUrl(raw: string, kind: 'link' | 'image'): string | null {
  const url = raw.trim();
  if (!url || url.length > 2048) return null;
  if (/[\u0000-\u001f\u007f\s]/.test(url)) return null;
  const allowed = kind === 'link' ? /^(https?:\/\/[^/]|mailto:|tel:)/i : /^https?:\/\/[^/]/i;
  return allowed.test(url) ? url : null;
}

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'start'; name: string; attrs: [string, string][]; selfClosing: boolean }
  | { kind: 'end'; name: string };

/** A forgiving tokenizer: anything that is not a well-formed tag is text (and will be escaped). */
function* tokenize(html: string): Generator<Token> {
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      yield { kind: 'text', text: html.slice(i) };
      return;
    }
    if (lt > i) yield { kind: 'text', text: html.slice(i, lt) };
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const isEnd = html[i + 1] === '/';
    const nameStart = i + (isEnd ? 2 : 1);
    const m = /^[A-Za-z][A-Za-z0-9-]*/.exec(html.slice(nameStart, nameStart + 64));
    if (!m) {
      yield { kind: 'text', text: '<' };
      i += 1;
      continue;
    }
    const name = m[0].toLowerCase();
    let j = nameStart + m[0].length;
    const attrs: [string, string][] = [];
    let selfClosing = false;
    // Attributes: name, optional =value (double-, single- or un-quoted). Stops at '>' outside quotes.
    for (;;) {
      while (j < n && /[\s/]/.test(html[j])) {
        if (html[j] === '/' && html[j + 1] === '>') selfClosing = true;
        j++;
      }
      if (j >= n) break;
      if (html[j] === '>') { j++; break; }
      const an = /^[^\s"'>/=]+/.exec(html.slice(j, j + 256));
      if (!an) { j++; continue; }
      const attrName = an[0].toLowerCase();
      j += an[0].length;
      while (j < n && /\s/.test(html[j])) j++;
      let value = '';
      if (html[j] === '=') {
        j++;
        while (j < n && /\s/.test(html[j])) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const close = html.indexOf(q, j + 1);
          value = html.slice(j + 1, close < 0 ? n : close);
          j = close < 0 ? n : close + 1;
        } else {
          const uv = /^[^\s>]*/.exec(html.slice(j))![0];
          value = uv;
          j += uv.length;
        }
      }
      attrs.push([attrName, decodeEntities(value)]);
    }
    i = j;
    if (isEnd) yield { kind: 'end', name };
    else yield { kind: 'start', name, attrs, selfClosing };
  }
}

export type SanitizeOptions = { maxLength?: number };

/**
 * Returns HTML containing only allowed elements (p, br, ol, ul, li, b, strong, em, h3, h4, a, img, basic tables),
 * with balanced tags. Links get rel="noopener noreferrer nofollow" and target="_blank".
 */
export function sanitizeHtml(input: string, opts: SanitizeOptions = {}): string {
  const html = opts.maxLength && input.length > opts.maxLength ? input.slice(0, opts.maxLength) : input;
  const out: string[] = [];
  const open: string[] = [];
  let dropUntil: string | null = null;
  for (const t of tokenize(html)) {
    if (dropUntil) {
      if (t.kind === 'end' && t.name === dropUntil) dropUntil = null;
      continue;
    }
    if (t.kind === 'text') {
      out.push(escapeHtml(decodeEntities(t.text)));
      continue;
    }
    if (DROP_WITH_CONTENT.has(t.name)) {
      if (t.kind === 'start' && !t.selfClosing) dropUntil = t.name;
      continue;
    }
    const allowedAttrs = ALLOWED[t.name];
    if (!allowedAttrs) continue; // unknown element: tag dropped, its text content kept (escaped)
    if (t.kind === 'end') {
      const at = open.lastIndexOf(t.name);
      if (at < 0) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
      continue;
    }
    const attrs: string[] = [];
    const seen = new Set<string>();
    for (const [name, value] of t.attrs) {
      if (!allowedAttrs.includes(name) || seen.has(name)) continue;
      seen.add(name);
      let v: string | null = value;
      if (name === 'href') v = safeUrl(value, 'link');
      else if (name === 'src') v = safeUrl(value, 'image');
      else if (name === 'width' || name === 'height' || name === 'colspan' || name === 'rowspan') v = /^\d{1,4}$/.test(value.trim()) ? value.trim() : null;
      else v = value.slice(0, 500);
      if (v === null) continue;
      attrs.push(` ${name}="${escapeHtml(v)}"`);
    }
    if (t.name === 'img' && !attrs.some((a) => a.startsWith(' src='))) continue;
    if (t.name === 'a') attrs.push(' rel="noopener noreferrer nofollow" target="_blank"');
    out.push(`<${t.name}${attrs.join('')}>`);
    if (!VOID.has(t.name)) open.push(t.name);
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('');
}

/**
 * Plain text of an HTML fragment (for channels that cannot show HTML: SMS, voice): block ends and <br> become line
 * breaks, list items get a bullet, tags are removed, entities decoded.
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let dropUntil: string | null = null;
  for (const t of tokenize(html)) {
    if (dropUntil) {
      if (t.kind === 'end' && t.name === dropUntil) dropUntil = null;
      continue;
    }
    if (t.kind === 'text') parts.push(decodeEntities(t.text).replace(/\s+/g, (ws) => (ws.includes('\n') ? ' ' : ws)));
    else if (DROP_WITH_CONTENT.has(t.name)) { if (t.kind === 'start' && !t.selfClosing) dropUntil = t.name; }
    else if (t.name === 'br') parts.push('\n');
    else if (t.kind === 'start' && t.name === 'li') parts.push('\n• ');
    else if (t.kind === 'start' && (t.name === 'td' || t.name === 'th')) parts.push('\t');
    else if (t.kind === 'end' && ['p', 'h3', 'h4', 'ul', 'ol', 'tr', 'table', 'div', 'caption'].includes(t.name)) parts.push('\n');
  }
  return parts
    .join('')
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
