import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../compose.ts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { can } from '../auth/roles.ts';
import { IDENTITY_KINDS } from './contact-repository.ts';

const ContactDto = z.object({
  id: z.string(), tenantId: z.string(), displayName: z.string().nullable(), mergedInto: z.string().nullable(), createdAt: z.date(),
  identities: z.array(z.object({ kind: z.enum(IDENTITY_KINDS), value: z.string(), verified: z.boolean() })),
  masked: z.boolean(),
});

/** One customer across channels: read (identities masked unless the role may see them; unmasked views audited) and merge. */
export const contactRoutes = (deps: Deps, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/contacts', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'Find contacts by id, name, or an identity value (phone however written, e-mail…): candidates for a manual merge. Always masked.',
      querystring: z.object({ q: z.string().trim().max(100).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
      response: {
        200: z.object({
          items: z.array(ContactDto.omit({ masked: true }).extend({ conversations: z.number().int() })),
        }),
      },
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => ({ items: await deps.contacts.find(principalOf(req), req.query.q, req.query.limit) }));

  app.get('/api/v1/contacts/:id', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }], summary: 'A contact and its identities across channels',
      params: z.object({ id: z.string().max(64) }),
      querystring: z.object({ unmasked: z.enum(['true', 'false']).default('false') }),
      response: { 200: ContactDto },
    },
    preHandler: guards.require('conversation:read'),
  }, async (req) => {
    const p = principalOf(req);
    const unmasked = req.query.unmasked === 'true' && can(p, 'pii:view');
    return { ...(await deps.contacts.get(p, req.params.id, { unmasked })), masked: !unmasked };
  });

  app.post('/api/v1/contacts/:id/merge', {
    schema: {
      tags: ['conversations'], security: [{ bearer: [] }],
      summary: 'Merge another contact into this one: its identities and conversations move here (audited)',
      params: z.object({ id: z.string().max(64) }),
      body: z.object({ from: z.string().min(1).max(64) }),
      response: { 200: ContactDto },
    },
    preHandler: guards.require('contact:manage'),
  }, async (req) => {
    const p = principalOf(req);
    await deps.contacts.merge(p, req.body.from, req.params.id);
    return { ...(await deps.contacts.get(p, req.params.id)), masked: true };
  });
};
