import type { Reply, ReplyOption } from '@lingxi/contracts';
import { renderRepliesText, renderReplyText, replyLang } from '../core/render.ts';
import { toXml } from './xml.ts';

/**
 * The robot's replies in WeChat's forms. Passive replies carry one message, so all replies of a turn become one
 * text; customer-service messages may be several. Clarifications and hot questions are numbered menus; on official
 * accounts each line is also a weixin://bizmsgmenu link, which WeChat renders as a tappable line that sends its
 * text back as the customer's message (the form used by 客服消息 "菜单消息", documented under msgmenu at
 * https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html). Typing the
 * number works everywhere, so the menu stays usable where links are not rendered.
 */
export type WechatRenderOptions = { clickableMenus: boolean; linkify: boolean };

const MAX_TEXT_BYTES = 2000; // text messages are limited to 2048 bytes; keep a margin for the menu links

function menuLine(o: ReplyOption): string {
  const content = o.text.replace(/["<>&]/g, '');
  return `${o.n}. <a href="weixin://bizmsgmenu?msgmenucontent=${content}&msgmenuid=${o.n}">${content}</a>`;
}

/** Bare http(s) URLs in answers become <a href> links, which WeChat text messages allow. */
export function linkify(text: string): string {
  return text.replace(/(?<!href=")(https?:\/\/[^\s<>"'，。；、）)]+)/g, '<a href="$1">$1</a>');
}

function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch, 'utf8') > max - 3) break;
    out += ch;
  }
  return `${out}…`;
}

export function wechatText(replies: readonly Reply[], opts: WechatRenderOptions): string {
  const lang = replyLang(replies);
  const linked = opts.linkify ? replies.map((r) => ({ ...r, text: linkify(r.text) })) : replies;
  const text = renderRepliesText(linked, { lang, ...(opts.clickableMenus ? { optionLine: menuLine } : {}) });
  return truncateBytes(text, MAX_TEXT_BYTES);
}

/** Passive reply (被动回复用户消息): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html */
export function passiveTextXml(p: { toUser: string; fromUser: string; createTime: number; content: string }): string {
  return toXml({ ToUserName: p.toUser, FromUserName: p.fromUser, CreateTime: p.createTime, MsgType: 'text', Content: p.content });
}

/** The encrypted envelope of a passive reply in safe mode. */
export function encryptedReplyXml(p: { encrypt: string; signature: string; timestamp: string; nonce: string }): string {
  return toXml({ Encrypt: p.encrypt, MsgSignature: p.signature, TimeStamp: Number(p.timestamp), Nonce: p.nonce });
}

/**
 * Body of cgi-bin/message/custom/send for one reply. With options on an official account: a msgmenu message, whose
 * items send their content back when tapped; otherwise text with a numbered menu.
 */
export function customSendBody(openid: string, reply: Reply, opts: WechatRenderOptions & { menuMessages: boolean }): Record<string, unknown> {
  const options = reply.options?.length ? reply.options : undefined;
  if (options && opts.menuMessages) {
    return {
      touser: openid,
      msgtype: 'msgmenu',
      msgmenu: {
        head_content: reply.text,
        list: options.map((o) => ({ id: String(o.n), content: o.text })),
        tail_content: replyLang([reply]) === 'en' ? 'Tap one, or reply with its number.' : '点击选择，或回复序号。',
      },
    };
  }
  const r = opts.linkify ? { ...reply, text: linkify(reply.text) } : reply;
  return { touser: openid, msgtype: 'text', text: { content: truncateBytes(renderReplyText(r, { lang: replyLang([reply]), ...(opts.clickableMenus ? { optionLine: menuLine } : {}) }), MAX_TEXT_BYTES) } };
}
