export type ChallengeStatus = 'pending' | 'verified' | 'dead' | 'superseded' | 'failed';
export type VerifiedVia = 'otp' | 'app_token';

export type Challenge = {
  id: string;
  tenantId: string;
  conversationId: string;
  purpose: string;
  phoneHash: string;
  phoneMasked: string;
  codeHmac: string;
  status: ChallengeStatus;
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
};
export type NewChallenge = Omit<Challenge, 'status' | 'attempts' | 'closedAt'>;

export type Verification = { tenantId: string; conversationId: string; via: VerifiedVia; phoneHash: string; verifiedAt: Date; expiresAt: Date };

/** Storage of identity verification. Every query is scoped to a tenant; all times are passed in (the service's clock). */
export type IdentityRepository = {
  /** Claims the right to send a code to this phone: true (and records `now`) when the last send was at or before `notAfter`. */
  claimSendSlot(tenantId: string, phoneHash: string, now: Date, notAfter: Date): Promise<boolean>;
  lastSentAt(tenantId: string, phoneHash: string): Promise<Date | null>;
  lockedUntil(tenantId: string, phoneHash: string): Promise<Date | null>;
  lock(tenantId: string, phoneHash: string, until: Date): Promise<void>;
  /** Inserts a pending challenge and marks the phone's other pending challenges superseded (only the newest code works). */
  insertChallenge(c: NewChallenge): Promise<void>;
  findChallenge(tenantId: string, id: string): Promise<Challenge | null>;
  /** pending → status (verified/failed), atomically; false when the challenge was no longer pending. */
  closeChallenge(tenantId: string, id: string, status: 'verified' | 'failed', at: Date, maxAttempts: number): Promise<boolean>;
  /** Counts one wrong attempt on a pending challenge; it dies at maxAttempts. Null when it was no longer pending. */
  recordWrongAttempt(tenantId: string, id: string, at: Date, maxAttempts: number): Promise<{ attempts: number; status: ChallengeStatus } | null>;
  countDead(tenantId: string, phoneHash: string, since: Date): Promise<number>;
  upsertVerification(v: Verification): Promise<void>;
  findVerification(tenantId: string, conversationId: string): Promise<Verification | null>;
  deleteVerification(tenantId: string, conversationId: string): Promise<void>;
};
