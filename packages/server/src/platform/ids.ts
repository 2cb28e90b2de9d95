import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Sortable, URL-safe ids: a time prefix (ms, base36, fixed width) + 12 random base36 chars, with a type prefix,
 * e.g. `cv_lq3x8k2a0b7d9f1e3g5h`. Sortable ids keep B-tree inserts local and make logs readable.
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return `${prefix}_${time}${rand}`;
}

/** A random secret token (API keys, session tokens): 32 bytes, base64url. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
