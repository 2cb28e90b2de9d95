import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import { AppError } from '../../platform/errors.ts';
import type { Deps } from '../../compose.ts';
import { AuditService } from './audit-service.ts';

const Filters = z.object({
  actor: z.string().max(80).optional().describe('exact actor: `user:<id>`, `apikey:<id>` or `system`'),
  action: z.string().max(64).optional().describe('action prefix: `user.` matches user.create, user.disable…; `*` matches anything (`*.view_unmasked`)'),
  target: z.string().max(120).optional(),
  from: z.coerce.date().optional().describe('from this instant (inclusive)'),
  to: z.coerce.date().optional().describe('until this instant (exclusive)'),
});
const Entry = z.object({
  id: z.number(), actor: z.string(), actorName: z.string().optional(), action: z.string(), target: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(), at: z.date(),
});

function checkRange(q: { from?: Date; to?: Date }) {
  if (q.from && q.to && q.from.getTime() > q.to.getTime()) throw new AppError('bad_request', '`from` must not be after `to`');
}

/** The administrators' audit log: filters, paging and export (permission audit:read). */
export const auditRoutes = (deps: Pick<Deps, 'audit' | 'auth'>, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const audit = new AuditService({
    audit: deps.audit,
    userNames: async (tenantId) => new Map((await deps.auth.listUsers(tenantId)).map((u) => [u.id, u.username])),
  });
  const tags = ['auth'];
  const security = [{ bearer: [] }];

  app.get('/api/v1/audit-log/entries', {
    schema: {
      tags, security, summary: 'Audit log with filters and paging, newest first',
      querystring: Filters.extend({ limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }),
      response: { 200: z.object({ items: z.array(Entry), total: z.number().int() }) },
    },
    preHandler: guards.require('audit:read'),
  }, async (req) => {
    checkRange(req.query);
    return audit.search(principalOf(req), req.query);
  });

  app.get('/api/v1/audit-log/export', {
    schema: {
      tags, security, summary: 'Download the filtered audit log as CSV or Excel (at most 10,000 rows; the export is itself audited)',
      querystring: Filters.extend({ format: z.enum(['csv', 'xlsx']).default('csv'), lang: z.enum(['zh', 'en']).default('zh') }),
    },
    preHandler: guards.require('audit:read'),
  }, async (req, reply) => {
    checkRange(req.query);
    const { format, lang, ...filters } = req.query;
    const out = await audit.export(principalOf(req), filters, format, lang);
    const day = new Date().toISOString().slice(0, 10);
    reply
      .header('content-type', out.contentType)
      .header('content-disposition', `attachment; filename="audit-log-${day}.${format}"`)
      .header('x-audit-rows', String(out.rows))
      .header('x-audit-truncated', String(out.truncated))
      .header('cache-control', 'no-store');
    return reply.send(out.body);
  });
};
