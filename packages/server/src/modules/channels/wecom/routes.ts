import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acceptRawBodies, sendWebhook, WEBHOOK_BODY_LIMIT } from '../core/routes.ts';
import { WECOM_APP_TYPE, WECOM_KF_TYPE, type WecomService } from './wecom-service.ts';

const Q = z.string().max(1024).optional();
const Query = z.object({ msg_signature: Q, timestamp: Q, nonce: Q, echostr: Q });
const Params = z.object({ id: z.string().min(1).max(64) });

/** Callback URLs for the WeCom admin console (接收消息服务器配置): the employee app and 微信客服. */
export const wecomRoutes = (wecom: WecomService): FastifyPluginAsyncZod => async (app) => {
  acceptRawBodies(app);
  const tags = ['channels'];
  for (const [path, type] of [['wecom', WECOM_APP_TYPE], ['wecom-kf', WECOM_KF_TYPE]] as const) {
    app.get(`/api/v1/channels/:id/${path}`, {
      schema: { tags, summary: `WeCom callback URL verification (${type})`, params: Params, querystring: Query },
    }, async (req, reply) => sendWebhook(reply, await wecom.verifyUrl(type, req.params.id, req.query)));
    app.post(`/api/v1/channels/:id/${path}`, {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: { tags, summary: `WeCom callback (${type}, encrypted XML)`, params: Params, querystring: Query },
    }, async (req, reply) => sendWebhook(reply, await wecom.receive(type, req.params.id, req.query, req.body)));
  }
};
