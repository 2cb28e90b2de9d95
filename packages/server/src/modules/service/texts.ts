/** What customers read from the human service, in their language (the robot's `lang`: zh or en). */
const ZH = {
  queued: (group: string) => `正在为您转接人工客服（${group}），请稍候。`,
  assigned: (agent: string) => `您好，${agent}为您服务。`,
  toGroup: (group: string) => `正在为您转接至「${group}」，请稍候。`,
  requeued: '客服连接中断，正在为您重新安排客服，请稍候。',
  closed: '本次服务已结束，感谢您的咨询。请为本次服务打分（1–5 分）。',
  outOfHours: '现在是非服务时间，您可以发送留言，我们会在工作时间内尽快联系您。',
  messageLeft: (id: string) => `您的留言已收到（工单号 ${id}），我们会尽快联系您。`,
  abandoned: '由于长时间未收到您的回复，本次排队已结束。如需人工服务，请重新发起。',
  stillWaiting: '您已在排队中，请稍候；如不想等待，可回复“留言”。',
};
const EN: typeof ZH = {
  queued: (group) => `Connecting you to an agent (${group}). Please hold on.`,
  assigned: (agent) => `Hello, ${agent} is now serving you.`,
  toGroup: (group) => `Transferring you to ${group}. Please hold on.`,
  requeued: 'Your agent was disconnected. We are finding you another agent, please hold on.',
  closed: 'This chat has ended. Thank you for contacting us. Please rate our service (1–5).',
  outOfHours: 'We are outside service hours. You can leave a message and we will contact you during service hours.',
  messageLeft: (id) => `We have received your message (ticket ${id}) and will contact you soon.`,
  abandoned: 'Your place in the queue has ended because we did not hear from you. Ask for an agent again any time.',
  stillWaiting: 'You are in the queue, please hold on. Reply "leave a message" if you would rather not wait.',
};

export type Texts = typeof ZH;

/**
 * Channels whose customer watches the conversation live (the web widget, the app SDK): they get service notices
 * (queued, with an agent, transferred, still waiting). Asynchronous channels (SMS, e-mail, WeChat…) get only what
 * they need to read — the agent's replies, the closing and rating request, out-of-hours, a left message — so a
 * customer is not sent an SMS or an e-mail for every step of the queue.
 */
const NOTICE_CHANNELS = new Set(['web', 'app']);
export const wantsNotices = (channel: string | null | undefined) => !channel || NOTICE_CHANNELS.has(channel);
/** A service notice as the reply.sent event, or nothing on channels that do not want it. */
export const notice = (channel: string | null | undefined, text: string) =>
  wantsNotices(channel) ? [{ type: 'reply.sent', payload: { reply: { type: 'system' as const, text } } }] : [];
export const textsFor = (lang: unknown): Texts => (lang === 'en' ? EN : ZH);

/**
 * A waiting customer who writes one of these leaves the queue with a message (留言), which becomes a work order.
 * Whole-message matches only, so that "我不想等了，卡被吞了怎么办" still reaches the agent as a question.
 */
const LEAVE = /^(留言|我要留言|我想留言|不排了|不排队了|取消排队|不等了|不想等了|leave (a )?message|cancel|stop waiting)[。.!！\s]*$/i;
export const isLeaveRequest = (text: string) => LEAVE.test(text.trim());
