/**
 * The e-mail channel against real servers on loopback: Debian's dovecot as the bot's IMAP mailbox, our built-in
 * SMTP listener (smtp-server) receiving over real SMTP from nodemailer, and a receiving SMTP peer that stands for
 * the customer's mail server and records what we send. Both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { bothDatabases } from '../../../testing/databases.ts';
import { demoApp } from '../../../testing/app.ts';
import type { Deps } from '../../../compose.ts';
import { EV } from '../../conversations/conversation-service.ts';
import { ChannelConfigService } from '../core/channel-config-service.ts';
import { PgChannelConfigRepository } from '../core/pg-channel-config-repository.ts';
import { EmailChannelConfig, type EmailChannel } from './email-config.ts';
import { EmailService, type ReceiveResult } from './email-service.ts';
import { ImapPoller } from './imap-poller.ts';
import { PgEmailRepository } from './pg-email-repository.ts';
import { SmtpListener } from './smtp-listener.ts';
import { NodemailerTransport } from './smtp-transport.ts';
import { coreEmailSource, EMAIL_TYPE } from './email-channel-type.ts';
import { createEmailChannel } from './index.ts';
import { OutboundRegistry } from '../core/outbound.ts';
import { appendToInbox, freePort, requireDovecot, startDovecot, startSmtpPeer, type Dovecot, type SmtpPeer } from './testing/mail-servers.ts';

const MAILBOX = 'kf@bank.example';
const IMAP_PASSWORD = 'imap-test-pw-1';
const haveDovecot = requireDovecot();
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n%test\n'), Buffer.alloc(600, 0x20)]);

function mail(o: { from: string; subject: string; body: string; id: string; inReplyTo?: string; references?: string[]; extra?: Record<string, string> }) {
  const h = [
    `From: ${o.from}`, `To: ${MAILBOX}`, `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`, `Message-ID: ${o.id}`,
    'Date: Mon, 1 Jan 2024 10:00:00 +0800', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64',
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []), ...(o.references ? [`References: ${o.references.join(' ')}`] : []),
    ...Object.entries(o.extra ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${h.join('\r\n')}\r\n\r\n${Buffer.from(o.body).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`;
}

for (const t of await bothDatabases()) {
  describe(`e-mail channel on real IMAP/SMTP servers (${t.name})`, () => {
    let close: () => Promise<void>;
    let deps: Deps;
    let peer: SmtpPeer;
    let dovecot: Dovecot | null = null;
    let service: EmailService;
    let poller: ImapPoller;
    let transport: NodemailerTransport;
    let repo: PgEmailRepository;
    let imapChannel: EmailChannel;
    let base: { tenantId: string; botId: string };
    const channel = (id: string, cfg: Record<string, unknown>): EmailChannel => ({ id, ...base, config: EmailChannelConfig.parse({ address: MAILBOX, smtp: { host: '127.0.0.1', port: peer.port, tls: 'none' }, ...cfg }) });
    const events = (conversationId: string) => deps.conversations.events(base.tenantId, conversationId, { limit: 500 });
    const processed = (r: ReceiveResult | undefined) => {
      assert.equal(r?.status, 'processed', JSON.stringify(r));
      return r as Extract<ReceiveResult, { status: 'processed' }>;
    };

    before(async () => {
      const opened = await t.open();
      const a = await demoApp(opened.db);
      deps = a.deps;
      close = async () => { await a.close(); await opened.close(); };
      const bot = await deps.chat.botForChannel('demo');
      base = { tenantId: bot.tenantId, botId: bot.id };
      peer = await startSmtpPeer();
      transport = new NodemailerTransport();
      repo = new PgEmailRepository(deps.db);
      service = new EmailService({ repo, tenancy: deps.tenancy, conversations: deps.conversations, contacts: deps.contacts, robot: deps.robot, coordination: deps.coordination, cipher: deps.cipher, transport, logger: deps.logger, clock: deps.clock });
      poller = new ImapPoller({ repo, service, coordination: deps.coordination, logger: deps.logger });
      if (haveDovecot) {
        dovecot = await startDovecot([{ user: MAILBOX, password: IMAP_PASSWORD }]);
        imapChannel = channel('ch_email_imap', { imap: { host: '127.0.0.1', port: dovecot.port, user: MAILBOX, password: IMAP_PASSWORD, tls: 'none' } });
      }
    });
    after(async () => {
      await transport?.close();
      await dovecot?.stop();
      await peer?.stop();
      await close?.();
    });

    let firstConversation = '';
    let firstReplyId = '';

    it('(1) polls a mail from dovecot, the robot answers, and the answer reaches the SMTP peer threaded', { skip: !haveDovecot }, async () => {
      await appendToInbox(dovecot!.port, MAILBOX, IMAP_PASSWORD, [mail({ from: 'Alice <alice@customer.example>', subject: '信用卡挂失', body: '您好，我的信用卡丢了，请问怎么挂失？\r\n\r\n-- \r\nAlice', id: '<q1@customer.example>' })]);
      const poll = await poller.pollOnce(imapChannel);
      const r = processed(poll.results[0]);
      assert.equal(r.sent, 'answer');
      assert.equal(r.queued, false);
      const [reply] = await peer.waitFor(1);
      assert.equal(reply.inReplyTo, '<q1@customer.example>');
      assert.deepEqual([reply.references].flat(), ['<q1@customer.example>']);
      assert.equal(reply.subject, 'Re: 信用卡挂失');
      assert.equal(reply.headers.get('auto-submitted'), 'auto-replied');
      assert.equal(reply.to && !Array.isArray(reply.to) ? reply.to.value[0].address : null, 'alice@customer.example');
      assert.match(reply.text ?? '', /挂失/);
      assert.match(String(reply.html), /<p>.*挂失/s);
      firstConversation = r.conversationId;
      firstReplyId = reply.messageId!;
      const evs = await events(r.conversationId);
      assert.deepEqual(evs.map((e) => e.type), [EV.started, EV.received, EV.understood, EV.replied]);
      assert.equal(evs[1].payload.text, '您好，我的信用卡丢了，请问怎么挂失？', 'signature stripped, subject kept in metadata');
      assert.equal((evs[3].payload.email as { messageId: string }).messageId, firstReplyId);

      // Polled again: nothing new (the UID position is stored). The same message delivered twice is not answered twice.
      assert.equal((await poller.pollOnce(imapChannel)).fetched, 0);
      await appendToInbox(dovecot!.port, MAILBOX, IMAP_PASSWORD, [mail({ from: 'Alice <alice@customer.example>', subject: '信用卡挂失', body: '您好，我的信用卡丢了，请问怎么挂失？', id: '<q1@customer.example>' })]);
      const again = await poller.pollOnce(imapChannel);
      assert.equal(again.results[0]?.status, 'duplicate');
      assert.equal(peer.received.length, 1);
    });

    it('(2) the customer\'s reply to that answer continues the same conversation; quoted history is not re-read', { skip: !haveDovecot }, async () => {
      const before = peer.received.length;
      await appendToInbox(dovecot!.port, MAILBOX, IMAP_PASSWORD, [mail({
        from: 'Alice <alice@customer.example>', subject: 'Re: 信用卡挂失', id: '<q2@customer.example>', inReplyTo: firstReplyId, references: ['<q1@customer.example>', firstReplyId],
        body: '谢谢。另外转账限额是多少？\r\n\r\n在 2024年1月1日 10:05，示例银行客服 <kf@bank.example> 写道：\r\n> 信用卡丢失请立即挂失\r\n',
      })]);
      const r = processed((await poller.pollOnce(imapChannel)).results[0]);
      assert.equal(r.conversationId, firstConversation);
      assert.equal(r.sent, 'answer');
      const got = await peer.waitFor(before + 1);
      const reply = got.at(-1)!;
      assert.equal(reply.inReplyTo, '<q2@customer.example>');
      assert.deepEqual([reply.references].flat(), ['<q1@customer.example>', firstReplyId, '<q2@customer.example>']);
      assert.equal(reply.subject, 'Re: 信用卡挂失');
      assert.match(reply.text ?? '', /限额/);
      const received = (await events(firstConversation)).filter((e) => e.type === EV.received);
      assert.equal(received.length, 2);
      assert.equal(received[1].payload.text, '谢谢。另外转账限额是多少？');

      // A new mail from the same address without thread headers is a new conversation (e-mail is per thread).
      await appendToInbox(dovecot!.port, MAILBOX, IMAP_PASSWORD, [mail({ from: 'alice@customer.example', subject: '信用卡挂失', body: '信用卡丢了怎么挂失', id: '<q3@customer.example>' })]);
      const fresh = processed((await poller.pollOnce(imapChannel)).results[0]);
      assert.notEqual(fresh.conversationId, firstConversation);
    });

    it('(3) a vague mail goes to the agents\' e-mail queue with no auto-reply; an acknowledgement only when configured', async () => {
      const ch = channel('ch_email_q', { listener: { port: 2525 } });
      const before = peer.received.length;
      const r = processed(await service.receive(ch, Buffer.from(mail({ from: 'bob@customer.example', subject: '咨询', body: '我想问一下', id: '<v1@customer.example>' })), 'smtp'));
      assert.equal(r.sent, 'none');
      assert.equal(r.queued, true);
      assert.equal(r.suppressed, 'not_confident');
      const conv = await deps.conversations.get(base.tenantId, r.conversationId);
      assert.equal(conv.status, 'handoff');
      const evs = await events(r.conversationId);
      const handoff = evs.find((e) => e.type === EV.handoff);
      assert.equal(handoff?.payload.reason, 'email_queue');
      assert.equal(evs.some((e) => e.type === EV.replied), false, 'the robot\'s unsent clarification is not logged as sent');
      // A follow-up in the queued thread stays with the agents: the robot does not step in.
      const f = processed(await service.receive(ch, Buffer.from(mail({ from: 'bob@customer.example', subject: 'Re: 咨询', body: '信用卡丢了怎么挂失', id: '<v2@customer.example>', inReplyTo: '<v1@customer.example>' })), 'smtp'));
      assert.equal(f.conversationId, r.conversationId);
      assert.equal(f.suppressed, 'already_queued');
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(peer.received.length, before, 'nothing was sent');

      const acking = channel('ch_email_ack', { listener: { port: 2525 }, acknowledgeQueued: true });
      const a = processed(await service.receive(acking, Buffer.from(mail({ from: 'bob2@customer.example', subject: '咨询', body: '我想问一下', id: '<v3@customer.example>' })), 'smtp'));
      assert.equal(a.sent, 'acknowledgement');
      const ack = (await peer.waitFor(before + 1)).at(-1)!;
      assert.equal(ack.inReplyTo, '<v3@customer.example>');
      assert.equal(ack.headers.get('auto-submitted'), 'auto-replied');
      assert.match(ack.text ?? '', /已收到您的邮件/);
    });

    it('(4) auto-replied and bulk mail get no reply, even when the robot could answer', async () => {
      const ch = channel('ch_email_loop', { listener: { port: 2525 } });
      const before = peer.received.length;
      const cases: [Record<string, string>, string, string][] = [
        [{ 'Auto-Submitted': 'auto-replied' }, 'auto_submitted', 'carol@customer.example'],
        [{ Precedence: 'bulk' }, 'precedence', 'dave@customer.example'],
        [{ 'List-Id': '<news.customer.example>' }, 'mailing_list', 'erin@customer.example'],
        [{}, 'system_sender', 'MAILER-DAEMON@customer.example'],
        [{}, 'own_address', MAILBOX],
      ];
      for (const [extra, reason, from] of cases) {
        const r = processed(await service.receive(ch, Buffer.from(mail({ from, subject: '信用卡挂失', body: '信用卡丢了怎么挂失', id: `<loop-${reason}@customer.example>`, extra })), 'smtp'));
        assert.equal(r.sent, 'none', reason);
        assert.equal(r.suppressed, reason);
        assert.equal(r.queued, false, `${reason}: machine mail does not fill the agents' queue`);
      }
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(peer.received.length, before);
    });

    it('(5)(6) the built-in SMTP listener takes 50 mails in a burst and sends at most the hourly limit of replies; it refuses other recipients', async () => {
      const port = await freePort();
      const ch = channel('ch_email_smtp', { listener: { port, host: '127.0.0.1' } });
      const listener = new SmtpListener({ port, host: '127.0.0.1', maxBytes: ch.config.limits.maxMessageBytes, channels: () => [ch], deliver: (c, raw) => service.receive(c, raw, 'smtp'), logger: deps.logger });
      await listener.listen();
      const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 2 });
      try {
        const before = peer.received.length;
        const started = Date.now();
        for (let i = 0; i < 50; i++) {
          await client.sendMail({ from: 'frank@customer.example', to: MAILBOX, subject: '信用卡挂失', text: `信用卡丢了怎么挂失 (${i})`, messageId: `<burst-${i}@customer.example>` });
        }
        await new Promise((res) => setTimeout(res, 300));
        const replies = peer.received.length - before;
        assert.equal(replies, ch.config.limits.repliesPerSenderPerHour, `got ${replies} replies`);
        assert.ok(Date.now() - started < 30_000);
        const rows = await deps.db.query(`SELECT count(*)::int AS n FROM email_messages WHERE tenant_id = $1 AND message_id LIKE '<burst-%' AND state = 'done'`, [base.tenantId]);
        assert.equal(rows[0].n, 50, 'every mail of the burst was kept for the agents');

        // (6) Another recipient is refused at RCPT TO with 550 (not an open relay); ours is accepted.
        await assert.rejects(client.sendMail({ from: 'frank@customer.example', to: 'someone@elsewhere.example', subject: 'x', text: 'x' }), (e: { responseCode?: number }) => e.responseCode === 550);
        const ok = await client.sendMail({ from: 'grace@customer.example', to: MAILBOX, subject: '信用卡挂失', text: '信用卡丢了怎么挂失' });
        assert.deepEqual(ok.accepted, [MAILBOX]);
      } finally {
        client.close();
        await listener.close();
      }
    });

    it('(7) an attachment is stored, an oversized one refused, and an oversized message rejected with 552', async () => {
      const port = await freePort();
      const ch = channel('ch_email_att', { listener: { port, host: '127.0.0.1' }, limits: { maxAttachmentBytes: 4096, maxMessageBytes: 64 * 1024 } });
      const listener = new SmtpListener({ port, host: '127.0.0.1', maxBytes: ch.config.limits.maxMessageBytes, channels: () => [ch], deliver: (c, raw) => service.receive(c, raw, 'smtp'), logger: deps.logger });
      await listener.listen();
      const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      try {
        const big = Buffer.concat([PDF, Buffer.alloc(8 * 1024, 0x20)]);
        await client.sendMail({
          from: 'heidi@customer.example', to: MAILBOX, subject: '对账单有误', text: '附件是我的对账单，请帮忙核对。', messageId: '<att-1@customer.example>',
          html: '<p>附件是我的对账单，请帮忙核对。</p><script>alert(1)</script><img src="x" onerror="alert(2)">',
          attachments: [{ filename: 'statement.pdf', content: PDF, contentType: 'application/pdf' }, { filename: 'scan.pdf', content: big, contentType: 'application/pdf' }, { filename: 'run.exe', content: Buffer.from('MZ'), contentType: 'application/x-msdownload' }],
        });
        const [row] = await deps.db.query(`SELECT conversation_id FROM email_messages WHERE tenant_id = $1 AND bot_id = $2 AND message_id = '<att-1@customer.example>'`, [base.tenantId, base.botId]);
        const stored = await service.attachments(base.tenantId, row.conversation_id);
        assert.deepEqual(stored.map((a) => [a.filename, a.contentType, a.size]), [['statement.pdf', 'application/pdf', PDF.length]]);
        const content = await service.attachment(base.tenantId, stored[0].id);
        assert.ok(content.content.equals(PDF), 'bytes round-trip through bytea');
        await assert.rejects(service.attachment('other-tenant', stored[0].id), /not found/);
        const received = (await events(row.conversation_id)).find((e) => e.type === EV.received)!;
        const meta = received.payload.email as { attachments: { id: string }[]; refusedAttachments: { filename: string; reason: string }[]; html: string };
        assert.deepEqual(meta.attachments.map((a) => a.id), [stored[0].id]);
        assert.deepEqual(meta.refusedAttachments.map((r) => [r.filename, r.reason]), [['scan.pdf', 'too_large'], ['run.exe', 'type_not_allowed']]);
        assert.doesNotMatch(meta.html, /script|onerror|alert/);

        await assert.rejects(
          client.sendMail({ from: 'heidi@customer.example', to: MAILBOX, subject: 'big', text: 'x', attachments: [{ filename: 'a.pdf', content: Buffer.concat([PDF, Buffer.alloc(100 * 1024)]) }] }),
          (e: { responseCode?: number }) => e.responseCode === 552,
        );
      } finally {
        client.close();
        await listener.close();
      }
    });

    it('a refused send is logged and puts the conversation in the queue, never retried into a double send', async () => {
      const refusing = await startSmtpPeer({ rejectWith: 554 });
      try {
        const ch: EmailChannel = { id: 'ch_email_fail', ...base, config: EmailChannelConfig.parse({ address: MAILBOX, listener: { port: 2525 }, smtp: { host: '127.0.0.1', port: refusing.port, tls: 'none' } }) };
        const r = processed(await service.receive(ch, Buffer.from(mail({ from: 'ivan@customer.example', subject: '信用卡挂失', body: '信用卡丢了怎么挂失', id: '<fail-1@customer.example>' })), 'smtp'));
        assert.equal(r.sendFailed, true);
        assert.equal(r.sent, 'none');
        assert.equal(r.queued, true);
        assert.equal((await deps.conversations.get(base.tenantId, r.conversationId)).status, 'handoff');
        const types = (await events(r.conversationId)).map((e) => e.type);
        // The hand-off follows the failed send (the service desk may append `conversation.queued` right after).
        assert.equal(types.indexOf(EV.handoff), types.indexOf('email.send_failed') + 1, types.join(', '));
      } finally {
        await refusing.stop();
      }
    });

    it('runs from the channel config store (secrets encrypted), and an agent\'s reply goes out threaded through the outbound registry, once', async () => {
      const configs = new ChannelConfigService(new PgChannelConfigRepository(deps.db), deps.cipher, deps.audit, deps.tenancy);
      const outbound = new OutboundRegistry({ configs, logger: deps.logger });
      const email = createEmailChannel(deps, { configs, outbound });
      const p = { tenantId: base.tenantId, actor: 'user:test', roles: ['admin' as const] };
      await assert.rejects(configs.create(p, { botId: base.botId, type: EMAIL_TYPE, name: 'bad', public: { address: MAILBOX, imap: { host: '127.0.0.1', port: 143, user: 'u', password: 'in-public' } } }), /secrets/);
      const view = await configs.create(p, {
        botId: base.botId, type: EMAIL_TYPE, name: '客服邮箱',
        public: { address: MAILBOX, imap: { host: '127.0.0.1', port: 143, user: MAILBOX, tls: 'none' }, smtp: { host: '127.0.0.1', port: peer.port, tls: 'none' } },
        secrets: { imapPassword: 'secret-imap-pw' },
      });
      assert.deepEqual(view.secrets, { imapPassword: 'set' });
      assert.doesNotMatch(JSON.stringify(view), /secret-imap-pw/);
      const [raw] = await deps.db.query('SELECT secrets_enc, public::text AS pub FROM channel_configs WHERE id = $1', [view.id]);
      assert.doesNotMatch(raw.secrets_enc + raw.pub, /secret-imap-pw/);
      const listed = await coreEmailSource({ repo, configs, logger: deps.logger }).list();
      const ch = listed.find((c) => c.id === view.id)!;
      assert.equal(ch.config.imap?.password, 'secret-imap-pw');

      // A vague mail is queued; the agent answers it from the workbench through the outbound registry.
      const r = processed(await email.service.receive(ch, Buffer.from(mail({ from: 'Judy <judy@customer.example>', subject: '咨询', body: '我想问一下', id: '<agent-1@customer.example>', references: ['<root@customer.example>'] })), 'smtp'));
      assert.equal(r.queued, true);
      const before = peer.received.length;
      const conv = await deps.conversations.get(base.tenantId, r.conversationId);
      await outbound.deliver(conv, { type: 'text', text: '您好，我是客服小王，请问您想咨询哪方面的问题？' }, { idempotencyKey: `${conv.id}:7` });
      const sent = (await peer.waitFor(before + 1)).at(-1)!;
      assert.equal(sent.inReplyTo, '<agent-1@customer.example>');
      assert.deepEqual([sent.references].flat(), ['<root@customer.example>', '<agent-1@customer.example>']);
      assert.equal(sent.subject, 'Re: 咨询');
      assert.equal(sent.headers.get('auto-submitted'), undefined, 'a person wrote this one');
      assert.match(sent.text ?? '', /客服小王/);
      // Delivered again with the same key (a retried job): nothing more is sent.
      await outbound.deliver(conv, { type: 'text', text: '您好，我是客服小王，请问您想咨询哪方面的问题？' }, { idempotencyKey: `${conv.id}:7` });
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(peer.received.length, before + 1);
      await email.close();
    });
  });
}
