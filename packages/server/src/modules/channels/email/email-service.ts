import { createHash } from 'node:crypto';
import { MAX_MESSAGE_CHARS, type Reply } from '@lingxi/contracts';
import type { Clock } from '../../../platform/clock.ts';
import type { Coordination } from '../../../platform/coordination.ts';
import type { FieldCipher } from '../../../platform/crypto.ts';
import { AppError } from '../../../platform/errors.ts';
import { newId, newToken } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { ContactService } from '../../contacts/contact-service.ts';
import type { Conversation, NewEvent } from '../../conversations/conversation-repository.ts';
import { EV, type ConversationService } from '../../conversations/conversation-service.ts';
import type { RobotService, RobotState, TurnResult } from '../../robot/robot-service.ts';
import type { TenancyService } from '../../tenancy/tenancy-service.ts';
import type { EmailChannel } from './email-config.ts';
import type { EmailRepository } from './email-repository.ts';
import { parseEmail, screenAttachments, type InboundEmail } from './inbound.ts';
import { noAutoReplyReason, type NoReplyReason } from './loop-guard.ts';
import { renderEmailReply } from './render.ts';
import type { EmailTransport, OutgoingEmail } from './smtp-transport.ts';
import { baseSubject, ourMessageId, replyReferences, replySubject, threadCandidates } from './threading.ts';

/** Event types the e-mail channel adds to the conversation log. */
export const EMAIL_EV = { sendFailed: 'email.send_failed' } as const;

/** Why a message got no automatic answer. */
export type Suppression = NoReplyReason | 'rate_limited' | 'auto_reply_off' | 'no_smtp' | 'not_confident' | 'already_queued' | 'empty';

export type ReceiveResult =
  | { status: 'duplicate'; messageId: string }
  /** Another node (or an earlier attempt) is processing this message right now: try again later. */
  | { status: 'busy'; messageId: string }
  | { status: 'dropped'; messageId?: string; reason: 'too_large' | 'sender_flood' }
  | { status: 'processed'; messageId: string; conversationId: string; sent: 'answer' | 'acknowledgement' | 'none'; queued: boolean; suppressed?: Suppression; sendFailed?: boolean };

const HOUR = 3600_000;
/** A claim older than this was left by a node that died mid-message: another may take it over. */
const STALE_CLAIM_MS = 5 * 60_000;
const MAX_RACE_RETRIES = 5;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

// Robot-free reasons: mail written by machines (bounces, vacation replies, lists, ourselves). It is kept in the
// conversation for the record but neither answered nor queued: a human gains nothing, and a reply could loop.
const MACHINE_MAIL = new Set<NoReplyReason>(['no_sender', 'own_address', 'auto_submitted', 'auto_reply_header', 'precedence', 'mailing_list', 'bounce', 'delivery_report', 'system_sender']);

const ACK = {
  zh: '您好，我们已收到您的邮件，客服人员会尽快回复您。',
  en: 'Thank you for your e-mail. A customer-service agent will reply to you shortly.',
};

type Deps = {
  repo: EmailRepository;
  tenancy: TenancyService;
  conversations: ConversationService;
  contacts: ContactService;
  robot: RobotService;
  coordination: Coordination;
  cipher: FieldCipher;
  transport: EmailTransport;
  logger: Logger;
  clock: Clock;
  /** Remembers where a conversation's customer is reachable (channels/core), so agents' replies find the channel. */
  bindings?: { bind(tenantId: string, conversationId: string, configId: string, address: string): Promise<unknown> };
};

/**
 * The e-mail channel's use cases: one inbound message (from IMAP or the SMTP listener) through dedupe, loop and
 * flood guards, threading, attachments, the robot, and the decision between an automatic answer and the agents'
 * e-mail queue; and replies written later (agents) sent into the right thread.
 *
 * It runs the robot itself rather than through ChatService.handle: an e-mail conversation is a thread, not a
 * sender's latest session, and whether the robot's reply is sent (and so logged as reply.sent) depends on the
 * e-mail rules below, decided before anything is written.
 */
export class EmailService {
  constructor(private d: Deps) {}

  async receive(ch: EmailChannel, raw: Buffer, via: 'imap' | 'smtp'): Promise<ReceiveResult> {
    const { tenantId, botId, config: cfg } = ch;
    if (raw.length > cfg.limits.maxMessageBytes) {
      this.d.logger.warn({ channel: ch.id, bytes: raw.length }, 'email: message over the size limit dropped');
      return { status: 'dropped', reason: 'too_large' };
    }
    const mail = await parseEmail(raw);
    const claim = await this.d.repo.claimInbound(tenantId, botId, mail.messageId, STALE_CLAIM_MS);
    if (claim !== 'claimed') return { status: claim, messageId: mail.messageId };
    try {
      return await this.process(ch, mail, via);
    } catch (err) {
      // Give the message back so that the next poll or the sender's retry processes it (it was not handled).
      await this.d.repo.releaseInbound(tenantId, botId, mail.messageId).catch(() => {});
      throw err;
    }
  }

  private async process(ch: EmailChannel, mail: InboundEmail, via: 'imap' | 'smtp'): Promise<ReceiveResult> {
    const { tenantId, botId, config: cfg } = ch;
    const loop = noAutoReplyReason(mail.headers, [cfg.address]);
    const sender = mail.from?.address;

    // Mail bomb: past the hourly allowance of one sender, further mail is not turned into conversations.
    if (sender && !MACHINE_MAIL.has(loop as NoReplyReason)) {
      const n = await this.d.coordination.incr(`email:in:${ch.id}:${hashOf(sender)}`, HOUR);
      if (n > cfg.limits.inboundPerSenderPerHour) {
        await this.d.repo.finishInbound(tenantId, botId, mail.messageId, { state: 'dropped', conversationId: null });
        if (n === cfg.limits.inboundPerSenderPerHour + 1) this.d.logger.warn({ channel: ch.id }, 'email: sender over the hourly inbound limit; further mail this hour is dropped');
        return { status: 'dropped', messageId: mail.messageId, reason: 'sender_flood' };
      }
    }

    const bot = await this.d.tenancy.getBot(tenantId, botId);
    let conv = await this.conversationFor(ch, mail);
    const { accepted, refused } = screenAttachments(mail.attachments, cfg.limits);
    const stored: { id: string; filename: string; contentType: string; size: number }[] = [];
    for (const a of accepted) {
      const id = newId('att');
      await this.d.repo.insertAttachment({ id, tenantId, conversationId: conv.id, messageId: mail.messageId, filename: a.filename, contentType: a.contentType, content: a.content, sha256: createHash('sha256').update(a.content).digest('hex') });
      stored.push({ id, filename: a.filename, contentType: a.contentType, size: a.content.length });
    }

    const isReply = mail.inReplyTo.length > 0 || mail.references.length > 0;
    const subject = baseSubject(mail.subject);
    const body = mail.newText.replace(CONTROL, '').trim();
    // A first mail often asks in its subject; a reply's subject only repeats the thread's.
    const robotText = [...(isReply && body ? [] : [subject]), body].filter(Boolean).join('\n').slice(0, MAX_MESSAGE_CHARS).trim();
    const emailMeta = {
      messageId: mail.messageId, subject: mail.subject, via,
      ...(mail.inReplyTo[0] ? { inReplyTo: mail.inReplyTo[0] } : {}),
      ...(mail.html ? { html: mail.html } : {}),
      ...(stored.length ? { attachments: stored } : {}),
      ...(refused.length ? { refusedAttachments: refused } : {}),
      ...(loop ? { noAutoReply: loop } : {}),
    };

    let rateChecked: boolean | undefined;
    const replyAllowed = async () => (rateChecked ??= await this.takeReplyAllowance(ch, mail.replyTo!));
    let outgoing: { mail: OutgoingEmail; kind: 'answer' | 'acknowledgement' } | null = null;
    let queued = false;
    let suppressed: Suppression | undefined;

    for (let attempt = 0; ; attempt++) {
      if (attempt >= MAX_RACE_RETRIES) throw new AppError('conflict', 'e-mail conversation is busy');
      outgoing = null;
      suppressed = undefined;
      const machine = loop !== null && MACHINE_MAIL.has(loop);
      const alreadyQueued = conv.status === 'handoff' || conv.status === 'agent';
      const events: NewEvent[] = [{ type: EV.received, payload: { text: body || subject, channel: 'email', email: emailMeta } }];
      let result: TurnResult | null = null;
      if (machine) suppressed = loop!;
      else if (alreadyQueued) suppressed = 'already_queued';
      else if (!robotText) suppressed = 'empty';
      else result = await this.d.robot.respond(bot, conv.state as RobotState, robotText, 'email');

      const replies = result?.replies ?? [];
      // Confident: the robot answered from knowledge, and nothing in the turn asks for a person or a choice.
      const confident = !!result && !result.handoff && replies.some((r) => r.type === 'answer') && replies.every((r) => r.type === 'answer');
      if (result) events.push(...result.events.filter((e) => e.type === EV.understood));
      const lang = (result?.state.lang ?? (/[\u4e00-\u9fff]/.test(robotText) ? 'zh' : 'en')) === 'en' ? 'en' : 'zh';

      if (confident) {
        suppressed = (loop ?? undefined) || (!cfg.autoReply ? 'auto_reply_off' : !cfg.smtp ? 'no_smtp' : !mail.replyTo ? 'no_sender' : undefined);
        if (!suppressed && !(await replyAllowed())) suppressed = 'rate_limited';
        if (!suppressed) {
          outgoing = { kind: 'answer', mail: this.replyMail(ch, mail, replies, lang, conv.id) };
          for (const e of result!.events.filter((e) => e.type === EV.replied)) events.push({ type: e.type, payload: { ...e.payload, email: { messageId: outgoing.mail.messageId } } });
        }
      } else if (result) {
        suppressed = 'not_confident';
      }
      if (!machine && !outgoing && !alreadyQueued) {
        queued = true;
        const robotDecision = result?.events.find((e) => e.type === EV.understood)?.payload.decision;
        const robotHandoff = result?.events.find((e) => e.type === EV.handoff)?.payload.reason;
        events.push({ type: EV.handoff, payload: { reason: 'email_queue', suppressed, ...(robotDecision ? { robotDecision } : {}), ...(robotHandoff ? { robotHandoff } : {}) } });
        if (cfg.acknowledgeQueued && cfg.smtp && mail.replyTo && !loop && (await replyAllowed())) {
          const ack: Reply = { type: 'text', text: cfg.acknowledgementText ?? ACK[lang] };
          outgoing = { kind: 'acknowledgement', mail: this.replyMail(ch, mail, [ack], lang, conv.id) };
          events.push({ type: EV.replied, payload: { reply: ack, email: { messageId: outgoing.mail.messageId } } });
        }
      }
      const status = queued ? 'handoff' : conv.status;
      const done = await this.d.conversations.append(conv, events, { state: (result?.state ?? conv.state) as Record<string, unknown>, status });
      if (done) break;
      conv = await this.d.conversations.get(tenantId, conv.id);
    }

    await this.d.repo.finishInbound(tenantId, botId, mail.messageId, {
      state: 'done', conversationId: conv.id, subject: mail.subject, references: mail.references, replyToEnc: mail.replyTo ? this.d.cipher.encrypt(mail.replyTo) : null,
    });

    if (mail.replyTo && this.d.bindings) await this.d.bindings.bind(tenantId, conv.id, ch.id, mail.replyTo);

    let sendFailed = false;
    if (outgoing) {
      // Recorded before sending: the customer's reply may arrive (and need the thread) before send() returns.
      await this.d.repo.recordOutbound(tenantId, botId, { messageId: outgoing.mail.messageId, conversationId: conv.id, subject: outgoing.mail.subject, references: outgoing.mail.references ?? [] });
      sendFailed = !(await this.trySend(ch, conv.id, outgoing.mail, outgoing.kind === 'answer'));
      if (sendFailed && outgoing.kind === 'answer') queued = true;
    }
    return { status: 'processed', messageId: mail.messageId, conversationId: conv.id, sent: outgoing && !sendFailed ? outgoing.kind : 'none', queued, ...(suppressed ? { suppressed } : {}), ...(sendFailed ? { sendFailed } : {}) };
  }

  /** The thread's conversation when the message replies to a known one (and it is not closed); else a new one. */
  private async conversationFor(ch: EmailChannel, mail: InboundEmail): Promise<Conversation> {
    const known = await this.d.repo.conversationOfMessages(ch.tenantId, ch.botId, threadCandidates(mail.inReplyTo, mail.references));
    if (known) {
      const c = await this.d.conversations.findForBot(ch.botId, known);
      if (c && c.tenantId === ch.tenantId && c.status !== 'closed') return c;
    }
    const c = await this.d.conversations.start(ch.tenantId, ch.botId, 'email');
    if (mail.from) {
      const contactId = await this.d.contacts.resolve(ch.tenantId, { kind: 'email', value: mail.from.address, ...(mail.from.name ? { displayName: mail.from.name } : {}) });
      await this.d.contacts.setConversationContact(ch.tenantId, c.id, contactId);
      return { ...c };
    }
    return c;
  }

  /** Hourly allowances of automatic mail: per recipient (a loop with one robot) and per mailbox (many senders). */
  private async takeReplyAllowance(ch: EmailChannel, to: string): Promise<boolean> {
    const perSender = await this.d.coordination.incr(`email:out:${ch.id}:${hashOf(to)}`, HOUR);
    if (perSender > ch.config.limits.repliesPerSenderPerHour) return false;
    const perMailbox = await this.d.coordination.incr(`email:out:${ch.id}`, HOUR);
    return perMailbox <= ch.config.limits.repliesPerMailboxPerHour;
  }

  private replyMail(ch: EmailChannel, parent: InboundEmail, replies: readonly Reply[], lang: 'zh' | 'en', conversationId: string): OutgoingEmail {
    const body = renderEmailReply(replies, lang);
    return {
      from: { address: ch.config.address, ...(ch.config.displayName ? { name: ch.config.displayName } : {}) },
      to: parent.replyTo!,
      subject: replySubject(parent.subject),
      text: body.text,
      html: body.html,
      messageId: ourMessageId(`${conversationId}.${newToken(9)}`, ch.config.address),
      inReplyTo: parent.messageId,
      references: replyReferences(parent.references, parent.messageId),
      autoSubmitted: 'auto-replied',
    };
  }

  /**
   * One attempt, never retried here: an SMTP server may have accepted a message whose acknowledgement was lost,
   * and a double answer is worse than a late one. A failure is logged in the conversation and, for a robot answer,
   * puts the conversation into the agents' queue.
   */
  private async trySend(ch: EmailChannel, conversationId: string, mail: OutgoingEmail, queueOnFailure: boolean): Promise<boolean> {
    try {
      await this.d.transport.send(ch.config.smtp!, mail);
      return true;
    } catch (err) {
      this.d.logger.error({ err, channel: ch.id, conversationId }, 'email: sending failed');
      for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
        const conv = await this.d.conversations.get(ch.tenantId, conversationId);
        const events: NewEvent[] = [{ type: EMAIL_EV.sendFailed, payload: { messageId: mail.messageId, error: String((err as Error).message ?? err).slice(0, 300) } }];
        const toQueue = queueOnFailure && conv.status === 'bot';
        if (toQueue) events.push({ type: EV.handoff, payload: { reason: 'email_queue', suppressed: 'send_failed' } });
        if (await this.d.conversations.append(conv, events, { state: conv.state, status: toQueue ? 'handoff' : conv.status })) break;
      }
      return false;
    }
  }

  /**
   * A reply written outside the customer's turn (an agent's): sent in the thread of the customer's latest message.
   * The Message-ID is derived from idempotencyKey and recorded before sending, so delivering the same reply again
   * (a retried job, a second node) sends nothing more. Returns the Message-ID, or null when it was already sent.
   */
  async sendReply(ch: EmailChannel, conversationId: string, reply: Reply, idempotencyKey: string, to?: string): Promise<string | null> {
    if (!ch.config.smtp) throw new AppError('bad_request', 'this e-mail channel has no SMTP server configured for sending');
    const parent = await this.d.repo.latestInbound(ch.tenantId, conversationId);
    if (!parent) throw new AppError('not_found', 'no e-mail from the customer in this conversation to reply to');
    const address = to ?? (parent.replyToEnc ? this.d.cipher.decrypt(parent.replyToEnc) : null);
    if (!address) throw new AppError('not_found', 'the customer of this conversation has no e-mail address to reply to');
    const body = renderEmailReply([reply], /[\u4e00-\u9fff]/.test(reply.text) ? 'zh' : 'en', { footer: false });
    const mail: OutgoingEmail = {
      from: { address: ch.config.address, ...(ch.config.displayName ? { name: ch.config.displayName } : {}) },
      to: address,
      subject: replySubject(parent.subject ?? ''),
      text: body.text,
      html: body.html,
      messageId: ourMessageId(`a.${hashOf(`${ch.id}:${idempotencyKey}`)}`, ch.config.address),
      inReplyTo: parent.messageId,
      references: replyReferences(parent.references, parent.messageId),
    };
    if (!(await this.d.repo.recordOutbound(ch.tenantId, ch.botId, { messageId: mail.messageId, conversationId, subject: mail.subject, references: mail.references ?? [] }))) return null;
    try {
      await this.d.transport.send(ch.config.smtp, mail);
    } catch (err) {
      // An SMTP reply code means the server refused the message: nothing went out, so a retry may send it. Without
      // one (connection lost mid-way) it may have been accepted: keep the record, never risk a double send.
      if (typeof (err as { responseCode?: unknown }).responseCode === 'number') await this.d.repo.forgetOutbound(ch.tenantId, ch.botId, mail.messageId);
      throw err;
    }
    return mail.messageId;
  }

  attachments(tenantId: string, conversationId: string) {
    return this.d.repo.attachments(tenantId, conversationId);
  }

  async attachment(tenantId: string, id: string) {
    const a = await this.d.repo.attachmentContent(tenantId, id);
    if (!a) throw new AppError('not_found', 'attachment not found');
    return a;
  }
}

/** Rate-limit keys carry a hash, not the address: coordination keys show up in Redis tooling and logs. */
function hashOf(address: string) {
  return createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 24);
}
