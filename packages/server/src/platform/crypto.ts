import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
export const hmacSha256Hex = (key: string | Buffer, s: string | Buffer) => createHmac('sha256', key).update(s).digest('hex');

/** Constant-time comparison of two strings (signatures, tokens). Different lengths compare unequal in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Field encryption for sensitive values at rest (channel credentials, personal data): AES-256-GCM with a key
 * derived from the installation secret. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
 */
export type FieldCipher = { encrypt(plain: string): string; decrypt(token: string): string };

export function createFieldCipher(secret: string): FieldCipher {
  const key = createHash('sha256').update(`lingxi-field-v1:${secret}`).digest();
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    decrypt(token) {
      const [v, iv, tag, ct] = token.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not an encrypted field');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    },
  };
}
