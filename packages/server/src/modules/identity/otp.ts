import { randomInt } from 'node:crypto';
import { hmacSha256Hex } from '../../platform/crypto.ts';
import { canonicalIdentity, maskIdentity } from '../contacts/contact-service.ts';

/** How many distinct codes there are: 000000–999999. */
export const CODE_SPACE = 1_000_000;

/**
 * A 6-digit one-time code, uniform over 000000–999999 (crypto.randomInt draws without modulo bias; leading zeros
 * are kept). `draw` is replaceable for tests only.
 */
export function generateCode(draw: (min: number, max: number) => number = randomInt): string {
  return String(draw(0, CODE_SPACE)).padStart(6, '0');
}

/** A code as a customer types it: full-width digits and spaces tolerated ("１２３ ４５６"); null when it cannot be a code. */
export function normalizeCode(input: string): string | null {
  const s = input.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[\s-]/g, '');
  return /^\d{6}$/.test(s) ? s : null;
}

/** The keyed hash stored instead of the code; bound to the challenge so equal codes of two challenges differ. */
export function codeHmac(key: string, challengeId: string, code: string): string {
  return hmacSha256Hex(key, `otp:${challengeId}:${code}`);
}

/** Canonical phone (spaces, dashes and a +86/86 prefix removed); null unless a mainland mobile or an E.164 number. */
export function normalizePhone(input: string): string | null {
  const p = canonicalIdentity('phone', input);
  return /^1[3-9]\d{9}$/.test(p) || /^\+[1-9]\d{7,14}$/.test(p) ? p : null;
}

/** 138****5678 — the only form in which a phone appears in logs, audit and replies. */
export function maskPhone(phone: string): string {
  return maskIdentity('phone', canonicalIdentity('phone', phone));
}

/** The SMS text, e.g. 【示例银行】您的验证码为123456，5分钟内有效。请勿泄露给他人。 */
export function otpText(bankName: string, code: string, ttlMs: number): string {
  const minutes = Math.max(1, Math.round(ttlMs / 60_000));
  return `【${bankName}】您的验证码为${code}，${minutes}分钟内有效。请勿泄露给他人。`;
}
