import type { Deps } from '../../compose.ts';
import type { Principal } from '../auth/roles.ts';
import { PgSmsRepository } from '../messaging/pg-sms-repository.ts';
import { SmsService } from '../messaging/sms-service.ts';
import { ChannelConfigService } from './core/channel-config-service.ts';
import { ChannelTurns } from './core/channel-turns.ts';
import { OutboundRegistry } from './core/outbound.ts';
import { PgChannelConfigRepository } from './core/pg-channel-config-repository.ts';

/** Test-only: the channel core and SMS service built from composed deps, as compose.ts is expected to build them. */
export function channelCore(deps: Deps) {
  const configs = new ChannelConfigService(new PgChannelConfigRepository(deps.db), deps.cipher, deps.audit, deps.tenancy);
  const outbound = new OutboundRegistry({ configs, logger: deps.logger });
  const turns = new ChannelTurns({ chat: deps.chat, conversations: deps.conversations, contacts: deps.contacts, models: deps.models, configs, coordination: deps.coordination, logger: deps.logger });
  const sms = new SmsService({ repo: new PgSmsRepository(deps.db), hashKey: 'test-sms-hash-key', clock: deps.clock, logger: deps.logger });
  return { configs, outbound, turns, sms };
}

export async function demoAdmin(deps: Deps): Promise<Principal> {
  const t = (await deps.tenancy.findTenantBySlug('demo'))!;
  return { tenantId: t.id, actor: 'user:test', roles: ['admin'] };
}

export const until = async (cond: () => boolean | Promise<boolean>, ms = 8000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 15));
  }
};
