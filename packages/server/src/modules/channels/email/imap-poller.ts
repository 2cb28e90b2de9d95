import { ImapFlow } from 'imapflow';
import type { Coordination } from '../../../platform/coordination.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { EmailChannel } from './email-config.ts';
import type { EmailRepository } from './email-repository.ts';
import type { EmailService, ReceiveResult } from './email-service.ts';

export type PollResult = { skipped?: 'locked' | 'no_imap'; fetched: number; results: ReceiveResult[]; tooLarge: number };

/** Messages handled per poll: bounds the time the mailbox lock is held; the rest wait for the next poll. */
const MAX_PER_POLL = 200;
const LOCK_TTL_MS = 10 * 60_000;

/**
 * Reads a bot's mailbox by IMAP. Position is the last UID processed under the mailbox's UIDVALIDITY (RFC 3501
 * 2.3.1.1), stored in the database, so a restart continues where it stopped and never re-reads the mailbox; a
 * coordination lock per channel keeps two nodes from polling the same mailbox at once. Message-ID dedupe in the
 * service covers the rest (a crash between processing and storing the UID, a UIDVALIDITY reset).
 */
export class ImapPoller {
  constructor(private d: { repo: EmailRepository; service: EmailService; coordination: Coordination; logger: Logger }) {}

  async pollOnce(ch: EmailChannel): Promise<PollResult> {
    const imap = ch.config.imap;
    if (!imap) return { skipped: 'no_imap', fetched: 0, results: [], tooLarge: 0 };
    const release = await this.d.coordination.tryLock(`email:imap:${ch.id}`, LOCK_TTL_MS);
    if (!release) return { skipped: 'locked', fetched: 0, results: [], tooLarge: 0 };
    const maxBytes = ch.config.limits.maxMessageBytes;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.tls === 'tls',
      // 'starttls' must upgrade (credentials never in clear); 'none' is for loopback test servers only.
      doSTARTTLS: imap.tls === 'starttls' ? true : imap.tls === 'none' ? false : undefined,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
      // A hostile or broken server cannot make us buffer more than one allowed message.
      maxLiteralSize: maxBytes + 64 * 1024,
    });
    // ImapFlow emits 'error' on socket problems; without a listener that would crash the process.
    client.on('error', (err: Error) => this.d.logger.warn({ err, channel: ch.id }, 'email: IMAP connection error'));
    const out: PollResult = { fetched: 0, results: [], tooLarge: 0 };
    try {
      await client.connect();
      const lock = await client.getMailboxLock(imap.mailbox);
      try {
        const mb = client.mailbox;
        if (!mb) return out;
        const saved = await this.d.repo.getMailboxState(ch.tenantId, ch.id, imap.mailbox);
        // A new UIDVALIDITY means old UIDs mean nothing: read from the start (dedupe by Message-ID skips what was seen).
        let last = saved && saved.uidValidity === mb.uidValidity ? saved.lastUid : 0;
        if (mb.exists === 0 || mb.uidNext <= last + 1) {
          if (!saved || saved.uidValidity !== mb.uidValidity) await this.d.repo.setMailboxState(ch.tenantId, ch.id, imap.mailbox, { uidValidity: mb.uidValidity, lastUid: last });
          return out;
        }
        const pending: { uid: number; size: number }[] = [];
        // "n:*" always includes the newest message even when its UID is below n (RFC 3501 6.4.8): filter.
        for await (const m of client.fetch(`${last + 1}:*`, { uid: true, size: true }, { uid: true })) {
          if (m.uid > last) pending.push({ uid: m.uid, size: m.size ?? 0 });
        }
        pending.sort((a, b) => a.uid - b.uid);
        for (const p of pending.slice(0, MAX_PER_POLL)) {
          if (p.size > maxBytes) {
            out.tooLarge++;
            this.d.logger.warn({ channel: ch.id, uid: p.uid, bytes: p.size }, 'email: message over the size limit left unread in the mailbox');
          } else {
            const msg = await client.fetchOne(String(p.uid), { source: true }, { uid: true });
            if (msg && msg.source) {
              out.fetched++;
              const r = await this.d.service.receive(ch, msg.source, 'imap');
              out.results.push(r);
              // Being processed elsewhere (or by a node that died less than the stale time ago): keep the position
              // so the next poll looks again, instead of skipping a message nobody finished.
              if (r.status === 'busy') break;
              // Marked read for people who look at the mailbox too; the UID position, not the flag, is what counts.
              await client.messageFlagsAdd(String(p.uid), ['\\Seen'], { uid: true }).catch(() => {});
            }
          }
          last = p.uid;
          await this.d.repo.setMailboxState(ch.tenantId, ch.id, imap.mailbox, { uidValidity: mb.uidValidity, lastUid: last });
        }
      } finally {
        lock.release();
      }
      await client.logout();
    } finally {
      client.close();
      await release();
    }
    return out;
  }
}
