import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../compose.ts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { BotSettings, BotSettingsPatch } from './bot-settings.ts';

const BotDto = z.object({
  id: z.string(), tenantId: z.string(), slug: z.string(), name: z.string(), locale: z.string(), isPublic: z.boolean(),
  settings: BotSettings, publishedVersion: z.number().nullable(), createdAt: z.date(),
});
const Slug = z.string().min(2).max(40).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export const tenancyRoutes = (deps: Deps, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/bots', {
    schema: { tags: ['bots'], security: [{ bearer: [] }], response: { 200: z.object({ items: z.array(BotDto) }) } },
    preHandler: guards.require('bot:read'),
  }, async (req) => ({ items: await deps.tenancy.listBots(principalOf(req).tenantId) }));

  app.post('/api/v1/bots', {
    schema: {
      tags: ['bots'], security: [{ bearer: [] }],
      body: z.object({ slug: Slug, name: z.string().min(1).max(100), locale: z.enum(['zh-CN', 'en']).optional(), isPublic: z.boolean().optional(), settings: BotSettingsPatch.optional() }),
      response: { 201: BotDto },
    },
    preHandler: guards.require('bot:manage'),
  }, async (req, reply) => {
    const p = principalOf(req);
    reply.status(201);
    return deps.tenancy.createBot(p.tenantId, req.body, p.actor);
  });

  app.get('/api/v1/bots/:bot', {
    schema: { tags: ['bots'], security: [{ bearer: [] }], params: z.object({ bot: z.string().max(64) }), response: { 200: BotDto } },
    preHandler: guards.require('bot:read'),
  }, async (req) => deps.tenancy.getBot(principalOf(req).tenantId, req.params.bot));

  app.patch('/api/v1/bots/:bot', {
    schema: {
      tags: ['bots'], security: [{ bearer: [] }], params: z.object({ bot: z.string().max(64) }),
      body: z.object({ name: z.string().min(1).max(100).optional(), locale: z.enum(['zh-CN', 'en']).optional(), isPublic: z.boolean().optional(), settings: BotSettingsPatch.optional() }),
      response: { 200: BotDto },
    },
    preHandler: guards.require('bot:manage'),
  }, async (req) => deps.tenancy.updateBot(principalOf(req), req.params.bot, req.body));
};
