/**
 * Inbound WeChat messages (official account XML, mini-program XML or JSON) → one normalized message.
 * Field names and message types: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html,
 * events: …/Receiving_event_pushes.html, mini-program customer service:
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/customer-message/receive.html
 */
export type WechatBase = {
  /** The customer's openid (FromUserName). */
  from: string;
  /** The account's original id (gh_…) or, for WeCom, the CorpID (ToUserName). */
  to: string;
  createTime: number;
  msgId?: string;
  unionId?: string;
  /** Key for deduplicating WeChat's retries: MsgId for messages, FromUserName + CreateTime (+ event) for events. */
  dedupeKey: string;
};

export type WechatInbound = WechatBase &
  (
    | { kind: 'text'; text: string; menuId?: string }
    | { kind: 'voice'; recognition?: string }
    | { kind: 'image' }
    | { kind: 'event'; event: 'subscribe' | 'unsubscribe' | 'click' | 'view' | 'enter_session' | 'card' | 'other'; rawEvent: string; key?: string }
    | { kind: 'unsupported'; msgType: string }
  );

export class WechatParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WechatParseError';
  }
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'object' ? undefined : String(v));

/** Fields from parseXml() or from a mini-program JSON push (same names, values may be numbers). */
export function parseWechatMessage(fields: Record<string, unknown>): WechatInbound {
  const from = str(fields.FromUserName);
  const msgType = str(fields.MsgType)?.toLowerCase();
  if (!from || !msgType) throw new WechatParseError('FromUserName and MsgType are required');
  if (from.length > 128) throw new WechatParseError('FromUserName is too long');
  const to = str(fields.ToUserName) ?? '';
  const createTime = Number(str(fields.CreateTime) ?? 0) || 0;
  const msgId = str(fields.MsgId) ?? str(fields.MsgID);
  const unionId = str(fields.UnionId) ?? str(fields.unionid);
  const event = str(fields.Event);
  const dedupeKey = msgId ? `m:${msgId}` : `e:${from}:${createTime}:${event ?? msgType}`;
  const base: WechatBase = { from, to, createTime, dedupeKey, ...(msgId ? { msgId } : {}), ...(unionId ? { unionId } : {}) };
  switch (msgType) {
    case 'text': {
      // bizmsgmenuid: the customer tapped an item of a menu message (msgmenu or a weixin://bizmsgmenu link).
      const menuId = str(fields.bizmsgmenuid);
      return { ...base, kind: 'text', text: str(fields.Content) ?? '', ...(menuId ? { menuId } : {}) };
    }
    case 'voice': {
      // Recognition is present only when the account enabled speech recognition (语音识别结果, UTF-8).
      const recognition = str(fields.Recognition)?.trim();
      return { ...base, kind: 'voice', ...(recognition ? { recognition } : {}) };
    }
    case 'image':
      return { ...base, kind: 'image' };
    case 'event': {
      const raw = event ?? '';
      const key = str(fields.EventKey);
      const e = raw.toLowerCase();
      const kind =
        e === 'subscribe' ? 'subscribe'
        : e === 'unsubscribe' ? 'unsubscribe'
        : e === 'click' ? 'click'
        : e === 'view' ? 'view'
        // Mini-program: the customer opened the customer-service session; WeCom app: entered the app.
        : e === 'user_enter_tempsession' || e === 'enter_agent' ? 'enter_session'
        // WeCom: a button of a template card was pressed.
        : e === 'template_card_event' ? 'card'
        : 'other';
      return { ...base, kind: 'event', event: kind, rawEvent: raw, ...(key ? { key } : {}) };
    }
    default:
      return { ...base, kind: 'unsupported', msgType };
  }
}
