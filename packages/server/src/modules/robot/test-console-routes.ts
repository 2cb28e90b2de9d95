import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import type { TestConsoleService } from './test-console.ts';

/** The robot's state as the client carries it between test turns (see test-console.ts). */
const ConsoleState = z.object({
  failures: z.number().int().min(0).max(100).optional(),
  pending: z.array(z.object({ n: z.number().int(), entryId: z.string().max(200), text: z.string().max(1000) })).max(10).optional(),
  lastEntryId: z.string().max(200).optional(),
  lastQuestion: z.string().max(1000).optional(),
  lang: z.enum(['zh', 'en']).optional(),
});

const Hit = z.object({ id: z.string(), kind: z.enum(['entry', 'flow']), question: z.string(), score: z.number() });

export const testConsoleRoutes = (d: { testConsole: TestConsoleService }, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  app.post('/api/v1/bots/:bot/test-console/turns', {
    schema: {
      tags: ['knowledge'], security: [{ bearer: [] }],
      summary: 'Test console: one turn with the working copy (draft) or a published version, with a trace of the decision',
      description:
        'Stateless: send back the `state` of the previous turn for multi-turn tests (clarification choices, follow-ups). ' +
        'The draft model is trained on demand from the working copy (draft, submitted, approved and published entries) and ' +
        'reused until the working copy changes. Test turns are not conversations: nothing is logged, counted or collected. ' +
        'A business flow the message would start is named in the trace, not run (use the flow dry run).',
      params: z.object({ bot: z.string().max(64) }),
      body: z.object({
        version: z.union([z.literal('draft'), z.number().int().min(1)]),
        text: z.string().min(1).max(1000),
        state: ConsoleState.optional(),
        channel: z.enum(['web', 'app', 'api', 'wechat', 'wecom', 'sms', 'email', 'rcs', 'voice']).optional(),
      }),
      response: {
        200: z.object({
          replies: z.array(z.any()),
          state: z.record(z.string(), z.unknown()),
          trace: z.object({
            version: z.union([z.literal('draft'), z.number()]),
            trainedAt: z.string(), entryCount: z.number().int(), lang: z.string(), normalized: z.string().nullable(),
            rewritten: z.string().optional(),
            decision: z.enum(['answer', 'clarify', 'fallback', 'flow', 'handoff', 'smalltalk', 'no_knowledge']),
            intent: Hit.nullable(), hits: z.array(Hit),
            thresholds: z.object({ answer: z.number(), margin: z.number(), clarify: z.number() }),
            reason: z.object({ rule: z.string(), text: z.string(), score: z.number().optional(), second: z.number().optional(), margin: z.number().optional() }),
            flow: z.object({ id: z.string(), name: z.string() }).optional(),
            ms: z.number(),
          }),
        }),
      },
    },
    preHandler: guards.require('kb:write'),
  }, async (req) => {
    const p = principalOf(req);
    const r = await d.testConsole.turn(p.tenantId, req.params.bot, req.body);
    return { ...r, state: r.state as Record<string, unknown> };
  });
};
