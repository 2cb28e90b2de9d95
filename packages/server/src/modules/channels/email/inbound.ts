import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import { htmlToText, sanitizeHtml } from '../../../platform/html.ts';
import { bareAddress, header, headerMap, messageIds, type HeaderMap } from './headers.ts';
import { stripQuoted } from './quote-strip.ts';
import type { EmailLimits } from './email-config.ts';

export type RawAttachment = { filename: string; contentType: string; content: Buffer; inline: boolean };

/** One inbound e-mail, normalized: what the channel needs, nothing of mailparser's shape. */
export type InboundEmail = {
  /** With angle brackets; synthesized from the content's hash when the sender gave none (so dedupe still works). */
  messageId: string;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: { address: string; name?: string } | null;
  /** Where a reply goes: Reply-To when given, else From (RFC 5322 3.6.2). */
  replyTo: string | null;
  to: string[];
  /** Whole plain-text body (from the text part, or derived from HTML). */
  text: string;
  /** What the customer wrote this time: quoted history and signature removed. */
  newText: string;
  /** Sanitized HTML body (allow-list), or null. */
  html: string | null;
  attachments: RawAttachment[];
  headers: HeaderMap;
};

const MAX_TEXT_CHARS = 50_000;
const MAX_HTML_CHARS = 200_000;

export async function parseEmail(raw: Buffer): Promise<InboundEmail> {
  const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const h = headerMap(m.headerLines ?? []);
  const first = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value?.[0];
  const from = first(m.from);
  const fromAddress = from?.address ? from.address.toLowerCase() : bareAddress(header(h, 'from'));
  const to = [m.to, m.cc].flatMap((a) => (a ? (Array.isArray(a) ? a : [a]) : [])).flatMap((a) => a.value.map((v) => v.address?.toLowerCase())).filter((x): x is string => !!x);
  const html = typeof m.html === 'string' && m.html ? sanitizeHtml(m.html, { maxLength: MAX_HTML_CHARS }) : null;
  const text = (m.text?.trim() ? m.text : m.html ? htmlToText(String(m.html)) : '').slice(0, MAX_TEXT_CHARS);
  return {
    messageId: messageIds(header(h, 'message-id'))[0] ?? `<sha256.${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@lingxi.invalid>`,
    inReplyTo: messageIds(header(h, 'in-reply-to')),
    references: (h.get('references') ?? []).flatMap(messageIds),
    subject: (m.subject ?? '').slice(0, 500),
    from: fromAddress ? { address: fromAddress, ...(from?.name ? { name: from.name.slice(0, 200) } : {}) } : null,
    replyTo: bareAddress(header(h, 'reply-to')) ?? fromAddress ?? null,
    to,
    text,
    newText: stripQuoted(text),
    html,
    attachments: (m.attachments ?? []).map((a) => ({
      filename: (a.filename ?? 'attachment').replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 200),
      contentType: (a.contentType ?? 'application/octet-stream').toLowerCase(),
      content: a.content,
      inline: a.contentDisposition === 'inline' || !!a.related,
    })),
    headers: h,
  };
}

export type AttachmentVerdict = { accepted: RawAttachment[]; refused: { filename: string; contentType: string; size: number; reason: 'too_large' | 'type_not_allowed' | 'content_mismatch' | 'too_many' }[] };

// Leading bytes of the binary types we accept: a file that claims one type and is another (an executable renamed
// to .pdf) is refused. Text and legacy Office types have no reliable signature and are trusted by declaration.
const MAGIC: Record<string, (b: Buffer) => boolean> = {
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')),
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};
const ZIP = (b: Buffer) => b[0] === 0x50 && b[1] === 0x4b;

/** Applies the channel's attachment policy: size, count and type allow-list (declared type checked against content). */
export function screenAttachments(list: readonly RawAttachment[], limits: Pick<EmailLimits, 'maxAttachmentBytes' | 'maxAttachments' | 'attachmentTypes'>): AttachmentVerdict {
  const out: AttachmentVerdict = { accepted: [], refused: [] };
  const allowed = new Set(limits.attachmentTypes.map((t) => t.toLowerCase()));
  for (const a of list) {
    const base = { filename: a.filename, contentType: a.contentType, size: a.content.length };
    if (!allowed.has(a.contentType)) out.refused.push({ ...base, reason: 'type_not_allowed' });
    else if (a.content.length > limits.maxAttachmentBytes) out.refused.push({ ...base, reason: 'too_large' });
    else if (!contentMatches(a.contentType, a.content)) out.refused.push({ ...base, reason: 'content_mismatch' });
    else if (out.accepted.length >= limits.maxAttachments) out.refused.push({ ...base, reason: 'too_many' });
    else out.accepted.push(a);
  }
  return out;
}

function contentMatches(type: string, b: Buffer): boolean {
  if (MAGIC[type]) return MAGIC[type](b);
  if (type.includes('openxmlformats')) return ZIP(b);
  return true;
}
