import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../../platform/logger.ts';
import type { EmailChannel } from './email-config.ts';

/** Finds the channels a recipient address belongs to (its mailbox address or one of its accepted domains). */
export function channelsForRecipient(channels: readonly EmailChannel[], port: number, recipient: string): EmailChannel[] {
  const addr = recipient.trim().toLowerCase();
  const domain = addr.split('@')[1] ?? '';
  return channels.filter((c) => c.config.listener?.port === port && (c.config.address.toLowerCase() === addr || c.config.listener.acceptedDomains.some((d) => d.toLowerCase() === domain)));
}

type Deliver = (channel: EmailChannel, raw: Buffer) => Promise<{ status: string }>;

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * The built-in SMTP receiver: an MX (or a relay's next hop) for the bots' mailboxes. It accepts mail only for
 * configured recipients (550 otherwise, so nobody can use it as an open relay), refuses oversized mail at MAIL FROM
 * when the client declares SIZE and again while reading DATA (552), and answers 250 only after the message was
 * processed, so a failure (451) makes the sending server retry instead of losing the mail.
 */
export class SmtpListener {
  private server: SMTPServer;
  private bound: number | null = null;

  constructor(private o: { port: number; host: string; maxBytes: number; channels: () => readonly EmailChannel[]; deliver: Deliver; logger: Logger; maxClients?: number }) {
    this.server = new SMTPServer({
      name: 'lingxi',
      banner: 'Lingxi mail receiver',
      size: o.maxBytes,
      authOptional: true,
      // No TLS certificate is configured for the listener yet: put it behind the bank's MTA, which does TLS.
      disabledCommands: ['AUTH', 'STARTTLS'],
      maxClients: o.maxClients ?? 50,
      socketTimeout: 60_000,
      closeTimeout: 5_000,
      logger: false,
      onMailFrom: (address, _session, cb) => this.onMailFrom(address, cb),
      onRcptTo: (address, _session, cb) => this.onRcptTo(address, cb),
      onData: (stream, session, cb) => this.onData(stream, session, cb),
    });
    this.server.on('error', (err) => o.logger.warn({ err }, 'email: SMTP listener error'));
  }

  private onMailFrom(address: SMTPServerAddress, cb: (err?: Error | null) => void) {
    const args = address.args;
    const declared = typeof args === 'object' && args ? Number(args.SIZE ?? 0) : 0;
    if (declared > this.o.maxBytes) return cb(smtpError(552, `5.3.4 Message size exceeds the limit of ${this.o.maxBytes} bytes`));
    cb();
  }

  private onRcptTo(address: SMTPServerAddress, cb: (err?: Error | null) => void) {
    if (!channelsForRecipient(this.o.channels(), this.o.port, address.address).length) {
      return cb(smtpError(550, '5.1.1 Recipient address rejected: no such mailbox here'));
    }
    cb();
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (c: Buffer) => {
      bytes += c.length;
      // Keep reading (the client must finish DATA) but stop buffering once over the limit.
      if (bytes <= this.o.maxBytes) chunks.push(c);
    });
    stream.on('error', (err) => cb(err));
    stream.on('end', () => {
      if (stream.sizeExceeded || bytes > this.o.maxBytes) return cb(smtpError(552, `5.3.4 Message size exceeds the limit of ${this.o.maxBytes} bytes`));
      const raw = Buffer.concat(chunks);
      const targets = new Map<string, EmailChannel>();
      for (const r of session.envelope.rcptTo) for (const c of channelsForRecipient(this.o.channels(), this.o.port, r.address)) targets.set(c.id, c);
      Promise.all([...targets.values()].map((c) => this.o.deliver(c, raw))).then(
        // 'busy': the same Message-ID is being processed right now; the sender's retry will find it done.
        (results) => (results.some((r) => r.status === 'busy') ? cb(smtpError(451, '4.3.0 Message is being processed, please retry')) : cb(null, '2.0.0 Message accepted')),
        (err) => {
          this.o.logger.error({ err }, 'email: processing an SMTP delivery failed');
          cb(smtpError(451, '4.3.0 Temporary failure, please retry'));
        },
      );
    });
  }

  get port(): number {
    return this.bound ?? this.o.port;
  }

  /** Starts listening; resolves with the bound port (useful with port 0 in tests). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        const a = this.server.server.address();
        this.bound = typeof a === 'object' && a ? a.port : this.o.port;
        resolve(this.bound);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
