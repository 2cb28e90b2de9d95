import type { SmsProvider, SmsSendRequest } from './sms-provider.ts';

/**
 * Sends nothing: SmsService stores the message (status 'recorded') and this returns an id. The default when a
 * tenant has no gateway configured, in tests, and for the console's "messages sent" view (and the identity
 * verification code of a later issue, whose tests read the code from the record).
 */
export class RecordingSmsProvider implements SmsProvider {
  readonly kind = 'recording';
  async send(req: SmsSendRequest): Promise<{ providerId: string }> {
    return { providerId: `rec:${req.idempotencyKey}` };
  }
}
