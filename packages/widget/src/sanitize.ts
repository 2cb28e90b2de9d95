/**
 * Allow-list sanitizer for rich answers (Reply.html). The server already sanitizes, but the widget runs inside a
 * bank's own pages, so it does not trust that: whatever reaches the page's DOM is rebuilt here from scratch.
 *
 * How: the string is parsed by the browser's own HTML parser into an inert document (DOMParser documents run no
 * scripts and load no images), then walked; for each node we create a fresh node in the target document, copying
 * only allowed tags and the one allowed attribute. Nothing from the input is ever assigned to innerHTML of a live
 * document, so parser differentials (mXSS) cannot turn a "safe" string into markup again.
 *
 * Allowed: p, br, ol, ul, li, b, strong, em, and a[href] with an absolute http(s) URL (opened in a new tab,
 * rel=noopener). Any other element is unwrapped (its text kept); elements whose content is code or invisible
 * (script, style, template, svg, …) are dropped with their content; comments and all other attributes are dropped.
 */

const ALLOWED = new Set(['p', 'br', 'ol', 'ul', 'li', 'b', 'strong', 'em', 'a']);
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'template', 'noscript', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
  'svg', 'math', 'textarea', 'select', 'option', 'title', 'head', 'meta', 'link', 'base', 'xmp', 'noembed',
  'noframes', 'plaintext', 'audio', 'video', 'canvas', 'img', 'picture', 'source', 'input', 'button', 'form',
]);
const HTML_NS = 'http://www.w3.org/1999/xhtml';
const MAX_DEPTH = 32;

/** Returns the href to keep, or null when the link must lose its href (then the <a> is unwrapped). */
export function safeHref(raw: string | null): string | null {
  if (!raw) return null;
  // The URL parser strips tabs/newlines and leading control chars the same way the browser will when the link is
  // clicked, so "java\tscript:" is judged by what it really is.
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null; // relative or malformed: we cannot know what it points to inside the host page
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.href;
}

export function sanitizeHtml(html: string, target: Document, parser: DOMParser = new DOMParser()): DocumentFragment {
  const out = target.createDocumentFragment();
  const parsed = parser.parseFromString(`<!doctype html><html><body>${html}</body></html>`, 'text/html');
  copyChildren(parsed.body, out, target, 0);
  return out;
}

function copyChildren(from: Node, to: Node, doc: Document, depth: number): void {
  for (let n = from.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3) {
      to.appendChild(doc.createTextNode((n as Text).data));
      continue;
    }
    if (n.nodeType !== 1) continue; // comments, processing instructions
    const el = n as Element;
    const tag = el.localName.toLowerCase();
    // Elements in SVG/MathML namespaces are foreign content with their own parsing rules: never copy them.
    if (el.namespaceURI !== HTML_NS || DROP_WITH_CONTENT.has(tag)) continue;
    if (depth >= MAX_DEPTH) {
      // Absurd nesting is an attack on the walker, not content: keep the words, drop the structure.
      to.appendChild(doc.createTextNode(el.textContent ?? ''));
      continue;
    }
    if (!ALLOWED.has(tag)) {
      copyChildren(el, to, doc, depth + 1);
      continue;
    }
    if (tag === 'a') {
      const href = safeHref(el.getAttribute('href'));
      if (!href) {
        copyChildren(el, to, doc, depth + 1);
        continue;
      }
      const a = doc.createElement('a');
      a.setAttribute('href', href);
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer');
      copyChildren(el, a, doc, depth + 1);
      to.appendChild(a);
      continue;
    }
    const copy = doc.createElement(tag);
    if (tag !== 'br') copyChildren(el, copy, doc, depth + 1);
    to.appendChild(copy);
  }
}
