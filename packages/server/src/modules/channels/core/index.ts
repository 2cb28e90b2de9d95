import type { Deps } from '../../../compose.ts';
import type { RetryPolicy } from './vendor-http.ts';
import { ChannelConfigService } from './channel-config-service.ts';
import { ChannelTurns } from './channel-turns.ts';
import { OutboundRegistry } from './outbound.ts';
import { PgChannelConfigRepository } from './pg-channel-config-repository.ts';
import { WechatApi } from '../wechat/api.ts';
import { WECHAT_TYPE, WechatService, wechatSpec } from '../wechat/wechat-service.ts';
import { WecomApi } from '../wecom/api.ts';
import { WECOM_APP_TYPE, WECOM_KF_TYPE, wecomAppSpec, wecomKfSpec, WecomService } from '../wecom/wecom-service.ts';

export type ChannelDeps = Pick<Deps, 'db' | 'cipher' | 'audit' | 'tenancy' | 'chat' | 'conversations' | 'contacts' | 'models' | 'coordination' | 'logger'>;

export type Channels = {
  configs: ChannelConfigService;
  outbound: OutboundRegistry;
  turns: ChannelTurns;
  wechat: WechatService;
  wecom: WecomService;
  /** Waits for replies still being sent after their webhook was answered. */
  close(): Promise<void>;
};

/**
 * The channels module: configuration (with encrypted credentials), the outbound registry and the WeChat/WeCom
 * adapters, wired once (compose.ts). Other channel folders register their type and sender on `configs` and
 * `outbound` (see core/README.md).
 */
export function createChannels(deps: ChannelDeps, opts: { vendorTimeoutMs?: number; retry?: RetryPolicy } = {}): Channels {
  const configs = new ChannelConfigService(new PgChannelConfigRepository(deps.db), deps.cipher, deps.audit, deps.tenancy);
  const outbound = new OutboundRegistry({ configs, logger: deps.logger });
  const turns = new ChannelTurns({ chat: deps.chat, conversations: deps.conversations, contacts: deps.contacts, models: deps.models, configs, coordination: deps.coordination, logger: deps.logger });
  const apiOpts = { timeoutMs: opts.vendorTimeoutMs, retry: opts.retry };
  const wechat = new WechatService({ configs, turns, api: new WechatApi(deps.coordination, apiOpts), coordination: deps.coordination, logger: deps.logger });
  const wecom = new WecomService({ configs, turns, api: new WecomApi(deps.coordination, apiOpts), coordination: deps.coordination, logger: deps.logger });
  configs.registerType(WECHAT_TYPE, wechatSpec);
  configs.registerType(WECOM_APP_TYPE, wecomAppSpec);
  configs.registerType(WECOM_KF_TYPE, wecomKfSpec);
  outbound.registerSender(WECHAT_TYPE, wechat.sender());
  outbound.registerSender(WECOM_APP_TYPE, wecom.appSender());
  outbound.registerSender(WECOM_KF_TYPE, wecom.kfSender());
  return {
    configs, outbound, turns, wechat, wecom,
    async close() {
      await wechat.background.idle();
      await wecom.background.idle();
    },
  };
}
