import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Principal } from '../auth/roles.ts';
import { mergeSettings, settingsProblems, type BotSettings, type BotSettingsPatch } from './bot-settings.ts';
import type { Bot, TenancyRepository } from './tenancy-repository.ts';

export class TenancyService {
  constructor(private repo: TenancyRepository, private audit: AuditLog) {}

  async createTenant(slug: string, name: string) {
    if (await this.repo.findTenantBySlug(slug)) throw new AppError('conflict', `tenant ${slug} exists`);
    const t = { id: newId('tn'), slug, name };
    await this.repo.insertTenant(t);
    return t;
  }

  findTenantBySlug(slug: string) {
    return this.repo.findTenantBySlug(slug);
  }

  findTenant(id: string) {
    return this.repo.findTenant(id);
  }

  async createBot(tenantId: string, input: { slug: string; name: string; locale?: string; isPublic?: boolean; settings?: BotSettingsPatch }, actor = 'system'): Promise<Bot> {
    if (await this.repo.findBotByRef(input.slug)) throw new AppError('conflict', `a bot with slug ${input.slug} exists`);
    const bot = {
      id: newId('bot'), tenantId, slug: input.slug, name: input.name, locale: input.locale ?? 'zh-CN',
      isPublic: input.isPublic ?? false, settings: validSettings(undefined, input.settings),
    };
    await this.repo.insertBot(bot);
    await this.audit.record({ tenantId, actor, action: 'bot.create', target: bot.id, details: { slug: bot.slug } });
    return (await this.repo.findBot(tenantId, bot.id))!;
  }

  /** A bot of the caller's tenant; another tenant's bot is reported as not found, never as forbidden. */
  async getBot(tenantId: string, idOrSlug: string): Promise<Bot> {
    const bot = await this.repo.findBot(tenantId, idOrSlug);
    if (!bot) throw new AppError('not_found', 'bot not found');
    return bot;
  }

  /** Public chat: a bot by id or slug that is marked public. */
  async getPublicBot(ref: string): Promise<Bot> {
    const bot = await this.repo.findBotByRef(ref);
    if (!bot || !bot.isPublic) throw new AppError('not_found', `unknown bot: ${ref}`);
    return bot;
  }

  findBotAnyTenant(ref: string) {
    return this.repo.findBotByRef(ref);
  }

  listBots(tenantId: string) {
    return this.repo.listBots(tenantId);
  }

  /** Bot name, locale, visibility and settings; a settings change is audited with each changed setting's old and new value. */
  async updateBot(p: Principal, idOrSlug: string, patch: { name?: string; locale?: string; isPublic?: boolean; settings?: BotSettingsPatch }) {
    const bot = await this.getBot(p.tenantId, idOrSlug);
    const settings = patch.settings ? validSettings(bot.settings, patch.settings) : undefined;
    await this.repo.updateBot(p.tenantId, bot.id, { name: patch.name, locale: patch.locale, isPublic: patch.isPublic, settings });
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ['name', 'locale', 'isPublic'] as const) if (patch[k] !== undefined && patch[k] !== bot[k]) changes[k] = { from: bot[k], to: patch[k] };
    if (settings) {
      for (const k of Object.keys(settings) as (keyof BotSettings)[]) {
        if (JSON.stringify(settings[k]) !== JSON.stringify(bot.settings[k])) changes[`settings.${k}`] = { from: bot.settings[k], to: settings[k] };
      }
    }
    await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: settings ? 'bot.settings_update' : 'bot.update', target: bot.id, details: { slug: bot.slug, fields: Object.keys(changes), changes } });
    return this.getBot(p.tenantId, bot.id);
  }

  setPublishedVersion(tenantId: string, botId: string, version: number) {
    return this.repo.setPublishedVersion(tenantId, botId, version);
  }
}

/** Merged settings, or a 400 listing every rule the combination breaks (nothing is written then). */
function validSettings(current: BotSettings | undefined, patch: BotSettingsPatch | undefined): BotSettings {
  const merged = mergeSettings(current, patch);
  const problems = settingsProblems(merged);
  if (problems.length) throw new AppError('validation_failed', problems.map((x) => x.message).join('; '), { problems });
  return merged;
}
