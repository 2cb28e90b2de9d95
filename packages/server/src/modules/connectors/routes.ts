import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import { SECRET_MASK, type ConnectorService } from './connector-service.ts';

const tags = ['connectors'];
const security = [{ bearer: [] }];
const IdParam = z.object({ id: z.string().min(1).max(64) });
const ConnectorDto = z.object({
  id: z.string(), name: z.string(), baseUrl: z.string(),
  definition: z.record(z.string(), z.unknown()).describe(`the definition with defaults applied; a secret is shown as "${SECRET_MASK}"`),
  operations: z.array(z.string()), revision: z.number(), createdAt: z.date(), updatedAt: z.date(), updatedBy: z.string().nullable(),
});

/**
 * Connectors to the bank's systems, as tenant data. Flow authors (flow:manage) see them — secrets masked — to write
 * `call` steps; only administrators (connector:manage) change them. Every change is audited.
 */
export const connectorRoutes = (connectors: ConnectorService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const read = guards.require('flow:manage');
  const write = guards.require('connector:manage');

  app.get('/api/v1/connectors', {
    schema: { tags, security, summary: "The tenant's connectors (secrets masked)", response: { 200: z.object({ items: z.array(ConnectorDto) }) } },
    preHandler: read,
  }, async (req) => ({ items: await connectors.list(principalOf(req).tenantId) }));

  app.get('/api/v1/connectors/:id', {
    schema: { tags, security, summary: 'One connector (secret masked)', params: IdParam, response: { 200: ConnectorDto } },
    preHandler: read,
  }, async (req) => connectors.get(principalOf(req).tenantId, req.params.id));

  app.put('/api/v1/connectors/:id', {
    schema: {
      tags, security, params: IdParam,
      summary: 'Create or replace a connector',
      description:
        'The body is a declarative HTTP connector: `{name, baseUrl, auth, timeoutMs, retries, circuitBreaker, operations}` ' +
        '(`id` defaults to the path). The auth header value or HMAC secret is stored encrypted and never returned; leave it ' +
        `out or send "${SECRET_MASK}" to keep the stored one. An invalid definition is refused with 400 \`validation_failed\` ` +
        'and every problem in `error.details.problems` (strings). Flows use the new definition from their next call.',
      body: z.record(z.string(), z.unknown()),
      response: { 200: ConnectorDto, 201: ConnectorDto },
    },
    preHandler: write,
  }, async (req, reply) => {
    const r = await connectors.put(principalOf(req), req.params.id, req.body);
    return reply.status(r.created ? 201 : 200).send(r.connector);
  });

  app.delete('/api/v1/connectors/:id', {
    schema: { tags, security, params: IdParam, summary: 'Delete a connector (flows calling it fail validation until changed)' },
    preHandler: write,
  }, async (req, reply) => {
    await connectors.remove(principalOf(req), req.params.id);
    return reply.status(204).send();
  });
};
