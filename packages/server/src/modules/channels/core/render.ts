import type { Reply, ReplyOption } from '@lingxi/contracts';

export type TextRenderOptions = {
  /** 'zh' (default) or 'en': the language of the menu prompts. */
  lang?: 'zh' | 'en';
  /** How one option line is written; default `1. text`. WeChat uses this to make lines clickable. */
  optionLine?: (o: ReplyOption) => string;
  /** Separator between replies that are joined into one message. Default a blank line. */
  separator?: string;
};

const PROMPT = {
  zh: { choose: '回复数字选择：', related: '您可能还想了解（回复数字选择）：' },
  en: { choose: 'Reply with a number:', related: 'You may also want to know (reply with a number):' },
};

const defaultLine = (o: ReplyOption) => `${o.n}. ${o.text}`;

/**
 * One reply as plain text for a channel without buttons: the reply's text, then its options as a numbered menu
 * ("回复数字选择：\n1. …"), then related questions likewise. The html variant is dropped: `text` is the plain form
 * of the same answer. The customer answers by number; the robot keeps the options as pending choices.
 */
export function renderReplyText(r: Reply, opts: TextRenderOptions = {}): string {
  const p = PROMPT[opts.lang ?? 'zh'];
  const line = opts.optionLine ?? defaultLine;
  const parts = [r.text.trim()];
  if (r.options?.length) parts.push(`${p.choose}\n${r.options.map(line).join('\n')}`);
  else if (r.related?.length) parts.push(`${p.related}\n${r.related.map(line).join('\n')}`);
  return parts.filter(Boolean).join('\n');
}

/** All replies of a turn as one text message (channels that allow one message per turn, e.g. a passive reply). */
export function renderRepliesText(replies: readonly Reply[], opts: TextRenderOptions = {}): string {
  return replies.map((r) => renderReplyText(r, opts)).filter(Boolean).join(opts.separator ?? '\n\n');
}

/** The language a reply set is in, guessed from its text (menus follow the answer's language). */
export function replyLang(replies: readonly Reply[]): 'zh' | 'en' {
  const t = replies.map((r) => r.text).join('');
  return /[\u3400-\u9fff]/.test(t) || !t ? 'zh' : 'en';
}
