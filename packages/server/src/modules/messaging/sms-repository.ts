export type SmsStatus = 'recorded' | 'sending' | 'sent' | 'failed';
export type SmsRecord = {
  id: string;
  tenantId: string;
  idempotencyKey: string;
  toMasked: string;
  body: string;
  encoding: string;
  parts: number;
  provider: string;
  providerId: string | null;
  status: SmsStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
};
export type NewSms = Pick<SmsRecord, 'id' | 'tenantId' | 'idempotencyKey' | 'toMasked' | 'body' | 'encoding' | 'parts' | 'provider' | 'status'> & { toHash: string; providerId?: string | null };

export type SmsRepository = {
  /** Inserts unless the tenant already has a message with this idempotency key; returns the stored row either way. */
  insertOnce(m: NewSms): Promise<{ row: SmsRecord; inserted: boolean }>;
  /** Moves a message from one of `from` statuses to 'sending' (counting the attempt); false when someone else did. */
  claimForSend(tenantId: string, id: string, from: SmsStatus[], staleBefore: Date): Promise<boolean>;
  markSent(tenantId: string, id: string, providerId: string): Promise<void>;
  markFailed(tenantId: string, id: string, error: string): Promise<void>;
  list(tenantId: string, q: { toHash?: string; limit: number }): Promise<SmsRecord[]>;
  isOptedOut(tenantId: string, phoneHash: string): Promise<boolean>;
  /** True when this call changed the state (so that one confirmation is sent, not one per repeated keyword). */
  optOut(tenantId: string, phoneHash: string): Promise<boolean>;
  optIn(tenantId: string, phoneHash: string): Promise<boolean>;
};
