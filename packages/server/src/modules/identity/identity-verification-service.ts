import { AppError, notFound } from '../../platform/errors.ts';
import { hmacSha256Hex, safeEqual } from '../../platform/crypto.ts';
import { newId } from '../../platform/ids.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SmsProvider } from '../messaging/sms-provider.ts';
import type { SmsService } from '../messaging/sms-service.ts';
import type { Challenge, IdentityRepository, Verification, VerifiedVia } from './identity-repository.ts';
import { codeHmac, generateCode, maskPhone, normalizeCode, normalizePhone, otpText } from './otp.ts';

export type IdentityVerificationSettings = {
  /** How long a code is valid (default 5 min). */
  codeTtlMs: number;
  /** Minimum time between two codes to the same phone (default 60 s). */
  resendAfterMs: number;
  /** Codes per phone per clock hour (default 5). */
  maxSendsPerHour: number;
  /** Wrong attempts that kill a challenge (default 5). */
  maxAttempts: number;
  /** Dead challenges of one phone within lockWindowMs that lock it (default 3 within 30 min). */
  lockAfterDead: number;
  lockWindowMs: number;
  /** How long a locked phone stays locked (default 30 min). */
  lockForMs: number;
  /** How long a verified conversation stays verified (default 30 min). */
  sessionTtlMs: number;
};

export const DEFAULT_IDENTITY_SETTINGS: IdentityVerificationSettings = {
  codeTtlMs: 5 * 60_000,
  resendAfterMs: 60_000,
  maxSendsPerHour: 5,
  maxAttempts: 5,
  lockAfterDead: 3,
  lockWindowMs: 30 * 60_000,
  lockForMs: 30 * 60_000,
  sessionTtlMs: 30 * 60_000,
};

export type IdentityVerificationDeps = {
  repo: IdentityRepository;
  sms: SmsService;
  coordination: Coordination;
  audit: AuditLog;
  clock: Clock;
  /** The installation secret: keys the code HMAC and the phone hash. */
  secret: string;
  /** The bank's name in the SMS signature (【示例银行】). */
  bankName: string | ((tenantId: string) => string | Promise<string>);
  /** The tenant's SMS gateway; the recording provider when absent. */
  provider?: (tenantId: string) => SmsProvider | Promise<SmsProvider>;
  settings?: Partial<IdentityVerificationSettings>;
};

export type StartInput = { tenantId: string; conversationId: string; phone: string; purpose: string };
export type StartResult = { challengeId: string; maskedPhone: string; expiresAt: Date };
export type CheckFailure = 'wrong_code' | 'expired' | 'locked' | 'too_many_attempts';
export type CheckResult = { ok: true } | { ok: false; reason: CheckFailure; attemptsLeft: number };

/** Why start() refused, in AppError('rate_limited').details.reason. */
export type StartRefusal = 'locked' | 'resend_too_soon' | 'hourly_limit';

/** Audit actor for what the customer does in a conversation. */
const actorOf = (conversationId: string) => `customer:${conversationId}`;

/**
 * Proves that the person in a conversation holds a phone, by a one-time code sent by SMS, before the bot shows
 * personal data. Only an HMAC of the code is stored; codes expire, are single-use, die after too many wrong
 * attempts, and too many dead codes lock the phone for a while. A conversation stays verified for a session time;
 * channels that carry a verified identity (the app's signed customer token) call markVerified and skip the code.
 * Audit entries carry the masked phone only; neither the code nor the clear phone is logged anywhere.
 */
export class IdentityVerificationService {
  readonly settings: IdentityVerificationSettings;
  private codeKey: string;
  private phoneKey: string;

  constructor(private d: IdentityVerificationDeps) {
    this.settings = { ...DEFAULT_IDENTITY_SETTINGS, ...d.settings };
    this.codeKey = `identity-otp:${d.secret}`;
    this.phoneKey = `identity-phone:${d.secret}`;
  }

  /** The keyed hash under which a phone is stored (pass it to markVerified for a channel-verified customer). */
  phoneHash(phone: string): string {
    const p = normalizePhone(phone);
    if (!p) throw new AppError('validation_failed', 'not a valid mobile number');
    return hmacSha256Hex(this.phoneKey, `phone:${p}`);
  }

  async start(input: StartInput): Promise<StartResult> {
    const { tenantId, conversationId, purpose } = input;
    const phone = normalizePhone(input.phone);
    if (!phone) throw new AppError('validation_failed', 'not a valid mobile number');
    const phoneHash = this.phoneHash(phone);
    const maskedPhone = maskPhone(phone);
    const now = this.d.clock.now();
    const s = this.settings;
    const refuse = async (reason: StartRefusal, retryAt: Date, message: string): Promise<never> => {
      const retryAfterSeconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
      await this.audit(tenantId, conversationId, 'identity.start', undefined, { phone: maskedPhone, purpose, result: reason, retryAfterSeconds });
      throw new AppError('rate_limited', message, { reason, retryAfterSeconds });
    };

    const lockedUntil = await this.d.repo.lockedUntil(tenantId, phoneHash);
    if (lockedUntil && lockedUntil > now) {
      await refuse('locked', lockedUntil, 'this phone is locked after too many failed verifications; try again later');
    }
    if (!(await this.d.repo.claimSendSlot(tenantId, phoneHash, now, new Date(now.getTime() - s.resendAfterMs)))) {
      const last = (await this.d.repo.lastSentAt(tenantId, phoneHash)) ?? now;
      await refuse('resend_too_soon', new Date(last.getTime() + s.resendAfterMs), `a code was sent less than ${Math.round(s.resendAfterMs / 1000)} s ago`);
    }
    const hour = Math.floor(now.getTime() / 3600_000);
    const sends = await this.d.coordination.incr(`identity:otp-sends:${tenantId}:${phoneHash}:${hour}`, 2 * 3600_000);
    if (sends > s.maxSendsPerHour) {
      await refuse('hourly_limit', new Date((hour + 1) * 3600_000), `at most ${s.maxSendsPerHour} codes per hour may be sent to one phone`);
    }

    const challengeId = newId('otp');
    const code = generateCode();
    const expiresAt = new Date(now.getTime() + s.codeTtlMs);
    await this.d.repo.insertChallenge({
      id: challengeId, tenantId, conversationId, purpose, phoneHash, phoneMasked: maskedPhone,
      codeHmac: codeHmac(this.codeKey, challengeId, code), createdAt: now, expiresAt,
    });
    const bankName = typeof this.d.bankName === 'function' ? await this.d.bankName(tenantId) : this.d.bankName;
    const provider = this.d.provider ? await this.d.provider(tenantId) : this.d.sms.recording;
    try {
      await this.d.sms.send(tenantId, provider, { to: phone, text: otpText(bankName, code, s.codeTtlMs), idempotencyKey: `identity-otp:${challengeId}`, sensitive: true });
    } catch (err) {
      await this.d.repo.closeChallenge(tenantId, challengeId, 'failed', now, s.maxAttempts);
      await this.audit(tenantId, conversationId, 'identity.start', challengeId, { phone: maskedPhone, purpose, result: 'send_failed' });
      throw err;
    }
    await this.audit(tenantId, conversationId, 'identity.start', challengeId, { phone: maskedPhone, purpose, result: 'sent', expiresAt: expiresAt.toISOString() });
    return { challengeId, maskedPhone, expiresAt };
  }

  async check(input: { tenantId: string; challengeId: string; code: string }): Promise<CheckResult> {
    const { tenantId, challengeId } = input;
    const c = await this.d.repo.findChallenge(tenantId, challengeId);
    if (!c) throw notFound('verification challenge');
    const now = this.d.clock.now();
    const result = await this.evaluate(c, input.code, now);
    await this.audit(tenantId, c.conversationId, 'identity.check', c.id, {
      phone: c.phoneMasked, purpose: c.purpose, result: result.ok ? 'ok' : result.reason, ...(result.ok ? {} : { attemptsLeft: result.attemptsLeft }),
    });
    if (result.ok) await this.markVerified(tenantId, c.conversationId, { via: 'otp', phoneHash: c.phoneHash });
    return result;
  }

  private async evaluate(c: Challenge, input: string, now: Date): Promise<CheckResult> {
    const s = this.settings;
    const lockedUntil = await this.d.repo.lockedUntil(c.tenantId, c.phoneHash);
    if (lockedUntil && lockedUntil > now) return { ok: false, reason: 'locked', attemptsLeft: 0 };
    const closed = this.closedReason(c, now);
    if (closed) return closed;

    const code = normalizeCode(input);
    // Always compare (a malformed input against a dummy) so that timing says nothing about the stored value.
    const right = safeEqual(codeHmac(this.codeKey, c.id, code ?? 'invalid'), c.codeHmac) && code !== null;
    if (right) {
      if (await this.d.repo.closeChallenge(c.tenantId, c.id, 'verified', now, s.maxAttempts)) return { ok: true };
      return this.reread(c, now); // used by a concurrent check, or killed by concurrent wrong attempts
    }
    const after = await this.d.repo.recordWrongAttempt(c.tenantId, c.id, now, s.maxAttempts);
    if (!after) return this.reread(c, now);
    if (after.status !== 'dead') return { ok: false, reason: 'wrong_code', attemptsLeft: s.maxAttempts - after.attempts };
    if (await this.lockIfNeeded(c, now)) return { ok: false, reason: 'locked', attemptsLeft: 0 };
    return { ok: false, reason: 'too_many_attempts', attemptsLeft: 0 };
  }

  /** Why a challenge can no longer succeed, or null while it can. */
  private closedReason(c: Challenge, now: Date): CheckResult | null {
    if (c.status === 'dead') return { ok: false, reason: 'too_many_attempts', attemptsLeft: 0 };
    // Used, replaced by a newer code, or never delivered: the code is no longer valid.
    if (c.status !== 'pending') return { ok: false, reason: 'expired', attemptsLeft: 0 };
    if (now.getTime() >= c.expiresAt.getTime()) return { ok: false, reason: 'expired', attemptsLeft: 0 };
    return null;
  }

  private async reread(c: Challenge, now: Date): Promise<CheckResult> {
    const fresh = await this.d.repo.findChallenge(c.tenantId, c.id);
    return (fresh && this.closedReason(fresh, now)) ?? { ok: false, reason: 'expired', attemptsLeft: 0 };
  }

  /** After a challenge died: locks the phone when enough of its challenges died recently. */
  private async lockIfNeeded(c: Challenge, now: Date): Promise<boolean> {
    const s = this.settings;
    // Deaths up to the end of an earlier lock were punished by it already.
    const previousLock = await this.d.repo.lockedUntil(c.tenantId, c.phoneHash);
    const windowStart = new Date(Math.max(now.getTime() - s.lockWindowMs, previousLock?.getTime() ?? 0));
    const dead = await this.d.repo.countDead(c.tenantId, c.phoneHash, windowStart);
    if (dead < s.lockAfterDead) return false;
    const until = new Date(now.getTime() + s.lockForMs);
    await this.d.repo.lock(c.tenantId, c.phoneHash, until);
    await this.audit(c.tenantId, c.conversationId, 'identity.lock', c.id, { phone: c.phoneMasked, deadChallenges: dead, lockedUntil: until.toISOString() });
    return true;
  }

  /** Marks a conversation verified for the session time (after a code, or for a channel that carries a signed identity). */
  async markVerified(tenantId: string, conversationId: string, v: { via: VerifiedVia; phoneHash: string }): Promise<{ expiresAt: Date }> {
    const now = this.d.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.sessionTtlMs);
    await this.d.repo.upsertVerification({ tenantId, conversationId, via: v.via, phoneHash: v.phoneHash, verifiedAt: now, expiresAt });
    await this.audit(tenantId, conversationId, 'identity.verified', conversationId, { via: v.via, expiresAt: expiresAt.toISOString() });
    return { expiresAt };
  }

  /** The conversation's live verification (who, how, until when), or null. */
  async verification(tenantId: string, conversationId: string): Promise<Verification | null> {
    const v = await this.d.repo.findVerification(tenantId, conversationId);
    return v && v.expiresAt > this.d.clock.now() ? v : null;
  }

  async isVerified(tenantId: string, conversationId: string): Promise<boolean> {
    return (await this.verification(tenantId, conversationId)) !== null;
  }

  /** Ends a verified session early (the customer logs out, or an agent revokes it). */
  async revoke(tenantId: string, conversationId: string): Promise<void> {
    await this.d.repo.deleteVerification(tenantId, conversationId);
    await this.audit(tenantId, conversationId, 'identity.revoked', conversationId, {});
  }

  private audit(tenantId: string, conversationId: string, action: string, target: string | undefined, details: Record<string, unknown>) {
    return this.d.audit.record({ tenantId, actor: actorOf(conversationId), action, target, details: { conversationId, ...details } });
  }
}
