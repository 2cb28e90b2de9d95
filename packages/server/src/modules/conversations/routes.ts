import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../compose.ts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { redactDeep } from '../../platform/logger.ts';
import { can } from '../auth/roles.ts';
import { OUTCOMES } from './search-repository.ts';

const Status = z.enum(['bot', 'handoff', 'agent', 'closed']);
const optText = (max: number) => z.string().trim().max(max).optional().transform((v) => v || undefined);
const SearchQuery = z.object({
  q: optText(200), customer: optText(100), agent: optText(64), intent: optText(80), channel: optText(40), bot: optText(64),
  rating: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(5).optional()),
  outcome: z.preprocess((v) => (v === '' ? undefined : v), z.enum(OUTCOMES).optional()),
  from: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.date().optional()),
  to: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.date().optional()),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

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

  app.get('/api/v1/conversations/search', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'Search conversations (newest first). Same filter names as the console page /conversations and analytics drill-down links.',
      description: '`q`: words of customer, robot or agent messages (all must occur); `customer`: a contact id, a name, or a phone / e-mail '
        + '(matched by its normalised keyed hash); `agent`: a user id; `intent`: a knowledge entry id (or `flow:<id>`); `outcome`: '
        + '`handoff` (a conversation.handoff event), `fallback` / `clarify` (a robot decision of that kind), `robot` (no hand-off). '
        + '`from` is inclusive, `to` exclusive (ISO 8601). Customers are always masked here. `total` stops counting at 1,001.',
      querystring: SearchQuery,
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => deps.conversationSearch.search(principalOf(req), req.query));

  app.get('/api/v1/conversations/:id/transcript', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'A conversation\'s full transcript: messages, robot decisions (intent, score), hand-off, queue, assignment, wrap-up, rating.',
      description: 'Personal data is masked; `unmask=1` shows it in clear to roles with pii:view (403 otherwise), and each such view is audited '
        + '(`conversation.view_unmasked`).',
      params: z.object({ id: z.string().max(64) }),
      querystring: z.object({ unmask: z.enum(['0', '1', 'true', 'false']).default('0') }),
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => deps.conversationSearch.transcript(principalOf(req), req.params.id, req.query.unmask === '1' || req.query.unmask === 'true'));

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
