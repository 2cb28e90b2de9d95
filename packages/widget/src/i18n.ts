/** Every string the widget shows. Chinese first: the widget serves Chinese banks; English for data-lang="en". */
const zhCN = {
  title: '在线客服',
  openChat: '打开在线客服',
  closeChat: '关闭在线客服',
  messages: '对话消息',
  inputLabel: '输入您的问题',
  placeholder: '请输入您的问题',
  send: '发送',
  typing: '客服正在输入…',
  connecting: '正在连接…',
  reconnecting: '网络连接中断，正在重新连接…',
  greeting: '您好，请问有什么可以帮您？',
  related: '您可能还想问：',
  options: '请选择：',
  handoff: '正在为您转接人工客服，稍后将有客服人员与您联系。',
  sending: '发送中',
  me: '我',
  bot: '客服',
  system: '系统提示',
  tooLong: '消息过长，请精简到 {max} 字以内。',
  sendFailed: '消息未能发送，请稍后重试。',
  serverError: '服务暂时不可用，请稍后再试。',
  queue: '您前面还有 {n} 人',
  eta: '，预计等待 {m} 分钟',
  leave: '留言',
  leaveHint: '请输入留言内容',
  contact: '联系方式（选填）',
  submit: '提交',
  joined: '{name}已接入',
  rateTitle: '请对本次服务评价',
  comment: '评价内容（选填）',
  thanks: '感谢您的评价！',
} as const;

export type Strings = { readonly [K in keyof typeof zhCN]: string };

const en: Strings = {
  title: 'Online service',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  messages: 'Conversation',
  inputLabel: 'Type your question',
  placeholder: 'Type your question',
  send: 'Send',
  typing: 'Agent is typing…',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost, reconnecting…',
  greeting: 'Hello, how can I help you?',
  related: 'You may also want to ask:',
  options: 'Please choose:',
  handoff: 'We are connecting you to a human agent; someone will follow up shortly.',
  sending: 'Sending',
  me: 'Me',
  bot: 'Service',
  system: 'Notice',
  tooLong: 'Your message is too long; please keep it under {max} characters.',
  sendFailed: 'Your message could not be sent; please try again later.',
  serverError: 'The service is temporarily unavailable; please try again later.',
  queue: '{n} ahead of you',
  eta: ', about {m} min',
  leave: 'Leave a message',
  leaveHint: 'Your message',
  contact: 'Contact (optional)',
  submit: 'Submit',
  joined: '{name} joined',
  rateTitle: 'How was our service?',
  comment: 'Comment (optional)',
  thanks: 'Thanks for your feedback!',
};

export type Lang = 'zh-CN' | 'en';

/** Anything starting with "en" gets English; everything else (zh, zh-CN, zh-Hans, unset) gets Chinese. */
export function pickLang(tag: string | null | undefined): Lang {
  return tag && /^en\b/i.test(tag.trim()) ? 'en' : 'zh-CN';
}

export function strings(lang: Lang): Strings {
  return lang === 'en' ? en : zhCN;
}

export function format(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
