/**
 * The SMS provider port. `idempotencyKey` names one logical message for good: sending it again (a retry after a
 * timeout, a redelivered job) must not reach the phone twice — providers pass it to gateways that deduplicate and
 * SmsService refuses a second send of a key that already went out.
 */
export type SmsSendRequest = { to: string; text: string; idempotencyKey: string };
export type SmsProvider = {
  /** 'recording' or 'http' (for the log). */
  readonly kind: string;
  send(req: SmsSendRequest): Promise<{ providerId: string }>;
};
