import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../../platform/errors.ts';
import { parseRcsInbound } from './parse.ts';
import type { RcsChannel } from './rcs-channel.ts';

/** Notifications from the MaaP platform: inbound messages and status reports. Answered at once; replies follow. */
export const rcsChannelRoutes = (rcs: RcsChannel): FastifyPluginAsyncZod => async (app) => {
  app.post('/api/v1/channels/:id/rcs', {
    schema: { tags: ['channels'], summary: 'Inbound 5G message notification from the MaaP platform', params: z.object({ id: z.string().max(64) }) },
  }, async (req) => {
    const cfg = await rcs.config(req.params.id);
    if (!rcs.verify(cfg, req.headers.authorization)) {
      req.log.warn({ channel: cfg.id }, '5G message notification with bad credentials rejected');
      throw new AppError('unauthorized', 'bad credentials');
    }
    const m = parseRcsInbound(req.body);
    if (!m) throw new AppError('bad_request', 'not a 5G message notification');
    void rcs.handle(cfg, m).catch((err) => req.log.error({ err, channel: cfg.id }, '5G message turn failed'));
    return { result: '0', desc: 'ok' };
  });
};
