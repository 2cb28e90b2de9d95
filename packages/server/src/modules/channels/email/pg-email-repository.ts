import type { Db, Row } from '../../../storage/db.ts';
import type { AttachmentMeta, EmailMessageRow, EmailRepository, NewAttachment } from './email-repository.ts';

const toMessage = (r: Row): EmailMessageRow => ({
  messageId: r.message_id, direction: r.direction, state: r.state, conversationId: r.conversation_id ?? null, subject: r.subject ?? null,
  references: r.refs ? String(r.refs).split(' ').filter(Boolean) : [], replyToEnc: r.reply_to_enc ?? null, createdAt: new Date(r.created_at),
});
const toMeta = (r: Row): AttachmentMeta => ({
  id: r.id, conversationId: r.conversation_id, messageId: r.message_id, filename: r.filename, contentType: r.content_type,
  size: Number(r.size), sha256: r.sha256, createdAt: new Date(r.created_at),
});

export class PgEmailRepository implements EmailRepository {
  constructor(private db: Db) {}

  async claimInbound(tenantId: string, botId: string, messageId: string, staleAfterMs: number) {
    const rows = await this.db.query(
      `INSERT INTO email_messages(tenant_id, bot_id, message_id, direction, state) VALUES ($1,$2,$3,'in','processing')
       ON CONFLICT (tenant_id, bot_id, message_id) DO UPDATE SET claimed_at = now()
         WHERE email_messages.state = 'processing' AND email_messages.direction = 'in'
           AND email_messages.claimed_at < now() - ($4::bigint * interval '1 millisecond')
       RETURNING message_id`,
      [tenantId, botId, messageId, staleAfterMs],
    );
    if (rows.length) return 'claimed' as const;
    const [r] = await this.db.query('SELECT state FROM email_messages WHERE tenant_id = $1 AND bot_id = $2 AND message_id = $3', [tenantId, botId, messageId]);
    return r?.state === 'processing' ? ('busy' as const) : ('duplicate' as const);
  }

  async releaseInbound(tenantId: string, botId: string, messageId: string) {
    await this.db.query(`DELETE FROM email_messages WHERE tenant_id = $1 AND bot_id = $2 AND message_id = $3 AND state = 'processing'`, [tenantId, botId, messageId]);
  }

  async finishInbound(tenantId: string, botId: string, messageId: string, f: { state: 'done' | 'dropped'; conversationId: string | null; subject?: string; references?: string[]; replyToEnc?: string | null }) {
    await this.db.query(
      `UPDATE email_messages SET state = $4, conversation_id = $5, subject = $6, refs = $7, reply_to_enc = $8
       WHERE tenant_id = $1 AND bot_id = $2 AND message_id = $3`,
      [tenantId, botId, messageId, f.state, f.conversationId, f.subject ?? null, f.references?.join(' ') ?? null, f.replyToEnc ?? null],
    );
  }

  async recordOutbound(tenantId: string, botId: string, m: { messageId: string; conversationId: string; subject: string; references: string[] }) {
    const rows = await this.db.query(
      `INSERT INTO email_messages(tenant_id, bot_id, message_id, direction, state, conversation_id, subject, refs) VALUES ($1,$2,$3,'out','done',$4,$5,$6)
       ON CONFLICT (tenant_id, bot_id, message_id) DO NOTHING RETURNING message_id`,
      [tenantId, botId, m.messageId, m.conversationId, m.subject, m.references.join(' ')],
    );
    return rows.length > 0;
  }

  async forgetOutbound(tenantId: string, botId: string, messageId: string) {
    await this.db.query(`DELETE FROM email_messages WHERE tenant_id = $1 AND bot_id = $2 AND message_id = $3 AND direction = 'out'`, [tenantId, botId, messageId]);
  }

  async enabledChannelIds() {
    // The one cross-tenant read: the runtime polls every tenant's mailboxes. Each config is then resolved (and its
    // secrets decrypted) through the channel config service, scoped to its own tenant from there on.
    const rows = await this.db.query(`SELECT id FROM channel_configs WHERE type = 'email' AND enabled ORDER BY created_at, id`);
    return rows.map((r) => r.id as string);
  }

  async conversationOfMessages(tenantId: string, botId: string, messageIds: string[]) {
    if (!messageIds.length) return null;
    const rows = await this.db.query(
      `SELECT message_id, conversation_id FROM email_messages
       WHERE tenant_id = $1 AND bot_id = $2 AND message_id = ANY($3::text[]) AND conversation_id IS NOT NULL`,
      [tenantId, botId, messageIds],
    );
    const byId = new Map(rows.map((r) => [r.message_id as string, r.conversation_id as string]));
    for (const id of messageIds) if (byId.has(id)) return byId.get(id)!;
    return null;
  }

  async latestInbound(tenantId: string, conversationId: string) {
    const [r] = await this.db.query(
      `SELECT * FROM email_messages WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'in' AND state = 'done'
       ORDER BY created_at DESC LIMIT 1`,
      [tenantId, conversationId],
    );
    return r ? toMessage(r) : null;
  }

  async insertAttachment(a: NewAttachment) {
    await this.db.query(
      `INSERT INTO email_attachments(id, tenant_id, conversation_id, message_id, filename, content_type, size, sha256, content)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [a.id, a.tenantId, a.conversationId, a.messageId, a.filename, a.contentType, a.content.length, a.sha256, a.content],
    );
  }

  async attachments(tenantId: string, conversationId: string) {
    const rows = await this.db.query(
      `SELECT id, conversation_id, message_id, filename, content_type, size, sha256, created_at FROM email_attachments
       WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, id`,
      [tenantId, conversationId],
    );
    return rows.map(toMeta);
  }

  async attachmentContent(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM email_attachments WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    // pg returns bytea as Buffer, PGlite as Uint8Array.
    return r ? { meta: toMeta(r), content: Buffer.from(r.content as Uint8Array) } : null;
  }

  async getMailboxState(tenantId: string, channelId: string, mailbox: string) {
    const [r] = await this.db.query('SELECT uid_validity, last_uid FROM email_mailbox_state WHERE tenant_id = $1 AND channel_id = $2 AND mailbox = $3', [tenantId, channelId, mailbox]);
    return r ? { uidValidity: BigInt(r.uid_validity), lastUid: Number(r.last_uid) } : null;
  }

  async setMailboxState(tenantId: string, channelId: string, mailbox: string, s: { uidValidity: bigint; lastUid: number }) {
    await this.db.query(
      `INSERT INTO email_mailbox_state(tenant_id, channel_id, mailbox, uid_validity, last_uid) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (tenant_id, channel_id, mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = now()`,
      [tenantId, channelId, mailbox, s.uidValidity.toString(), s.lastUid],
    );
  }
}
