import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../../http/auth.ts';
import type { ChannelConfigService } from './channel-config-service.ts';
import type { WebhookResponse } from './webhook.ts';

const ChannelDto = z.object({
  id: z.string(),
  botId: z.string(),
  type: z.string(),
  name: z.string(),
  public: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.literal('set')).describe('which credentials are set; their values are never returned'),
  enabled: z.boolean(),
  webhookPath: z.string().describe('the path the vendor must call (prefix it with this server\'s public URL)'),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const Id = z.object({ id: z.string().min(1).max(64) });
const Secrets = z.record(z.string().max(64), z.string().max(4096));

/** Admin API of channel endpoints (permission bot:manage; tenant-scoped: another tenant's id is not found). */
export const channelConfigRoutes = (configs: ChannelConfigService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const manage = guards.require('bot:manage');
  const tags = ['channels'];
  const security = [{ bearer: [] }];

  app.get('/api/v1/channels', {
    schema: { tags, security, summary: 'List channel endpoints', querystring: z.object({ type: z.string().max(40).optional(), botId: z.string().max(64).optional() }), response: { 200: z.object({ items: z.array(ChannelDto) }) } },
    preHandler: manage,
  }, async (req) => ({ items: await configs.list(principalOf(req).tenantId, req.query) }));

  app.post('/api/v1/channels', {
    schema: {
      tags, security, summary: 'Create a channel endpoint (WeChat, WeCom, SMS…); secrets are encrypted and never returned',
      body: z.object({
        botId: z.string().min(1).max(64), type: z.string().min(1).max(40), name: z.string().min(1).max(100),
        public: z.record(z.string(), z.unknown()).optional(), secrets: Secrets.optional(), enabled: z.boolean().optional(),
      }),
      response: { 201: ChannelDto },
    },
    preHandler: manage,
  }, async (req, reply) => {
    reply.status(201);
    return configs.create(principalOf(req), req.body);
  });

  app.get('/api/v1/channels/:id', {
    schema: { tags, security, params: Id, response: { 200: ChannelDto } },
    preHandler: manage,
  }, async (req) => configs.get(principalOf(req).tenantId, req.params.id));

  app.patch('/api/v1/channels/:id', {
    schema: {
      tags, security, summary: 'Update a channel endpoint: public settings are merged; a secret set to null is removed, absent secrets are kept',
      params: Id,
      body: z.object({
        name: z.string().min(1).max(100).optional(), public: z.record(z.string(), z.unknown()).optional(),
        secrets: z.record(z.string().max(64), z.string().max(4096).nullable()).optional(), enabled: z.boolean().optional(),
      }),
      response: { 200: ChannelDto },
    },
    preHandler: manage,
  }, async (req) => configs.update(principalOf(req), req.params.id, req.body));

  app.delete('/api/v1/channels/:id', {
    schema: { tags, security, params: Id },
    preHandler: manage,
  }, async (req, reply) => {
    await configs.delete(principalOf(req), req.params.id);
    return reply.status(204).send();
  });
};

/** Largest webhook body we accept: vendors' messages are a few KB. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;

/**
 * Vendor webhooks send XML (text/xml, sometimes no or odd content types): inside the plugin that registers them,
 * every non-JSON body is read as a UTF-8 string for the channel's own parser. JSON keeps the app's strict parser.
 */
export function acceptRawBodies(app: FastifyInstance) {
  app.addContentTypeParser(['text/xml', 'application/xml', 'text/plain'], { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
}

export function sendWebhook(reply: { status(n: number): unknown; type(t: string): unknown; send(b: string): unknown }, r: WebhookResponse) {
  reply.status(r.status);
  reply.type(r.contentType);
  return reply.send(r.body);
}
