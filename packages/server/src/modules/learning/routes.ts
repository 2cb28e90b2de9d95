import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import type { LearningService } from './learning-service.ts';

const Params = z.object({ bot: z.string().max(64) });
const QuestionIds = z.array(z.string().min(1).max(64)).min(1).max(5000);
const EntryDto = z.object({ id: z.string(), externalId: z.string(), question: z.string(), similar: z.array(z.string()), status: z.string() });
const entryDto = (e: z.infer<typeof EntryDto>) => ({ id: e.id, externalId: e.externalId, question: e.question, similar: e.similar, status: e.status });
const HotEntry = z.object({ entryId: z.string(), question: z.string(), count: z.number().int() });

export const learningRoutes = (d: { learning: LearningService }, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const { learning } = d;
  const base = '/api/v1/bots/:bot/learning';

  app.get(`${base}/clusters`, {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: 'Open unanswered and low-confidence customer questions, clustered (Chinese and English) and ranked by frequency',
      params: Params,
      querystring: z.object({
        days: z.coerce.number().int().min(1).max(365).default(30).describe('questions asked in the last N days'),
        threshold: z.coerce.number().min(0.05).max(0.95).optional().describe('cosine similarity to join a cluster (default 0.42)'),
      }),
      response: {
        200: z.object({
          questionCount: z.number().int(),
          clusters: z.array(z.object({
            key: z.string(), representative: z.string(), count: z.number().int(), lastAt: z.string(), avgScore: z.number().nullable(), lang: z.enum(['zh', 'en']),
            members: z.array(z.object({ text: z.string(), count: z.number().int(), ids: z.array(z.string()), lastAt: z.string() })),
          })),
        }),
      },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => learning.clusters(principalOf(req).tenantId, req.params.bot, req.query));

  app.post(`${base}/clusters/new-entry`, {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: "Turn a cluster's questions into a new draft entry (question = representative, similar = the others); they leave the list",
      params: Params,
      body: z.object({
        questionIds: QuestionIds,
        question: z.string().max(500).optional(),
        answer: z.string().max(20_000).optional().describe('default: a marker asking for the answer (the entry stays a draft)'),
        categoryId: z.string().max(64).nullable().optional(),
      }),
      response: { 201: z.object({ entry: EntryDto, handled: z.number().int() }) },
    },
    preHandler: guards.require('kb:write'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const r = await learning.createEntry(p, req.params.bot, req.body);
    return reply.status(201).send({ entry: entryDto(r.entry), handled: r.handled });
  });

  app.post(`${base}/clusters/add-to-entry`, {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: "Add a cluster's questions as similar questions of an existing entry; they leave the list",
      params: Params,
      body: z.object({ questionIds: QuestionIds, entry: z.string().min(1).max(200).describe('entry id or external id') }),
      response: { 200: z.object({ entry: EntryDto, added: z.number().int(), handled: z.number().int() }) },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => {
    const r = await learning.addToEntry(principalOf(req), req.params.bot, req.body);
    return { entry: entryDto(r.entry), added: r.added, handled: r.handled };
  });

  app.post(`${base}/clusters/dismiss`, {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: "Dismiss a cluster's questions (they leave the list)",
      params: Params,
      body: z.object({ questionIds: QuestionIds }),
      response: { 200: z.object({ dismissed: z.number().int() }) },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => learning.dismiss(principalOf(req), req.params.bot, req.body));

  app.get(`${base}/hot`, {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: 'Hot questions: answers per entry and day or week, from real conversations',
      params: Params,
      querystring: z.object({
        period: z.enum(['day', 'week']).default('day'),
        days: z.coerce.number().int().min(1).max(366).default(30),
        top: z.coerce.number().int().min(1).max(50).default(10),
      }),
      response: {
        200: z.object({
          period: z.enum(['day', 'week']), from: z.string(), to: z.string(), periods: z.array(z.string()), totals: z.array(z.number().int()),
          top: z.array(HotEntry.extend({ series: z.array(z.number().int()) })),
        }),
      },
    },
    preHandler: guards.require('kb:read'),
  }, async (req) => learning.hotStats(principalOf(req).tenantId, req.params.bot, req.query));

  app.get(`${base}/hot-menu`, {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: "The robot's hot-question menu now: the bot's manual list, or (setting learning.hotQuestionsAuto) the most answered entries of the last 7 days",
      params: Params,
      response: { 200: z.object({ source: z.enum(['manual', 'auto', 'none']), auto: z.boolean(), items: z.array(HotEntry) }) },
    },
    preHandler: guards.require('kb:read'),
  }, async (req) => learning.hotMenu(principalOf(req).tenantId, req.params.bot));
};
