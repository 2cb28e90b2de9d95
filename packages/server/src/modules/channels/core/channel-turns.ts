import type { Reply, ReplyOption } from '@lingxi/contracts';
import type { Coordination } from '../../../platform/coordination.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { ContactService } from '../../contacts/contact-service.ts';
import type { IdentityKind } from '../../contacts/contact-repository.ts';
import { EV, type ConversationService } from '../../conversations/conversation-service.ts';
import { isValidAt } from '../../knowledge/knowledge-snapshot.ts';
import type { BotModelRegistry } from '../../robot/bot-model-registry.ts';
import type { ChatService, SenderIdentity } from '../../web-channel/chat-service.ts';
import type { ChannelConfigService, ResolvedChannelConfig } from './channel-config-service.ts';

/** Texts for what the robot cannot take (Chinese: these channels serve mainland customers). */
export const POLITE = {
  unsupported: '抱歉，智能客服暂时只能识别文字消息。请用文字描述您的问题，或回复“转人工”联系人工客服。',
  image: '已收到您的图片。智能客服目前只能识别文字，请用文字描述您的问题，或回复“转人工”联系人工客服。',
  voiceUnrecognized: '抱歉，没能识别您的语音，请用文字描述您的问题。',
  tooLong: '您的消息太长了，请精简后再发送。',
  busy: '系统繁忙，请稍后再发一次。',
  unknownMenu: '该菜单暂不可用，请直接输入您的问题。',
} as const;

export const politeReply = (key: keyof typeof POLITE): Reply => ({ type: 'text', text: POLITE[key] });

const BIND_MEMO_MS = 3600_000;
const LINK_MEMO_MS = 3600_000;

/**
 * A customer turn on a channel endpoint: the pieces every inbound adapter (WeChat, WeCom, SMS, 5G messages…) needs
 * on top of ChatService — the sender's identity as a contact, the conversation bound to the endpoint and address
 * (so that agents' replies find their way back), a greeting with hot questions, and failures turned into polite text.
 */
export class ChannelTurns {
  constructor(private d: { chat: ChatService; conversations: ConversationService; contacts: ContactService; models: BotModelRegistry; configs: ChannelConfigService; coordination: Coordination; logger: Logger }) {}

  /**
   * One customer message to the robot. `address` is what the channel's sender needs to reach this customer (openid,
   * external_userid, phone); `extraIdentity` is another identity of the same person to link (WeChat unionid).
   */
  async ask(cfg: ResolvedChannelConfig, t: { channel: string; identity: SenderIdentity; address: string; text: string; clientMsgId?: string; extraIdentity?: { kind: IdentityKind; value: string } }): Promise<{ sessionId?: string; replies: Reply[] }> {
    try {
      if (t.extraIdentity) await this.linkOnce(cfg.tenantId, t.identity, t.extraIdentity);
      const r = await this.d.chat.handle({ bot: cfg.botId, text: t.text, channel: t.channel, identity: t.identity, clientMsgId: t.clientMsgId });
      await this.bindOnce(cfg, r.sessionId, t.address);
      return { sessionId: r.sessionId, replies: r.replies };
    } catch (err) {
      if (err instanceof AppError && (err.code === 'bad_request' || err.code === 'validation_failed')) {
        return { replies: [politeReply(/too long/.test(err.message) ? 'tooLong' : 'unsupported')] };
      }
      this.d.logger.error({ err, channel: cfg.id }, 'channel turn failed');
      return { replies: [politeReply('busy')] };
    }
  }

  /**
   * The bot's greeting with its hot questions as a menu, recorded in the customer's conversation with the menu as
   * pending choices, so that the customer may answer with a number (subscribe, entering a session).
   */
  async greet(cfg: ResolvedChannelConfig, t: { channel: string; identity: SenderIdentity; address: string }): Promise<Reply[]> {
    try {
      const bot = await this.d.chat.botForChannel(cfg.botId);
      const options = await this.hotQuestions(cfg, bot.locale);
      const reply: Reply = { type: 'text', text: bot.settings.greeting, ...(options.length ? { options } : {}) };
      const conv = await this.d.chat.session(bot, undefined, t.channel, t.identity);
      const pending = options.map((o) => ({ n: o.n, entryId: o.entryId!, text: o.text }));
      // A concurrent turn may win the append; the greeting is still sent, only not recorded.
      await this.d.conversations.append(conv, [{ type: EV.replied, payload: { reply } }], { state: { ...conv.state, pending }, status: conv.status });
      await this.bindOnce(cfg, conv.id, t.address);
      return [reply];
    } catch (err) {
      this.d.logger.error({ err, channel: cfg.id }, 'channel greeting failed');
      return [politeReply('busy')];
    }
  }

  /** Published, currently valid hot questions of the bot in its language (at most 6, as the robot offers them). */
  async hotQuestions(cfg: ResolvedChannelConfig, locale: string): Promise<ReplyOption[]> {
    const bot = await this.d.chat.botForChannel(cfg.botId);
    const loaded = await this.d.models.get(bot);
    if (!loaded) return [];
    const zh = locale.startsWith('zh');
    const now = new Date();
    return bot.settings.hotQuestions
      .map((id) => loaded.entries.get(id))
      .filter((e) => !!e && isValidAt(e, now) && /[\u3400-\u9fff]/.test(e.question) === zh)
      .slice(0, 6)
      .map((e, i) => ({ n: i + 1, text: e!.question, entryId: e!.id }));
  }

  /** The question text of a published entry (menu keys like `hot:<entryId>`), or null. */
  async entryQuestion(cfg: ResolvedChannelConfig, entryId: string): Promise<string | null> {
    const bot = await this.d.chat.botForChannel(cfg.botId);
    const e = (await this.d.models.get(bot))?.entries.get(entryId);
    return e && isValidAt(e, new Date()) ? e.question : null;
  }

  private async bindOnce(cfg: ResolvedChannelConfig, conversationId: string, address: string) {
    // One write per conversation and endpoint per hour, not one per message.
    if (await this.d.coordination.setIfAbsent(`chbind:${conversationId}:${cfg.id}`, '1', BIND_MEMO_MS)) {
      await this.d.configs.bind(cfg.tenantId, conversationId, cfg.id, address);
    }
  }

  private async linkOnce(tenantId: string, primary: SenderIdentity, extra: { kind: IdentityKind; value: string }) {
    if (!(await this.d.coordination.setIfAbsent(`chlink:${tenantId}:${extra.kind}:${primary.value}`, '1', LINK_MEMO_MS))) return;
    // The unionid is the same person across the bank's official accounts and mini-programs: resolve it first, so
    // that an openid seen for the first time joins the contact that other accounts already know.
    const contactId = await this.d.contacts.resolve(tenantId, { kind: extra.kind, value: extra.value });
    await this.d.contacts.link(tenantId, contactId, { kind: primary.kind, value: primary.value });
  }
}
