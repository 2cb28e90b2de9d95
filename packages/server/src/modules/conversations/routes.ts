import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../compose.ts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { redactDeep } from '../../platform/logger.ts';
import { can } from '../auth/roles.ts';

const Status = z.enum(['bot', 'handoff', 'agent', 'closed']);

export const conversationRoutes = (deps: Deps, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/conversations', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      querystring: z.object({ bot: z.string().max(64).optional(), status: Status.optional(), limit: z.coerce.number().int().min(1).max(500).default(50), before: z.coerce.date().optional() }),
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => {
    const p = principalOf(req);
    const botId = req.query.bot ? (await deps.tenancy.getBot(p.tenantId, req.query.bot)).id : undefined;
    const items = await deps.conversations.list(p.tenantId, { botId, status: req.query.status, limit: req.query.limit, before: req.query.before });
    return { items: items.map(({ state: _s, ...c }) => c) };
  });

  app.get('/api/v1/conversations/:id/events', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'The full event log of a conversation. Personal data is masked unless the role may view it (each such view is audited).',
      params: z.object({ id: z.string().max(64) }),
      querystring: z.object({ afterSeq: z.coerce.number().int().min(0).default(0), unmasked: z.enum(['true', 'false']).default('false') }),
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => {
    const p = principalOf(req);
    const conv = await deps.conversations.get(p.tenantId, req.params.id);
    const events = await deps.conversations.events(p.tenantId, conv.id, { afterSeq: req.query.afterSeq, limit: 5000 });
    const clear = req.query.unmasked === 'true' && can(p, 'pii:view');
    await deps.audit.record({ tenantId: p.tenantId, actor: p.actor, action: clear ? 'conversation.view_unmasked' : 'conversation.view', target: conv.id });
    const { state: _s, ...meta } = conv;
    return { conversation: meta, events: clear ? events : (redactDeep(events) as typeof events), masked: !clear };
  });

  app.get('/api/v1/audit-log', {
    schema: {
      tags: ['auth'], security: [{ bearer: [] }],
      querystring: z.object({ action: z.string().max(64).optional(), actor: z.string().max(80).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    },
    preHandler: guards.require('audit:read'),
  }, async (req) => ({ items: await deps.audit.list(principalOf(req).tenantId, req.query) }));
};
