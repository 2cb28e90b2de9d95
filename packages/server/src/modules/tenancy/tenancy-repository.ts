import type { BotSettings } from './bot-settings.ts';

export type Tenant = { id: string; slug: string; name: string; createdAt: Date };
export type Bot = {
  id: string;
  tenantId: string;
  slug: string;
  name: string;
  locale: string;
  isPublic: boolean;
  settings: BotSettings;
  publishedVersion: number | null;
  createdAt: Date;
};

export type TenancyRepository = {
  insertTenant(t: Omit<Tenant, 'createdAt'>): Promise<void>;
  findTenantBySlug(slug: string): Promise<Tenant | null>;
  findTenant(id: string): Promise<Tenant | null>;
  insertBot(b: Omit<Bot, 'createdAt' | 'publishedVersion'>): Promise<void>;
  /** By id or slug, across tenants: used by the public chat API, which then scopes everything to the bot's tenant. */
  findBotByRef(ref: string): Promise<Bot | null>;
  findBot(tenantId: string, idOrSlug: string): Promise<Bot | null>;
  listBots(tenantId: string): Promise<Bot[]>;
  updateBot(tenantId: string, id: string, patch: Partial<Pick<Bot, 'name' | 'locale' | 'isPublic' | 'settings'>>): Promise<boolean>;
  setPublishedVersion(tenantId: string, botId: string, version: number): Promise<void>;
};
