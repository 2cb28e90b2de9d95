import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { verifyJwt, JwtError } from './jwt.ts';

// RFC 7515 Appendix A.1: the HS256 example JWS (key k from its JWK, base64url). Its claims have no `sub`, so the
// signature check passes and the subject check is what fails — at a time before its exp (1300819380).
const RFC_TOKEN = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_KEY = Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url');

test('RFC 7515 A.1 example: the signature verifies (and the missing subject is then refused)', () => {
  assert.throws(() => verifyJwt(RFC_TOKEN, { alg: 'HS256', secret: RFC_KEY }, {}, new Date(1300819000_000)), /no subject/);
  const tampered = RFC_TOKEN.slice(0, -3) + 'AXk';
  assert.throws(() => verifyJwt(tampered, { alg: 'HS256', secret: RFC_KEY }, {}, new Date(1300819000_000)), /bad signature/);
});

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const hs = (claims: object, secret = 'app-secret', header: object = { alg: 'HS256', typ: 'JWT' }) => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const now = new Date('2025-01-01T00:00:00Z');
const t = Math.floor(now.getTime() / 1000);
const HS = { alg: 'HS256' as const, secret: 'app-secret' };

test('a valid HS256 token gives its claims; issuer and audience are checked when configured', () => {
  const c = verifyJwt(hs({ sub: 'u1', iat: t, exp: t + 300, iss: 'bank-app', aud: ['lingxi'] }), HS, { issuer: 'bank-app', audience: 'lingxi' }, now);
  assert.equal(c.sub, 'u1');
  assert.throws(() => verifyJwt(hs({ sub: 'u1', exp: t + 300, iss: 'other' }), HS, { issuer: 'bank-app' }, now), /issuer/);
  assert.throws(() => verifyJwt(hs({ sub: 'u1', exp: t + 300, aud: 'x' }), HS, { audience: 'lingxi' }, now), /audience/);
});

test('time claims: expired, not yet valid, issued in the future, too old, no expiry — all refused (60 s skew allowed)', () => {
  assert.ok(verifyJwt(hs({ sub: 'u', exp: t - 30 }), HS, {}, now));
  assert.throws(() => verifyJwt(hs({ sub: 'u', exp: t - 61 }), HS, {}, now), /expired/);
  assert.throws(() => verifyJwt(hs({ sub: 'u', exp: t + 600, nbf: t + 120 }), HS, {}, now), /not yet/);
  assert.throws(() => verifyJwt(hs({ sub: 'u', exp: t + 600, iat: t + 120 }), HS, {}, now), /future/);
  assert.throws(() => verifyJwt(hs({ sub: 'u', exp: t + 600, iat: t - 7200 }), HS, { maxAgeS: 3600 }, now), /too old/);
  assert.throws(() => verifyJwt(hs({ sub: 'u' }), HS, {}, now), /no expiry/);
  assert.throws(() => verifyJwt(hs({ sub: 'u', exp: String(t + 60) }), HS, {}, now), /malformed/);
});

test('alg none, a wrong secret and garbage are refused', () => {
  const none = `${b64({ alg: 'none' })}.${b64({ sub: 'u', exp: t + 60 })}.`;
  assert.throws(() => verifyJwt(none, HS, {}, now), JwtError);
  assert.throws(() => verifyJwt(`${b64({ alg: 'none' })}.${b64({ sub: 'u', exp: t + 60 })}.x`, HS, {}, now), /algorithm/);
  assert.throws(() => verifyJwt(hs({ sub: 'u', exp: t + 60 }, 'other-secret'), HS, {}, now), /bad signature/);
  for (const g of ['', 'a.b', 'a.b.c.d', '!!.??.##']) assert.throws(() => verifyJwt(g, HS, {}, now), JwtError);
});

test('RS256: a token signed with the private key verifies; an HS256 token keyed with the public key (algorithm confusion) does not', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'u9', exp: t + 60, phone_number: '13800138000', phone_number_verified: true })}`;
  const rs = `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
  const RS = { alg: 'RS256' as const, publicKeyPem: pem };
  assert.equal(verifyJwt(rs, RS, {}, now).phone_number, '13800138000');
  assert.throws(() => verifyJwt(hs({ sub: 'u9', exp: t + 60 }, pem), RS, {}, now), /algorithm must be RS256/);
  assert.throws(() => verifyJwt(rs.slice(0, -4) + 'AAAA', RS, {}, now), /bad signature/);
});
