import { z } from 'zod';

const Host = z.string().min(1).max(253);
const Port = z.number().int().min(1).max(65535);
/** tls: TLS from the first byte (IMAPS 993, SMTPS 465); starttls: upgrade required; none: plaintext (loopback/test relays only). */
const Tls = z.enum(['tls', 'starttls', 'none']);

/** Attachment types kept by default: documents and pictures customers send to a bank (statements, receipts, IDs). */
export const DEFAULT_ATTACHMENT_TYPES = [
  'application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic', 'text/plain', 'text/csv',
  'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

export const EmailChannelConfig = z
  .object({
    /** The bot's mailbox: replies come from it, and mail from it is never answered (loop). */
    address: z.email().max(254),
    displayName: z.string().max(100).optional(),
    /** Receive by polling this IMAP mailbox. */
    imap: z
      .object({
        host: Host,
        port: Port,
        user: z.string().min(1).max(254),
        password: z.string().min(1).max(500),
        tls: Tls.default('tls'),
        mailbox: z.string().min(1).max(200).default('INBOX'),
        pollIntervalSec: z.number().int().min(5).max(3600).default(60),
      })
      .optional(),
    /** Send replies through this SMTP submission server. Without it the bot cannot reply (everything is queued). */
    smtp: z
      .object({
        host: Host,
        port: Port,
        user: z.string().min(1).max(254).optional(),
        password: z.string().min(1).max(500).optional(),
        tls: Tls.default('starttls'),
      })
      .optional(),
    /** Receive with the built-in SMTP listener (MX or relay target) on this port, for these recipients. */
    listener: z
      .object({
        port: Port,
        host: z.string().min(1).max(253).default('0.0.0.0'),
        /** Extra whole domains accepted besides `address` (e.g. "kf.bank.example"). */
        acceptedDomains: z.array(z.string().min(1).max(253)).max(20).default([]),
      })
      .optional(),
    /** Robot answers go out automatically when the robot is confident. Off: every mail goes to the agents' queue. */
    autoReply: z.boolean().default(true),
    /** Tell the customer that an agent will follow up when the mail goes to the queue. */
    acknowledgeQueued: z.boolean().default(false),
    acknowledgementText: z.string().min(1).max(1000).optional(),
    limits: z
      .object({
        repliesPerSenderPerHour: z.number().int().min(0).max(1000).default(10),
        repliesPerMailboxPerHour: z.number().int().min(0).max(100_000).default(500),
        /** Above this, further mail from one sender in the hour is not turned into conversations (mail bomb). */
        inboundPerSenderPerHour: z.number().int().min(1).max(10_000).default(60),
        maxMessageBytes: z.number().int().min(1024).max(50 * 1024 * 1024).default(10 * 1024 * 1024),
        maxAttachmentBytes: z.number().int().min(1).max(25 * 1024 * 1024).default(5 * 1024 * 1024),
        maxAttachments: z.number().int().min(0).max(50).default(10),
        attachmentTypes: z.array(z.string().min(3).max(200)).max(100).default(DEFAULT_ATTACHMENT_TYPES),
      })
      .prefault({}),
  })
  .refine((c) => c.imap || c.listener, { message: 'configure imap or listener (or both) to receive mail' })
  .refine((c) => !c.smtp || !c.smtp.user === !c.smtp.password, { message: 'smtp user and password go together' });
export type EmailChannelConfig = z.infer<typeof EmailChannelConfig>;
export type EmailLimits = EmailChannelConfig['limits'];

/** Fields that are secrets: stored encrypted by the channel config store and never returned by the API. */
export const EMAIL_SECRET_FIELDS = ['imap.password', 'smtp.password'] as const;

/** One bot's e-mail channel as the runtime sees it (the config store's row with its secrets decrypted). */
export type EmailChannel = { id: string; tenantId: string; botId: string; config: EmailChannelConfig };

/** Where the running channel finds its configurations (the channel config store of channels/core). */
export type EmailChannelSource = {
  list(): Promise<EmailChannel[]>;
};
