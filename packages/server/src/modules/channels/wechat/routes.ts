import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acceptRawBodies, sendWebhook, WEBHOOK_BODY_LIMIT } from '../core/routes.ts';
import type { WechatService } from './wechat-service.ts';

const Q = z.string().max(512).optional();
const Query = z.object({ signature: Q, timestamp: Q, nonce: Q, echostr: Q, openid: Q, encrypt_type: Q, msg_signature: Q });
const Params = z.object({ id: z.string().min(1).max(64) });

/**
 * The server URL to configure in the WeChat admin console (服务器配置): GET for URL verification, POST for messages.
 * No bearer credentials: WeChat's signature authenticates every request.
 */
export const wechatRoutes = (wechat: WechatService): FastifyPluginAsyncZod => async (app) => {
  acceptRawBodies(app);
  const tags = ['channels'];
  app.get('/api/v1/channels/:id/wechat', {
    schema: { tags, summary: 'WeChat server URL verification (echostr)', params: Params, querystring: Query },
  }, async (req, reply) => sendWebhook(reply, await wechat.verifyUrl(req.params.id, req.query)));

  app.post('/api/v1/channels/:id/wechat', {
    bodyLimit: WEBHOOK_BODY_LIMIT,
    schema: { tags, summary: 'WeChat official account / mini-program message push (XML or JSON, plain or safe mode)', params: Params, querystring: Query },
  }, async (req, reply) => sendWebhook(reply, await wechat.receive(req.params.id, req.query, req.body)));
};
