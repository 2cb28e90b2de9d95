import { z } from 'zod';
import { RatingRequest } from '@lingxi/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuditLog } from '../audit/audit-log.ts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { maskPii } from '../../platform/pii.ts';
import { can } from '../auth/roles.ts';
import type { Rating } from './rating-repository.ts';
import type { SatisfactionService } from './satisfaction-service.ts';

const RATING_PATH = '/api/v1/chat/rating';

const Filters = z.object({
  from: z.coerce.date().optional().describe('rated at or after (ISO 8601)'),
  to: z.coerce.date().optional().describe('rated before (ISO 8601)'),
  botId: z.string().max(64).optional().describe('bot id or slug'),
  agentId: z.string().max(64).optional(),
  group: z.string().max(64).optional(),
});

const RatingDto = z.object({
  conversationId: z.string(), botId: z.string(), channel: z.string(),
  agentId: z.string().nullable(), agentName: z.string().nullable(), group: z.string().nullable(),
  score: z.number().int(), comment: z.string().nullable(), revision: z.number().int(), ratedAt: z.string(),
});
const SummaryRow = z.object({
  key: z.string().nullable(), label: z.string().nullable(), count: z.number().int(), average: z.number(),
  distribution: z.object({ 1: z.number().int(), 2: z.number().int(), 3: z.number().int(), 4: z.number().int(), 5: z.number().int() }),
  satisfactionRate: z.number(),
});

export const satisfactionRoutes = (d: { satisfaction: SatisfactionService; audit: AuditLog }, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const { satisfaction } = d;

  // Public and credential-free like POST /api/v1/chat, so the widget may call it from any bank's page.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(RATING_PATH)) return;
    reply.header('access-control-allow-origin', '*');
  });
  app.options(RATING_PATH, { schema: { hide: true } }, async (_req, reply) =>
    reply.header('access-control-allow-methods', 'POST, OPTIONS').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '86400').status(204).send(),
  );

  app.post(RATING_PATH, {
    schema: {
      tags: ['chat'],
      summary: 'Rate a conversation (满意度): 1–5 and an optional comment',
      description:
        'The session must belong to the bot. One rating per conversation: a second one replaces the first. The comment is stored as plain ' +
        'text (at most 500 characters). A session may rate a few times per ten minutes (429 beyond). The WebSocket has the `rate` message.',
      body: RatingRequest,
      response: { 200: z.object({ sessionId: z.string(), score: z.number().int(), comment: z.string().nullable(), revision: z.number().int(), replaced: z.boolean(), ratedAt: z.string() }) },
    },
  }, async (req) => satisfaction.rateSession(req.body));

  app.get('/api/v1/ratings', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'Ratings, newest first. Personal data in comments is masked unless the role may view it (each such view is audited).',
      querystring: Filters.extend({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before: z.coerce.date().optional().describe('page: ratings before this ratedAt'),
        unmasked: z.enum(['true', 'false']).default('false'),
      }),
      response: { 200: z.object({ items: z.array(RatingDto), masked: z.boolean() }) },
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => {
    const p = principalOf(req);
    const { limit, before, unmasked, ...filters } = req.query;
    const items = await satisfaction.list(p.tenantId, { ...filters, limit, before });
    const clear = unmasked === 'true' && can(p, 'pii:view');
    if (clear) await d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'ratings.view_unmasked', details: { count: items.length } });
    return { items: items.map((r) => dto(r, clear)), masked: !clear };
  });

  app.get('/api/v1/ratings/summary', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'Rating figures per bot, agent or skill group: count, average, distribution and satisfaction rate (share of 4 and 5)',
      querystring: Filters.extend({ by: z.enum(['bot', 'agent', 'group']).default('bot') }),
      response: { 200: z.object({ by: z.enum(['bot', 'agent', 'group']), total: SummaryRow, items: z.array(SummaryRow) }) },
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => {
    const { by, ...filters } = req.query;
    return satisfaction.summary(principalOf(req).tenantId, by, filters);
  });
};

function dto(r: Rating, clear: boolean): z.infer<typeof RatingDto> {
  return {
    conversationId: r.conversationId, botId: r.botId, channel: r.channel, agentId: r.agentId, agentName: r.agentName, group: r.group,
    score: r.score, comment: r.comment && !clear ? maskPii(r.comment) : r.comment, revision: r.revision, ratedAt: r.ratedAt.toISOString(),
  };
}
