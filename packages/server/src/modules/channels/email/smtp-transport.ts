import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailChannelConfig } from './email-config.ts';

export type SmtpSettings = NonNullable<EmailChannelConfig['smtp']>;

export type OutgoingEmail = {
  from: { address: string; name?: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** RFC 3834: set on everything a robot sends, so that other robots do not answer it. Absent for agents' mail. */
  autoSubmitted?: 'auto-replied';
};

/** The sending port: one message through the channel's SMTP submission server. Throws when it was not accepted. */
export type EmailTransport = {
  send(smtp: SmtpSettings, mail: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
};

/** Sends through nodemailer's SMTP client. One short-lived connection per message: replies are rare and bursty. */
export class NodemailerTransport implements EmailTransport {
  private transports = new Map<string, Transporter>();

  private transport(s: SmtpSettings): Transporter {
    const key = JSON.stringify([s.host, s.port, s.tls, s.user ?? '', s.password ?? '']);
    let t = this.transports.get(key);
    if (!t) {
      t = nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.tls === 'tls',
        requireTLS: s.tls === 'starttls',
        ignoreTLS: s.tls === 'none',
        ...(s.user ? { auth: { user: s.user, pass: s.password } } : {}),
        // Bounded waits: a stuck relay must not hold the inbound pipeline (the mail then goes to the agents' queue).
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      this.transports.set(key, t);
    }
    return t;
  }

  async send(s: SmtpSettings, m: OutgoingEmail): Promise<void> {
    await this.transport(s).sendMail({
      from: m.from.name ? { name: m.from.name, address: m.from.address } : m.from.address,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      messageId: m.messageId,
      ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
      ...(m.references?.length ? { references: m.references } : {}),
      headers: {
        ...(m.autoSubmitted ? { 'Auto-Submitted': m.autoSubmitted } : {}),
        // Asks Exchange not to send out-of-office or other automatic answers back to us ([MS-OXCMAIL] 2.2.3.2.14).
        'X-Auto-Response-Suppress': 'All',
      },
    });
  }

  async close() {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
