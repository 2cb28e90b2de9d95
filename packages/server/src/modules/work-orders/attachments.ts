/**
 * What a work order may carry as attachments, and how a download is labelled. Pure.
 *
 * Uploads are JSON with the file as base64 (no multipart dependency; the same zod validation and OpenAPI as every
 * other route); the route's body limit admits the base64 of MAX_ATTACHMENT_BYTES. Files are kept in the database
 * (see 010_work_orders.sql). Only document and image types on the allow-list are accepted, and types that have a
 * signature must start with it, so a page of HTML cannot be stored as "image/png". Downloads are always served as
 * attachments with `nosniff` and a sandboxing CSP — never rendered inline by the browser on our origin.
 */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_WORK_ORDER = 20;
/** The upload route's body limit: base64 of the largest file plus room for the JSON around it. */
export const UPLOAD_BODY_LIMIT = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 64 * 1024;

const starts = (sig: number[], at = 0) => (b: Buffer) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ZIP = starts([0x50, 0x4b, 0x03, 0x04]);
const OLE = starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const anyBytes = () => true;

/** Allowed content types and the signature their bytes must start with. */
export const ALLOWED_TYPES: Readonly<Record<string, (b: Buffer) => boolean>> = {
  'image/png': starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': starts([0xff, 0xd8, 0xff]),
  'image/gif': (b) => starts([0x47, 0x49, 0x46, 0x38, 0x37, 0x61])(b) || starts([0x47, 0x49, 0x46, 0x38, 0x39, 0x61])(b),
  'image/webp': (b) => starts([0x52, 0x49, 0x46, 0x46])(b) && starts([0x57, 0x45, 0x42, 0x50], 8)(b),
  'application/pdf': starts([0x25, 0x50, 0x44, 0x46, 0x2d]),
  'text/plain': anyBytes,
  'text/csv': anyBytes,
  'application/msword': OLE,
  'application/vnd.ms-excel': OLE,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ZIP,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ZIP,
  'application/zip': ZIP,
};
export const ALLOWED_CONTENT_TYPES = Object.keys(ALLOWED_TYPES);

/** The media type without parameters, lower case ("Image/PNG; x=y" → "image/png"). */
export const baseType = (ct: string) => ct.split(';')[0].trim().toLowerCase();

export type AttachmentCheck = { ok: true; contentType: string } | { ok: false; code: 'type' | 'size' | 'signature' | 'empty'; message: string };

export function checkAttachment(contentType: string, data: Buffer): AttachmentCheck {
  const ct = baseType(contentType);
  const sig = ALLOWED_TYPES[ct];
  if (!sig) return { ok: false, code: 'type', message: `files of type ${ct || '(none)'} are not accepted; allowed: ${ALLOWED_CONTENT_TYPES.join(', ')}` };
  if (data.length === 0) return { ok: false, code: 'empty', message: 'the file is empty' };
  if (data.length > MAX_ATTACHMENT_BYTES) return { ok: false, code: 'size', message: `the file has ${data.length} bytes; at most ${MAX_ATTACHMENT_BYTES} are accepted` };
  if (!sig(data)) return { ok: false, code: 'signature', message: `the file's content is not ${ct}` };
  return { ok: true, contentType: ct };
}

/** A file name safe to store and show: no folders, no control characters, at most 200 characters. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().replace(/^\.+/, '');
  return [...clean].slice(0, 200).join('') || 'attachment';
}

/** `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987), for 投诉材料.pdf. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Headers of every download: the stored type, never sniffed, never rendered inline, never cached by proxies. */
export function downloadHeaders(a: { filename: string; contentType: string; size: number }): Record<string, string> {
  return {
    'content-type': a.contentType,
    'content-length': String(a.size),
    'content-disposition': contentDisposition(a.filename),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  };
}
