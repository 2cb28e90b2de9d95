import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp } from '../../testing/app.ts';
import { AppError } from '../../platform/errors.ts';
import type { Deps } from '../../compose.ts';
import { IdentityVerificationService } from './identity-verification-service.ts';
import { PgIdentityRepository } from './pg-identity-repository.ts';

const SECRET = 'test-installation-secret';
const MIN = 60_000;

for (const variant of await bothDatabases()) {
  describe(`identity verification on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let tenantId = '';
    let otherTenantId = '';
    let svc: IdentityVerificationService;
    // The service's own clock, moved by the tests (codes expire, throttles pass, locks end).
    let nowMs = Date.parse('2030-01-01T00:00:00Z');
    const clock = { now: () => new Date(nowMs) };
    const advance = (ms: number) => { nowMs += ms; };

    before(async () => {
      const { deps } = env;
      tenantId = (await deps.tenancy.findTenantBySlug('demo'))!.id;
      otherTenantId = (await deps.tenancy.createTenant('other-bank', '另一家银行')).id;
      svc = new IdentityVerificationService({
        repo: new PgIdentityRepository(deps.db), sms: deps.sms, coordination: deps.coordination, audit: deps.audit, clock,
        secret: SECRET, bankName: '示例银行',
      });
    });

    /** The code as the customer received it: read from the recording provider's stored message. */
    const codeOf = async (challengeId: string, t = tenantId) => {
      const msg = (await env.deps.sms.list(t, { limit: 200 })).find((m) => m.idempotencyKey === `identity-otp:${challengeId}`);
      assert.ok(msg, 'the code was sent');
      const m = /^【示例银行】您的验证码为(\d{6})，5分钟内有效。请勿泄露给他人。$/.exec(msg.body);
      assert.ok(m, `unexpected SMS text: ${msg.body}`);
      return m[1];
    };
    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const start = (phone: string, conversationId = `cv_${phone.slice(-4)}`) => svc.start({ tenantId, conversationId, phone, purpose: 'balance' });
    const refusal = (reason: string) => (err: unknown) => err instanceof AppError && err.code === 'rate_limited' && (err.details as { reason: string }).reason === reason;
    /** Kills a challenge with wrong codes; returns the last result. */
    const kill = async (challengeId: string, code: string) => {
      let r;
      for (let i = 0; i < 5; i++) r = await svc.check({ tenantId, challengeId, code: wrong(code) });
      return r!;
    };

    test('happy path: the code arrives by SMS, verifies the conversation, and is stored and audited only hashed and masked', async () => {
      const phone = '+86 138 0000 0001';
      const started = await start(phone, 'cv_happy');
      assert.equal(started.maskedPhone, '138****0001');
      assert.equal(started.expiresAt.getTime(), nowMs + 5 * MIN);
      assert.equal(await svc.isVerified(tenantId, 'cv_happy'), false);
      const code = await codeOf(started.challengeId);

      assert.deepEqual(await svc.check({ tenantId, challengeId: started.challengeId, code }), { ok: true });
      assert.equal(await svc.isVerified(tenantId, 'cv_happy'), true);
      const v = await svc.verification(tenantId, 'cv_happy');
      assert.equal(v?.via, 'otp');
      assert.equal(v?.phoneHash, svc.phoneHash('13800000001'));

      const rows = JSON.stringify(await env.deps.db.query('SELECT * FROM identity_challenges WHERE id = $1', [started.challengeId]));
      assert.ok(!rows.includes('13800000001') && !rows.includes(code), 'no clear phone or code at rest');
      const audit = await env.deps.audit.list(tenantId, { actor: 'customer:cv_happy' });
      assert.deepEqual(audit.map((a) => a.action).reverse(), ['identity.start', 'identity.check', 'identity.verified']);
      const text = JSON.stringify(audit);
      assert.ok(text.includes('138****0001'));
      assert.ok(!text.includes('13800000001') && !text.includes(code), 'audit holds the masked phone only, never the code');
    });

    test('five wrong codes kill the challenge: even the right code fails afterwards', async () => {
      const { challengeId } = await start('13800000002');
      const code = await codeOf(challengeId);
      for (const left of [4, 3, 2, 1]) {
        assert.deepEqual(await svc.check({ tenantId, challengeId, code: wrong(code) }), { ok: false, reason: 'wrong_code', attemptsLeft: left });
      }
      assert.deepEqual(await svc.check({ tenantId, challengeId, code: wrong(code) }), { ok: false, reason: 'too_many_attempts', attemptsLeft: 0 });
      assert.deepEqual(await svc.check({ tenantId, challengeId, code }), { ok: false, reason: 'too_many_attempts', attemptsLeft: 0 });
      assert.equal(await svc.isVerified(tenantId, 'cv_0002'), false);
    });

    test('input that is not a code counts as a wrong attempt', async () => {
      const { challengeId } = await start('13800000009');
      assert.deepEqual(await svc.check({ tenantId, challengeId, code: '没收到' }), { ok: false, reason: 'wrong_code', attemptsLeft: 4 });
      assert.deepEqual(await svc.check({ tenantId, challengeId, code: ` ${await codeOf(challengeId)} ` }), { ok: true });
    });

    test('an expired code fails even when right', async () => {
      const { challengeId } = await start('13800000003');
      const code = await codeOf(challengeId);
      advance(5 * MIN);
      assert.deepEqual(await svc.check({ tenantId, challengeId, code }), { ok: false, reason: 'expired', attemptsLeft: 0 });
      assert.equal(await svc.isVerified(tenantId, 'cv_0003'), false);
    });

    test('a code is single-use', async () => {
      const { challengeId } = await start('13800000004');
      const code = await codeOf(challengeId);
      assert.deepEqual(await svc.check({ tenantId, challengeId, code }), { ok: true });
      assert.deepEqual(await svc.check({ tenantId, challengeId, code }), { ok: false, reason: 'expired', attemptsLeft: 0 });
    });

    test('three dead challenges within 30 minutes lock the phone for 30 minutes', async () => {
      const phone = '13800000005';
      const results = [];
      for (let i = 0; i < 3; i++) {
        const { challengeId } = await start(phone);
        results.push(await kill(challengeId, await codeOf(challengeId)));
        advance(61_000);
      }
      assert.deepEqual(results.map((r) => r.ok ? 'ok' : r.reason), ['too_many_attempts', 'too_many_attempts', 'locked']);
      await assert.rejects(start(phone), refusal('locked'));
      const locks = await env.deps.audit.list(tenantId, { action: 'identity.lock' });
      assert.equal(locks.length, 1);
      assert.equal(locks[0].details?.phone, '138****0005');
      assert.ok(!JSON.stringify(locks).includes(phone));

      advance(30 * MIN);
      const { challengeId } = await start(phone);
      assert.deepEqual(await svc.check({ tenantId, challengeId, code: await codeOf(challengeId) }), { ok: true }, 'the lock has ended');
    });

    test('a locked phone rejects the right code of a challenge sent before the lock', async () => {
      const phone = '13800000006';
      const { challengeId: pending } = await start(phone, 'cv_a');
      const pendingCode = await codeOf(pending);
      // Lock the phone through another conversation; the lock is checked before anything else about a challenge.
      for (let i = 0; i < 3; i++) {
        advance(61_000);
        const { challengeId } = await start(phone, 'cv_b');
        await kill(challengeId, await codeOf(challengeId));
      }
      assert.deepEqual(await svc.check({ tenantId, challengeId: pending, code: pendingCode }), { ok: false, reason: 'locked', attemptsLeft: 0 });
    });

    test('resend is throttled to once a minute and five an hour; a resend replaces the previous code', async () => {
      const phone = '13800000007';
      nowMs = Math.ceil(nowMs / 3600_000) * 3600_000; // the hourly count is per clock hour: start on a fresh one
      const first = await start(phone);
      const firstCode = await codeOf(first.challengeId);
      await assert.rejects(start(phone), (err: unknown) => refusal('resend_too_soon')(err) && (err as AppError).details !== undefined
        && (err as AppError & { details: { retryAfterSeconds: number } }).details.retryAfterSeconds === 60);
      advance(59_000);
      await assert.rejects(start(phone), refusal('resend_too_soon'));
      advance(1_000);
      const second = await start(phone);
      assert.deepEqual(await svc.check({ tenantId, challengeId: first.challengeId, code: firstCode }), { ok: false, reason: 'expired', attemptsLeft: 0 });
      for (let i = 3; i <= 5; i++) {
        advance(61_000);
        await start(phone);
      }
      advance(61_000);
      await assert.rejects(start(phone), refusal('hourly_limit'));
      assert.ok(second.challengeId);
      const sent = (await env.deps.sms.list(tenantId, { to: phone })).length;
      assert.equal(sent, 5);
    });

    test('verification lasts the session time; app-token verification skips the code', async () => {
      await svc.markVerified(tenantId, 'cv_app', { via: 'app_token', phoneHash: svc.phoneHash('13800000008') });
      assert.equal(await svc.isVerified(tenantId, 'cv_app'), true);
      assert.equal((await svc.verification(tenantId, 'cv_app'))?.via, 'app_token');
      assert.equal(await svc.isVerified(otherTenantId, 'cv_app'), false);
      advance(30 * MIN - 1);
      assert.equal(await svc.isVerified(tenantId, 'cv_app'), true);
      advance(1);
      assert.equal(await svc.isVerified(tenantId, 'cv_app'), false);
      await svc.markVerified(tenantId, 'cv_app', { via: 'app_token', phoneHash: svc.phoneHash('13800000008') });
      await svc.revoke(tenantId, 'cv_app');
      assert.equal(await svc.isVerified(tenantId, 'cv_app'), false);
    });

    test('another tenant cannot check a challenge, nor spend its attempts', async () => {
      const { challengeId } = await start('13800000010');
      const code = await codeOf(challengeId);
      await assert.rejects(svc.check({ tenantId: otherTenantId, challengeId, code }), (err: unknown) => err instanceof AppError && err.code === 'not_found');
      await assert.rejects(svc.check({ tenantId: otherTenantId, challengeId, code: wrong(code) }), (err: unknown) => err instanceof AppError && err.code === 'not_found');
      assert.deepEqual(await svc.check({ tenantId, challengeId, code }), { ok: true });
    });

    test('concurrent checks: the right code verifies once, wrong ones never count past the limit', async () => {
      const a = await start('13800000011');
      const codeA = await codeOf(a.challengeId);
      const oks = await Promise.all(Array.from({ length: 6 }, () => svc.check({ tenantId, challengeId: a.challengeId, code: codeA })));
      assert.equal(oks.filter((r) => r.ok).length, 1);

      const b = await start('13800000012');
      const codeB = await codeOf(b.challengeId);
      const bad = await Promise.all(Array.from({ length: 8 }, () => svc.check({ tenantId, challengeId: b.challengeId, code: wrong(codeB) })));
      assert.equal(bad.filter((r) => !r.ok && r.reason === 'wrong_code').length, 4);
      assert.equal(bad.filter((r) => !r.ok && r.reason === 'too_many_attempts').length, 4);
      const [row] = await env.deps.db.query('SELECT attempts, status FROM identity_challenges WHERE id = $1', [b.challengeId]);
      assert.deepEqual({ attempts: Number(row.attempts), status: row.status }, { attempts: 5, status: 'dead' });
    });

    test('a number that is not a phone is refused before anything is sent', async () => {
      await assert.rejects(start('12345'), (err: unknown) => err instanceof AppError && err.code === 'validation_failed');
    });
  });
}
