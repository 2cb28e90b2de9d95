import { AppError } from '../../platform/errors.ts';
import { hmacSha256Hex } from '../../platform/crypto.ts';
import { newId } from '../../platform/ids.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import { canonicalIdentity, maskIdentity } from '../contacts/contact-service.ts';
import { VendorError } from '../channels/core/vendor-http.ts';
import { HttpSmsProvider, HttpSmsSettings } from './http-sms-provider.ts';
import { RecordingSmsProvider } from './recording-sms-provider.ts';
import type { SmsProvider } from './sms-provider.ts';
import type { SmsRecord, SmsRepository } from './sms-repository.ts';
import { segmentSms } from './sms-segments.ts';

/** A 'sending' row older than this belongs to a node that died mid-send and may be taken over. */
const STALE_SENDING_MS = 5 * 60_000;

export type SmsSendResult = { providerId: string; duplicate: boolean; messageId: string };

/**
 * Outbound SMS with a durable log: every message is recorded under its idempotency key before the provider is
 * called, so the same key is never sent twice (a retried job gets the first result back), and the console can
 * list what went out. Also keeps the per-tenant opt-out list (退订). Phone numbers are stored hashed and masked.
 */
export class SmsService {
  readonly recording = new RecordingSmsProvider();

  constructor(private d: { repo: SmsRepository; hashKey: string; clock: Clock; logger: Logger }) {}

  phoneHash(phone: string) {
    return hmacSha256Hex(this.d.hashKey, `phone:${canonicalIdentity('phone', phone)}`);
  }

  /** The provider a channel config describes: the generic HTTP gateway when configured, else the recording one. */
  providerFrom(settings: unknown, secret: string | undefined): SmsProvider {
    if (!settings) return this.recording;
    return new HttpSmsProvider(HttpSmsSettings.parse(settings), secret, this.d.clock);
  }

  async send(tenantId: string, provider: SmsProvider, req: { to: string; text: string; idempotencyKey: string; sensitive?: boolean }): Promise<SmsSendResult> {
    const to = canonicalIdentity('phone', req.to);
    const seg = segmentSms(req.text);
    const recording = provider.kind === 'recording';
    const { row, inserted } = await this.d.repo.insertOnce({
      id: newId('sms'), tenantId, idempotencyKey: req.idempotencyKey, toHash: this.phoneHash(to), toMasked: maskIdentity('phone', to),
      // The recording provider's log is what tests and the console read; a real gateway's log keeps no one-time codes.
      body: req.sensitive && !recording ? '[redacted]' : req.text, encoding: seg.encoding, parts: seg.parts.length, provider: provider.kind,
      status: recording ? 'recorded' : 'sending', providerId: recording ? `rec:${req.idempotencyKey}` : null,
    });
    if (recording) return { providerId: row.providerId ?? `rec:${req.idempotencyKey}`, duplicate: !inserted, messageId: row.id };
    if (!inserted) {
      if (row.status === 'sent' || row.status === 'recorded') return { providerId: row.providerId ?? '', duplicate: true, messageId: row.id };
      const stale = new Date(this.d.clock.now().getTime() - STALE_SENDING_MS);
      if (!(await this.d.repo.claimForSend(tenantId, row.id, ['failed'], stale))) throw new AppError('conflict', 'this message is being sent already');
    }
    try {
      const { providerId } = await provider.send({ to, text: req.text, idempotencyKey: req.idempotencyKey });
      await this.d.repo.markSent(tenantId, row.id, providerId);
      return { providerId, duplicate: false, messageId: row.id };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      await this.d.repo.markFailed(tenantId, row.id, msg);
      this.d.logger.warn({ sms: row.id, err: msg }, 'SMS send failed');
      if (err instanceof VendorError) throw new AppError('unavailable', `SMS could not be sent: ${msg}`);
      throw err;
    }
  }

  /** Messages as logged, newest first (for a phone when given). */
  list(tenantId: string, q: { to?: string; limit?: number } = {}): Promise<SmsRecord[]> {
    return this.d.repo.list(tenantId, { toHash: q.to ? this.phoneHash(q.to) : undefined, limit: q.limit ?? 50 });
  }

  isOptedOut(tenantId: string, phone: string) { return this.d.repo.isOptedOut(tenantId, this.phoneHash(phone)); }
  optOut(tenantId: string, phone: string) { return this.d.repo.optOut(tenantId, this.phoneHash(phone)); }
  optIn(tenantId: string, phone: string) { return this.d.repo.optIn(tenantId, this.phoneHash(phone)); }
}
