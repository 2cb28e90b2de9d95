import type { Reply } from '@lingxi/contracts';
import { renderReplyText, replyLang } from '../core/render.ts';

/**
 * Outbound WeCom messages, pure. App messages (cgi-bin/message/send,
 * https://developer.work.weixin.qq.com/document/path/90236): text, markdown, template_card. WeChat customer service
 * (cgi-bin/kf/send_msg, https://developer.work.weixin.qq.com/document/path/94677): text and msgmenu.
 *
 * Clarifications in the app: a numbered text menu by default (works in passive replies, within the 5 s window,
 * and in every WeCom client); with clarifyAs=card a button_interaction template card whose buttons carry
 * `choice:<n>`, pressed buttons come back as template_card_event and are answered like the typed number. Button
 * labels are short (the documentation recommends at most 10 characters), so the card lists the full questions
 * in its sub-title and the buttons show the number and the question's start.
 * In customer service, options are a msgmenu: each item is tappable and sends its text back.
 */
const DUP_CHECK = { enable_duplicate_check: 1, duplicate_check_interval: 1800 };

export function appText(userId: string, agentId: number, reply: Reply) {
  return { touser: userId, msgtype: 'text', agentid: agentId, text: { content: renderReplyText(reply, { lang: replyLang([reply]) }) }, ...DUP_CHECK };
}

const mdEscape = (s: string) => s.replace(/([\\`*_[\]#>])/g, '\\$1');

export function appMarkdown(userId: string, agentId: number, reply: Reply) {
  const lines = [mdEscape(reply.text)];
  const list = reply.options?.length ? reply.options : reply.related;
  if (list?.length) {
    lines.push('', replyLang([reply]) === 'en' ? '> Reply with a number:' : '> 回复数字选择：');
    for (const o of list) lines.push(`${o.n}. ${mdEscape(o.text)}`);
  }
  return { touser: userId, msgtype: 'markdown', agentid: agentId, markdown: { content: lines.join('\n') }, ...DUP_CHECK };
}

const cut = (s: string, n: number) => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

export function appClarifyCard(userId: string, agentId: number, reply: Reply, taskId: string) {
  const options = (reply.options ?? []).slice(0, 6);
  return {
    touser: userId, msgtype: 'template_card', agentid: agentId,
    template_card: {
      card_type: 'button_interaction',
      main_title: { title: cut(reply.text, 26) },
      sub_title_text: options.map((o) => `${o.n}. ${o.text}`).join('\n'),
      task_id: taskId,
      button_list: options.map((o) => ({ text: cut(`${o.n}. ${o.text}`, 10), style: 1, key: `choice:${o.n}` })),
    },
    ...DUP_CHECK,
  };
}

export function kfMessage(externalUserId: string, openKfId: string, msgid: string, reply: Reply) {
  const base = { touser: externalUserId, open_kfid: openKfId, msgid };
  const options = reply.options?.length ? reply.options : undefined;
  if (options) {
    return {
      ...base, msgtype: 'msgmenu',
      msgmenu: {
        head_content: reply.text,
        list: options.map((o) => ({ type: 'click', click: { id: String(o.n), content: o.text } })),
        tail_content: replyLang([reply]) === 'en' ? 'Tap one, or reply with its number.' : '点击选择，或回复序号。',
      },
    };
  }
  return { ...base, msgtype: 'text', text: { content: renderReplyText(reply, { lang: replyLang([reply]) }) } };
}
