import { createHmac, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { safeEqual } from '../../../platform/crypto.ts';

/**
 * Verifies a customer's JWT (RFC 7519, JWS compact RFC 7515) issued by the bank's app backend. The algorithm is
 * pinned by the tenant's config, never taken from the token: `none` and algorithm confusion (an HS256 token
 * "signed" with the RS256 public key as HMAC secret) are refused because the header must name exactly the pinned one.
 */
export type JwtKey = { alg: 'HS256'; secret: string | Buffer } | { alg: 'RS256'; publicKeyPem: string };
export type JwtPolicy = { issuer?: string; audience?: string; clockSkewS?: number; /** Reject tokens older than this (iat), even if exp is far. */ maxAgeS?: number };
export type JwtClaims = Record<string, unknown> & { sub: string };

export class JwtError extends Error {
  constructor(message: string) { super(message); this.name = 'JwtError'; }
}

const b64json = (s: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch { /* fall through */ }
  throw new JwtError('malformed token');
};

const pemCache = new Map<string, KeyObject>();
function rsaKey(pem: string): KeyObject {
  let k = pemCache.get(pem);
  if (!k) {
    k = createPublicKey(pem);
    if (k.asymmetricKeyType !== 'rsa') throw new JwtError('configured key is not an RSA public key');
    pemCache.set(pem, k);
  }
  return k;
}

export function verifyJwt(token: string, key: JwtKey, policy: JwtPolicy = {}, now: Date = new Date()): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[2]) throw new JwtError('malformed token');
  const [h, p, s] = parts;
  const header = b64json(h);
  if (header.alg !== key.alg) throw new JwtError(`token algorithm must be ${key.alg}`);
  if (header.crit !== undefined) throw new JwtError('unsupported critical header');
  const signingInput = `${h}.${p}`;
  if (key.alg === 'HS256') {
    const expected = createHmac('sha256', key.secret).update(signingInput).digest('base64url');
    if (!safeEqual(expected, s)) throw new JwtError('bad signature');
  } else {
    const ok = createVerify('RSA-SHA256').update(signingInput).verify(rsaKey(key.publicKeyPem), Buffer.from(s, 'base64url'));
    if (!ok) throw new JwtError('bad signature');
  }
  const c = b64json(p);
  const t = Math.floor(now.getTime() / 1000);
  const skew = policy.clockSkewS ?? 60;
  const num = (k: string) => (c[k] === undefined ? undefined : typeof c[k] === 'number' ? (c[k] as number) : NaN);
  const exp = num('exp'), nbf = num('nbf'), iat = num('iat');
  if ([exp, nbf, iat].some((v) => Number.isNaN(v))) throw new JwtError('malformed time claim');
  if (exp === undefined) throw new JwtError('token has no expiry');
  if (t > exp + skew) throw new JwtError('token expired');
  if (nbf !== undefined && t + skew < nbf) throw new JwtError('token not yet valid');
  if (iat !== undefined && iat > t + skew) throw new JwtError('token issued in the future');
  if (policy.maxAgeS !== undefined && iat !== undefined && t - iat > policy.maxAgeS + skew) throw new JwtError('token too old');
  if (policy.issuer !== undefined && c.iss !== policy.issuer) throw new JwtError('wrong issuer');
  if (policy.audience !== undefined) {
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(policy.audience)) throw new JwtError('wrong audience');
  }
  if (typeof c.sub !== 'string' || !c.sub || c.sub.length > 200) throw new JwtError('token has no subject');
  return c as JwtClaims;
}
