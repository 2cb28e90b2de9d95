import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headerMap, messageIds, bareAddress } from './headers.ts';
import { threadCandidates, replySubject, replyReferences, ourMessageId } from './threading.ts';
import { noAutoReplyReason } from './loop-guard.ts';
import { stripQuoted } from './quote-strip.ts';
import { renderEmailReply } from './render.ts';
import { screenAttachments } from './inbound.ts';
import { EmailChannelConfig } from './email-config.ts';

const H = (lines: Record<string, string>) => headerMap(Object.entries(lines).map(([k, v]) => ({ key: k.toLowerCase(), line: `${k}: ${v}` })));
const OURS = ['kf@bank.example'];

describe('threading', () => {
  it('looks up In-Reply-To first, then References from the newest', () => {
    assert.deepEqual(threadCandidates(['<c@x>'], ['<a@x>', '<b@x>', '<c@x>']), ['<c@x>', '<b@x>', '<a@x>']);
  });
  it('parses ids with brackets, unfolded References, and a bare id', () => {
    const h = headerMap([{ key: 'references', line: 'References: <a@x>\r\n\t<b@x>' }]);
    assert.deepEqual(messageIds(h.get('references')![0]), ['<a@x>', '<b@x>']);
    assert.deepEqual(messageIds('a@x'), ['<a@x>']);
    assert.equal(bareAddress('"张三" <ZhangSan@Example.COM>'), 'zhangsan@example.com');
  });
  it('does not stack reply prefixes (English and Chinese clients)', () => {
    assert.equal(replySubject('信用卡挂失'), 'Re: 信用卡挂失');
    assert.equal(replySubject('Re: RE: 回复：信用卡挂失'), 'Re: 信用卡挂失');
    assert.equal(replySubject(''), 'Re:');
  });
  it('References of a reply end with the parent and keep the root when capped', () => {
    assert.deepEqual(replyReferences(['<a@x>', '<b@x>'], '<c@x>'), ['<a@x>', '<b@x>', '<c@x>']);
    const long = Array.from({ length: 30 }, (_, i) => `<m${i}@x>`);
    const r = replyReferences(long, '<p@x>', 20);
    assert.equal(r.length, 20);
    assert.equal(r[0], '<m0@x>');
    assert.equal(r.at(-1), '<p@x>');
    assert.match(ourMessageId('abc', 'kf@bank.example'), /^<lingxi\.abc@bank\.example>$/);
  });
});

describe('loop guard (RFC 3834)', () => {
  const human = { From: 'Ann <ann@customer.example>', Subject: 'card' };
  it('allows a person writing in', () => assert.equal(noAutoReplyReason(H(human), OURS), null));
  it('allows Auto-Submitted: no', () => assert.equal(noAutoReplyReason(H({ ...human, 'Auto-Submitted': 'no' }), OURS), null));
  const cases: [Record<string, string>, string][] = [
    [{ ...human, 'Auto-Submitted': 'auto-replied' }, 'auto_submitted'],
    [{ ...human, 'Auto-Submitted': 'auto-generated' }, 'auto_submitted'],
    [{ ...human, Precedence: 'bulk' }, 'precedence'],
    [{ ...human, Precedence: 'list' }, 'precedence'],
    [{ ...human, 'List-Id': 'News <news.bank.example>' }, 'mailing_list'],
    [{ ...human, 'X-Autoreply': 'yes' }, 'auto_reply_header'],
    [{ ...human, 'X-Auto-Response-Suppress': 'OOF, AutoReply' }, 'suppressed'],
    [{ ...human, 'Return-Path': '<>' }, 'bounce'],
    [{ ...human, 'Content-Type': 'multipart/report; report-type=delivery-status' }, 'delivery_report'],
    [{ From: 'MAILER-DAEMON@mx.example' }, 'system_sender'],
    [{ From: 'postmaster@mx.example' }, 'system_sender'],
    [{ From: 'no-reply@shop.example' }, 'system_sender'],
    [{ From: 'noreply@shop.example' }, 'system_sender'],
    [{ From: 'Bank <KF@bank.example>' }, 'own_address'],
    [{ ...human, 'Reply-To': 'kf@bank.example' }, 'own_address'],
    [{ Subject: 'no from' }, 'no_sender'],
  ];
  for (const [h, want] of cases) it(`${JSON.stringify(h)} → ${want}`, () => assert.equal(noAutoReplyReason(H(h), OURS), want));
});

describe('quoted history', () => {
  it('keeps only the new text of a Gmail-style reply', () => {
    const t = 'Thanks, and how do I close it?\n\nOn Mon, 1 Jan 2024 at 10:00, Bank <kf@bank.example> wrote:\n> You can report a lost card...\n> more';
    assert.equal(stripQuoted(t), 'Thanks, and how do I close it?');
  });
  it('handles a wrapped attribution line', () => {
    assert.equal(stripQuoted('Yes please\n\nOn Mon, 1 Jan 2024 at 10:00, Customer Service\n<kf@bank.example> wrote:\n> old'), 'Yes please');
  });
  it('strips the Chinese attribution of QQ Mail / Foxmail / NetEase', () => {
    assert.equal(stripQuoted('好的，谢谢\n\n在 2024年1月1日 10:00，客服 <kf@bank.example> 写道：\n> 您好'), '好的，谢谢');
  });
  it('strips Outlook headers and original-message separators', () => {
    assert.equal(stripQuoted('new text\n\nFrom: Bank <kf@bank.example>\nSent: Monday\nTo: me\nSubject: Re: x\n\nold'), 'new text');
    assert.equal(stripQuoted('新内容\n------------------ 原始邮件 ------------------\n发件人: 客服'), '新内容');
  });
  it('drops > lines and the signature', () => {
    assert.equal(stripQuoted('> quoted\nmine\n-- \nAnn Lee\nACME'), 'mine');
  });
});

describe('reply rendering', () => {
  it('gives a text and a sanitized HTML part, options as a numbered menu', () => {
    const r = renderEmailReply([{ type: 'answer', text: '挂失请拨打 95588。\n<b>24 小时</b>', related: [{ n: 1, text: '如何补卡' }] }], 'zh');
    assert.match(r.text, /挂失请拨打 95588/);
    assert.match(r.text, /1\. 如何补卡/);
    assert.match(r.text, /\n-- \n本邮件由智能客服自动回复/);
    assert.match(r.html, /&lt;b&gt;24 小时&lt;\/b&gt;/, 'text from the knowledge base is escaped, not interpreted');
    assert.doesNotMatch(r.html, /<b>/);
    assert.match(r.html, /<br>/);
  });
});

describe('attachment policy', () => {
  const limits = EmailChannelConfig.parse({ address: 'kf@bank.example', listener: { port: 2525 } }).limits;
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100)]);
  it('accepts an allowed type, refuses oversized, disallowed and disguised files', () => {
    const v = screenAttachments([
      { filename: 'a.pdf', contentType: 'application/pdf', content: pdf, inline: false },
      { filename: 'big.pdf', contentType: 'application/pdf', content: Buffer.concat([pdf, Buffer.alloc(limits.maxAttachmentBytes)]), inline: false },
      { filename: 'x.exe', contentType: 'application/x-msdownload', content: Buffer.from('MZ'), inline: false },
      { filename: 'fake.pdf', contentType: 'application/pdf', content: Buffer.from('MZ\x90\x00'), inline: false },
    ], limits);
    assert.deepEqual(v.accepted.map((a) => a.filename), ['a.pdf']);
    assert.deepEqual(v.refused.map((r) => [r.filename, r.reason]), [['big.pdf', 'too_large'], ['x.exe', 'type_not_allowed'], ['fake.pdf', 'content_mismatch']]);
  });
});

describe('config', () => {
  it('needs a way to receive, and rejects a bad address', () => {
    assert.equal(EmailChannelConfig.safeParse({ address: 'kf@bank.example' }).success, false);
    assert.equal(EmailChannelConfig.safeParse({ address: 'not-an-address', listener: { port: 2525 } }).success, false);
    const c = EmailChannelConfig.parse({ address: 'kf@bank.example', listener: { port: 2525 } });
    assert.equal(c.limits.repliesPerSenderPerHour, 10);
    assert.equal(c.autoReply, true);
  });
});
