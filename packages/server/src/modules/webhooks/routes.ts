import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import { WebhookEventType } from './events.ts';
import type { WebhookDelivery, WebhookSubscription } from './webhook-repository.ts';
import type { WebhookService } from './webhook-service.ts';

const Id = z.string().min(1).max(64);
const Secret = z.string().min(16).max(200).describe('shared secret for the signature; omit to have one generated (shown once)');
const Events = z.array(WebhookEventType).min(1);
const SubscriptionView = z.object({
  id: z.string(), url: z.string(), description: z.string().nullable(), events: z.array(z.string()), active: z.boolean(),
  createdAt: z.string(), updatedAt: z.string(),
});
const DeliveryView = z.object({
  id: z.string(), subscriptionId: z.string(), eventId: z.string(), eventType: z.string(), status: z.string(), attempts: z.number(),
  lastStatus: z.number().nullable(), lastError: z.string().nullable(), nextAttemptAt: z.string(), deliveredAt: z.string().nullable(), createdAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
const subView = (s: WebhookSubscription) => ({ ...s, tenantId: undefined, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() });
const delView = (d: WebhookDelivery) => ({
  id: d.id, subscriptionId: d.subscriptionId, eventId: d.eventId, eventType: d.eventType, status: d.status, attempts: d.attempts,
  lastStatus: d.lastStatus, lastError: d.lastError, nextAttemptAt: d.nextAttemptAt.toISOString(), deliveredAt: d.deliveredAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(), payload: d.payload,
});

/** Admin API for outgoing webhooks. The signing secret is write-only: no response carries it except a generated one, once. */
export const webhookRoutes = (webhooks: WebhookService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const tags = ['webhooks'];
  const security = [{ bearer: [] }];
  const admin = guards.require('bot:manage');

  app.get('/api/v1/webhooks', { schema: { tags, security, summary: 'List webhook subscriptions', response: { 200: z.object({ items: z.array(SubscriptionView) }) } }, preHandler: admin },
    async (req) => ({ items: (await webhooks.list(principalOf(req))).map(subView) }));

  app.post('/api/v1/webhooks', {
    schema: {
      tags, security,
      summary: 'Subscribe a URL to conversation events',
      description: 'Each delivery is a POST of `{id, type, createdAt, tenantId, data}` with `X-Lingxi-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. ' +
        'Retries with exponential backoff until a 2xx; `id` is stable across retries, so deduplicate on it.',
      body: z.object({ url: z.string().url().max(2000), events: Events, secret: Secret.optional(), description: z.string().max(200).nullable().optional(), active: z.boolean().optional() }),
      response: { 201: z.object({ subscription: SubscriptionView, secret: z.string().optional().describe('only when generated; store it now') }) },
    },
    preHandler: admin,
  }, async (req, reply) => {
    const r = await webhooks.create(principalOf(req), req.body);
    return reply.status(201).send({ subscription: subView(r.subscription), ...(r.secret ? { secret: r.secret } : {}) });
  });

  app.get('/api/v1/webhooks/:id', { schema: { tags, security, params: z.object({ id: Id }), response: { 200: SubscriptionView } }, preHandler: admin },
    async (req) => subView(await webhooks.get(principalOf(req), req.params.id)));

  app.patch('/api/v1/webhooks/:id', {
    schema: {
      tags, security, summary: 'Change a subscription (a new secret rotates it)', params: z.object({ id: Id }),
      body: z.object({ url: z.string().url().max(2000).optional(), events: Events.optional(), secret: Secret.optional(), description: z.string().max(200).nullable().optional(), active: z.boolean().optional() }),
      response: { 200: SubscriptionView },
    },
    preHandler: admin,
  }, async (req) => subView(await webhooks.update(principalOf(req), req.params.id, req.body)));

  app.delete('/api/v1/webhooks/:id', { schema: { tags, security, params: z.object({ id: Id }) }, preHandler: admin }, async (req, reply) => {
    await webhooks.remove(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/webhooks/:id/deliveries', {
    schema: {
      tags, security, summary: 'The delivery log of a subscription, newest first', params: z.object({ id: Id }),
      querystring: z.object({ status: z.enum(['pending', 'succeeded', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      response: { 200: z.object({ items: z.array(DeliveryView) }) },
    },
    preHandler: admin,
  }, async (req) => ({ items: (await webhooks.deliveries(principalOf(req), { subscriptionId: req.params.id, ...req.query })).map(delView) }));

  app.post('/api/v1/webhooks/deliveries/:id/redeliver', {
    schema: { tags, security, summary: 'Send a delivery again (same event id), e.g. after it failed', params: z.object({ id: Id }), response: { 200: DeliveryView } },
    preHandler: admin,
  }, async (req) => delView(await webhooks.redeliver(principalOf(req), req.params.id)));
};
