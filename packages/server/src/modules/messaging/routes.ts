import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SmsService } from './sms-service.ts';

const SmsView = z.object({
  id: z.string(), to: z.string().describe('masked'), body: z.string(), parts: z.number(), provider: z.string(), status: z.string(), createdAt: z.string(),
});

/**
 * The SMS messages a tenant sent (one-time codes, replies on the SMS channel): numbers masked; bodies as stored — in
 * clear only for the recording provider (demo, tests), `[redacted]` for codes sent through a real gateway. Reading
 * them is a personal-data view, audited.
 */
export const smsRoutes = (sms: SmsService, audit: AuditLog, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/sms', {
    schema: {
      tags: ['sms'], security: [{ bearer: [] }],
      summary: 'Messages sent by SMS, newest first',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
      response: { 200: z.object({ items: z.array(SmsView) }) },
    },
    preHandler: guards.require('pii:view'),
  }, async (req) => {
    const p = principalOf(req);
    const items = await sms.list(p.tenantId, { limit: req.query.limit });
    await audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'sms.list', target: 'sms', details: { count: items.length } });
    return {
      items: items.map((m) => ({ id: m.id, to: m.toMasked, body: m.body, parts: m.parts, provider: m.provider, status: m.status, createdAt: m.createdAt.toISOString() })),
    };
  });
};
