import { z } from 'zod';
import { AssistSuggestion } from '@lingxi/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import type { AssistService } from './assist-service.ts';

export const assistRoutes = (assist: AssistService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/agent/conversations/:id/assist', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: "Agent assist (坐席辅助) for the customer's latest message: top knowledge answers, intent, sentiment, kinds of personal data",
      description: 'The same suggestion is pushed live to the assigned agent as `{type:"assist"}` on the agent WebSocket; this computes it when missing.',
      params: z.object({ id: z.string().max(64) }),
      response: { 200: z.object({ suggestion: AssistSuggestion.nullable() }) },
    },
    preHandler: guards.require('service:agent'),
  }, async (req) => ({ suggestion: await assist.forConversation(principalOf(req).tenantId, req.params.id) }));
};
