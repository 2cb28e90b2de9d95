import { ChatResponse } from '@lingxi/contracts';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppChannel } from './app-channel.ts';
import { serverTiming } from '../../web-channel/chat-service.ts';

/** The app SDK's chat API: like /api/v1/chat, with the customer's identity as `Authorization: Bearer <JWT>`. */
export const appChannelRoutes = (appChannel: AppChannel): FastifyPluginAsyncZod => async (app) => {
  app.post('/api/v1/app/chat', {
    schema: {
      tags: ['chat'],
      summary: 'Chat from the bank\'s app with a verified customer identity',
      description: '`Authorization: Bearer <customer JWT>` signed by the bank (HS256 or RS256, per the app channel config `app`). ' +
        'The token\'s `sub` becomes a verified app user; a verified `phone_number` is linked to the same customer.',
      security: [{ bearer: [] }],
      body: z.object({
        app: z.string().min(1).max(64).describe('the app channel id (ch_…)'),
        text: z.string(),
        sessionId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/).optional(),
        clientMsgId: z.string().min(1).max(64).optional(),
      }),
      response: { 200: ChatResponse.extend({ identity: z.object({ verified: z.literal(true), phoneVerified: z.boolean() }) }) },
    },
  }, async (req, reply) => {
    const h = req.headers.authorization;
    const id = await appChannel.identify(req.body.app, h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined);
    const r = await appChannel.turn(id, { text: req.body.text, sessionId: req.body.sessionId, clientMsgId: req.body.clientMsgId });
    if (r.timing) reply.header('server-timing', serverTiming(r.timing));
    return { sessionId: r.sessionId, replies: r.replies, identity: { verified: true as const, phoneVerified: !!id.verifiedPhone } };
  });
};
