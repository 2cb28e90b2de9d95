import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import { TABLES, type AnalyticsService } from './analytics-service.ts';

const security = [{ bearer: [] }];
const tags = ['analytics'];
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const Range = z.object({
  from: Day.optional().describe('first day, in the tenant time zone (Asia/Shanghai); default: 6 days before `to`'),
  to: Day.optional().describe('last day, inclusive; default: today'),
  channel: z.string().min(1).max(32).optional().describe('only this channel (web, app, wechat, sms, email…)'),
  bot: z.string().min(1).max(64).optional().describe('only this bot (id)'),
});
const rate = z.number().nullable().describe('0..1; null without conversations');
const CountsDto = z.object({
  conversations: z.number().int(), handedOff: z.number().int(), fallback: z.number().int(), clarify: z.number().int(), answered: z.number().int(),
  customerMessages: z.number().int(), rated: z.number().int(), ratingSum: z.number().int(), satisfied: z.number().int(),
});
const RatesDto = z.object({ selfServiceRate: rate, handoffRate: rate, fallbackRate: rate, clarifyRate: rate });
const SlaAcc = z.object({
  workOrders: z.number().int(), resolved: z.number().int(), responseMet: z.number().int(), responseBreached: z.number().int(), responsePending: z.number().int(),
  resolutionMet: z.number().int(), resolutionBreached: z.number().int(), resolutionPending: z.number().int(), responseAttainment: rate, resolutionAttainment: rate,
});

/** Dashboards (docs/ANALYTICS.md): read from the rollups the projector maintains; `analytics:read`. */
export const analyticsRoutes = (analytics: AnalyticsService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const pre = guards.require('analytics:read');
  const f = (req: { query: z.infer<typeof Range> }, tenantId: string) =>
    analytics.filter(tenantId, { from: req.query.from, to: req.query.to, channel: req.query.channel, botId: req.query.bot });

  app.get('/api/v1/analytics/overview', {
    schema: {
      tags, security, summary: 'KPIs: conversations, robot self-service, hand-off, fallback and clarification rates, satisfaction',
      querystring: Range,
      response: {
        200: z.object({
          range: z.object({ from: z.string(), to: z.string(), fromAt: z.string(), toAt: z.string(), timeZone: z.string() }),
          totals: CountsDto.merge(RatesDto).extend({ robotResolved: z.number().int(), averageRating: z.number().nullable(), satisfactionRate: rate }),
          channels: z.array(z.string()).describe('channels with conversations (any time)'),
          pendingEvents: z.number().int().describe('conversation events not projected yet'),
        }),
      },
    },
    preHandler: pre,
  }, async (req) => analytics.overview(f(req, principalOf(req).tenantId)));

  app.get('/api/v1/analytics/traffic', {
    schema: {
      tags, security, summary: 'Conversations by channel and hour of day (local), and by channel and day', querystring: Range,
      response: {
        200: z.object({
          hours: z.array(z.object({ channel: z.string(), hour: z.number().int(), conversations: z.number().int() })),
          days: z.array(z.object({ channel: z.string(), day: z.string(), conversations: z.number().int() })),
        }),
      },
    },
    preHandler: pre,
  }, async (req) => analytics.traffic(f(req, principalOf(req).tenantId)));

  app.get('/api/v1/analytics/trends', {
    schema: {
      tags, security, summary: 'Per day: conversations and the self-service, hand-off, fallback and clarification rates', querystring: Range,
      response: { 200: z.object({ items: z.array(RatesDto.extend({ day: z.string(), conversations: z.number().int(), handedOff: z.number().int(), fallback: z.number().int(), clarify: z.number().int() })) }) },
    },
    preHandler: pre,
  }, async (req) => ({ items: await analytics.trends(f(req, principalOf(req).tenantId)) }));

  app.get('/api/v1/analytics/top', {
    schema: {
      tags, security, summary: 'Top knowledge entries answered (kind=entry) or intents understood (kind=intent: flow:<id> or the robot decision)',
      querystring: Range.extend({ kind: z.enum(['entry', 'intent']).default('entry'), limit: z.coerce.number().int().min(1).max(100).default(10) }),
      response: { 200: z.object({ items: z.array(z.object({ key: z.string(), botId: z.string().nullable().describe('the bot of an entry'), label: z.string().nullable(), hits: z.number().int(), conversations: z.number().int() })) }) },
    },
    preHandler: pre,
  }, async (req) => ({ items: await analytics.top(f(req, principalOf(req).tenantId), req.query.kind, req.query.limit) }));

  app.get('/api/v1/analytics/satisfaction', {
    schema: {
      tags, security, summary: 'Satisfaction by bot, agent or skill group (average 1–5, share of 4 and 5)',
      querystring: Range.extend({ by: z.enum(['bot', 'agent', 'group']).default('bot') }),
      response: { 200: z.object({ items: z.array(z.object({ key: z.string(), label: z.string().nullable(), rated: z.number().int(), averageRating: z.number().nullable(), satisfactionRate: rate })) }) },
    },
    preHandler: pre,
  }, async (req) => ({ items: await analytics.satisfaction(f(req, principalOf(req).tenantId), req.query.by) }));

  app.get('/api/v1/analytics/agents', {
    schema: {
      tags, security, summary: 'Agent KPIs: conversations, resolution, average first-response and handle time, ratings', querystring: Range,
      response: {
        200: z.object({
          items: z.array(z.object({
            agentId: z.string(), agentName: z.string().nullable(), conversations: z.number().int(), resolved: z.number().int(), resolutionRate: rate,
            averageFirstResponseMs: z.number().nullable(), averageHandleMs: z.number().nullable(), rated: z.number().int(), averageRating: z.number().nullable(), satisfactionRate: rate,
          })),
        }),
      },
    },
    preHandler: pre,
  }, async (req) => ({ items: await analytics.agents(f(req, principalOf(req).tenantId)) }));

  app.get('/api/v1/analytics/sla', {
    schema: {
      tags, security, summary: 'Work-order SLA attainment by creation day and priority (channel and bot filters do not apply)', querystring: Range,
      response: { 200: z.object({ total: SlaAcc, days: z.array(SlaAcc.extend({ day: z.string() })), priorities: z.array(SlaAcc.extend({ priority: z.string() })) }) },
    },
    preHandler: pre,
  }, async (req) => analytics.sla(f(req, principalOf(req).tenantId)));

  app.get('/api/v1/analytics/export', {
    schema: {
      tags, security, summary: 'Export one dashboard table as CSV (UTF-8 with BOM) or Excel',
      querystring: Range.extend({ table: z.enum(TABLES), format: z.enum(['csv', 'xlsx']).default('csv'), lang: z.enum(['zh', 'en']).default('zh') }),
    },
    preHandler: pre,
  }, async (req, reply) => {
    const file = await analytics.export(req.query.table, f(req, principalOf(req).tenantId), req.query.format, req.query.lang);
    return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
  });

  app.post('/api/v1/analytics/refresh', {
    schema: {
      tags, security, summary: 'Project pending conversation events now (the projector also runs by itself); idempotent',
      response: { 200: z.object({ ran: z.boolean(), events: z.number().int(), conversations: z.number().int(), ms: z.number().int() }) },
    },
    preHandler: pre,
  }, async () => {
    const r = await analytics.refresh();
    return { ran: r !== null, events: r?.events ?? 0, conversations: r?.conversations ?? 0, ms: r?.ms ?? 0 };
  });
};
