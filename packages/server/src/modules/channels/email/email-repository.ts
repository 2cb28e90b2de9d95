/** Storage port of the e-mail channel: message ids (dedupe and threads), attachments, IMAP polling position. */
export type EmailMessageRow = {
  messageId: string;
  direction: 'in' | 'out';
  state: 'processing' | 'done' | 'dropped';
  conversationId: string | null;
  subject: string | null;
  references: string[];
  replyToEnc: string | null;
  createdAt: Date;
};

export type NewAttachment = { id: string; tenantId: string; conversationId: string; messageId: string; filename: string; contentType: string; content: Buffer; sha256: string };
export type AttachmentMeta = { id: string; conversationId: string; messageId: string; filename: string; contentType: string; size: number; sha256: string; createdAt: Date };

export type EmailRepository = {
  /**
   * Claims an inbound Message-ID for processing: 'claimed' on first sight or when a claim was left unfinished for
   * longer than staleAfterMs (the node that took it died); 'busy' while another claim is fresh; 'duplicate' when done.
   */
  claimInbound(tenantId: string, botId: string, messageId: string, staleAfterMs: number): Promise<'claimed' | 'busy' | 'duplicate'>;
  /** Gives a claim back after a failure, so that the message is processed again (next poll, sender's retry). */
  releaseInbound(tenantId: string, botId: string, messageId: string): Promise<void>;
  /** Finishes a claim: the conversation it went to (or none when dropped), and what a reply to it needs. */
  finishInbound(tenantId: string, botId: string, messageId: string, f: { state: 'done' | 'dropped'; conversationId: string | null; subject?: string; references?: string[]; replyToEnc?: string | null }): Promise<void>;
  /** Records a message we send; false when that Message-ID was already recorded (an idempotent retry). */
  recordOutbound(tenantId: string, botId: string, m: { messageId: string; conversationId: string; subject: string; references: string[] }): Promise<boolean>;
  forgetOutbound(tenantId: string, botId: string, messageId: string): Promise<void>;
  /** Ids of enabled e-mail channel configs of all tenants: the pollers and listeners serve every tenant. */
  enabledChannelIds(): Promise<string[]>;
  /** The conversation of the first of these message ids that is known (ids in the caller's order of preference). */
  conversationOfMessages(tenantId: string, botId: string, messageIds: string[]): Promise<string | null>;
  /** The latest inbound message of a conversation: what an agent's reply answers. */
  latestInbound(tenantId: string, conversationId: string): Promise<EmailMessageRow | null>;
  insertAttachment(a: NewAttachment): Promise<void>;
  attachments(tenantId: string, conversationId: string): Promise<AttachmentMeta[]>;
  attachmentContent(tenantId: string, id: string): Promise<{ meta: AttachmentMeta; content: Buffer } | null>;
  getMailboxState(tenantId: string, channelId: string, mailbox: string): Promise<{ uidValidity: bigint; lastUid: number } | null>;
  setMailboxState(tenantId: string, channelId: string, mailbox: string, s: { uidValidity: bigint; lastUid: number }): Promise<void>;
};
