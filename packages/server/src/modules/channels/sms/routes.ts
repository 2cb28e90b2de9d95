import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../../platform/errors.ts';
import { fieldsOf } from './inbound.ts';
import type { SmsChannel } from './sms-channel.ts';

/**
 * Inbound SMS webhook. The body is parsed here from the raw bytes (JSON or form), because the signature is over the
 * exact bytes the gateway sent. Replies are sent after the gateway has been answered, so a slow robot or SMS
 * provider never makes the gateway time out and push the same message again.
 */
export const smsChannelRoutes = (sms: SmsChannel): FastifyPluginAsyncZod => async (app) => {
  // Encapsulated: these raw parsers apply to this plugin's routes only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/api/v1/channels/:id/sms', {
    schema: {
      tags: ['channels'], summary: 'Inbound SMS push from the tenant\'s SMS gateway (signed)',
      params: z.object({ id: z.string().max(64) }),
    },
  }, async (req, reply) => {
    const cfg = await sms.config(req.params.id);
    const raw = typeof req.body === 'string' ? req.body : '';
    const fields = fieldsOf(String(req.headers['content-type'] ?? ''), raw);
    // Verify before parsing the message: an unsigned request learns nothing about why it was refused.
    if (!fields || !sms.verify(cfg, raw, fields, req.headers)) {
      req.log.warn({ channel: cfg.id }, 'SMS push with a missing or bad signature rejected');
      throw new AppError('unauthorized', 'bad signature');
    }
    const m = sms.parse(cfg, fields);
    if (!m) throw new AppError('bad_request', 'missing sender, text or message id');
    void sms.handle(cfg, m).catch((err) => req.log.error({ err, channel: cfg.id }, 'SMS turn failed'));
    return reply.type('application/json').send(cfg.public.ack);
  });
};
