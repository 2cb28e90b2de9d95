/**
 * The small XML dialect of WeChat and WeCom callbacks: a root <xml> with (mostly flat) elements whose text is CDATA
 * or plain escaped text, no attributes that matter, no namespaces. A full XML parser brings DTDs and entity
 * expansion (XXE, billion laughs) that we never need, so this one refuses any DOCTYPE or ENTITY outright.
 * Nested elements are returned with dotted paths ("ScanCodeInfo.ScanType").
 */
export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const MAX_DEPTH = 8;
const MAX_FIELDS = 300;
const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^<>]*?)?)(\/?)>/y;

function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e];
  });
}

export function parseXml(input: string): Record<string, string> {
  if (/<!DOCTYPE|<!ENTITY/i.test(input)) throw new XmlError('DOCTYPE and ENTITY declarations are not accepted');
  if (input.includes('\u0000')) throw new XmlError('NUL is not allowed in XML');
  const s = input.replace(/^\uFEFF/, '').trim().replace(/^<\?xml[^>]*\?>\s*/, '');
  const out: Record<string, string> = {};
  const stack: { name: string; text: string; hasChild: boolean }[] = [];
  let rootSeen = false;
  let fields = 0;
  let i = 0;
  const path = () => stack.slice(1).map((e) => e.name).join('.');
  while (i < s.length) {
    if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlError('unterminated CDATA');
      if (!stack.length) throw new XmlError('text outside the root element');
      stack[stack.length - 1].text += s.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
      continue;
    }
    if (s[i] === '<') {
      TAG.lastIndex = i;
      const m = TAG.exec(s);
      if (!m) throw new XmlError(`malformed tag at offset ${i}`);
      const [whole, closing, name, , selfClosing] = m;
      i += whole.length;
      if (closing) {
        const top = stack.pop();
        if (!top || top.name !== name) throw new XmlError(`unexpected </${name}>`);
        if (stack.length && !top.hasChild) {
          if (++fields > MAX_FIELDS) throw new XmlError('too many elements');
          out[[...stack.slice(1).map((e) => e.name), name].join('.')] = decodeTextOnce(top.text);
        }
        continue;
      }
      if (!stack.length) {
        if (rootSeen) throw new XmlError('more than one root element');
        rootSeen = true;
      } else {
        stack[stack.length - 1].hasChild = true;
      }
      if (selfClosing) {
        if (stack.length) out[[path(), name].filter(Boolean).join('.')] = '';
        continue;
      }
      if (stack.length >= MAX_DEPTH) throw new XmlError('nested too deeply');
      stack.push({ name, text: '', hasChild: false });
      continue;
    }
    const next = s.indexOf('<', i);
    const text = s.slice(i, next < 0 ? s.length : next);
    if (!stack.length) {
      if (text.trim()) throw new XmlError('text outside the root element');
    } else {
      stack[stack.length - 1].text += decodeMarker(text);
    }
    i = next < 0 ? s.length : next;
  }
  if (stack.length) throw new XmlError(`unclosed <${stack[stack.length - 1].name}>`);
  if (!rootSeen) throw new XmlError('no root element');
  return out;
}

// Plain text is entity-decoded, CDATA is not. Mark plain segments while collecting, decode them when the element
// closes; \u0000 never occurs in XML text, so it is a safe marker.
const MARK = '\u0000';
function decodeMarker(plain: string): string {
  return `${MARK}${plain}${MARK}`;
}
function decodeTextOnce(collected: string): string {
  return collected.split(MARK).map((seg, k) => (k % 2 === 1 ? decodeText(seg) : seg)).join('');
}

function cdata(v: string): string {
  // "]]>" cannot appear inside CDATA: close and reopen around it.
  return `<![CDATA[${v.replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** `<xml>` with one element per field: strings as CDATA, numbers as text, nested objects as child elements. */
export function toXml(fields: Record<string, unknown>): string {
  const body = (o: Record<string, unknown>): string =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${typeof v === 'number' ? String(v) : typeof v === 'object' ? body(v as Record<string, unknown>) : cdata(String(v))}</${k}>`)
      .join('');
  return `<xml>${body(fields)}</xml>`;
}
