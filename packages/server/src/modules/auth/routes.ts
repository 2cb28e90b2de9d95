import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../compose.ts';
import { credentialOf, principalOf, type Guards } from '../../http/auth.ts';
import { ALL_PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './roles.ts';
import { AppError } from '../../platform/errors.ts';

const Role = z.enum(ROLES);
const User = z.object({
  id: z.string(), tenantId: z.string(), username: z.string(), displayName: z.string(), roles: z.array(Role), disabled: z.boolean(), createdAt: z.date(),
});
const Password = z.string().min(8, 'at least 8 characters').max(200);
const Username = z.string().min(3).max(64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _.@- only');

export const authRoutes = (deps: Deps, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const { auth } = deps;
  app.post('/api/v1/auth/login', {
    schema: {
      tags: ['auth'], summary: 'Password login; returns a bearer token',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200), tenant: z.string().max(64).optional() }),
      response: { 200: z.object({ token: z.string(), expiresAt: z.date(), user: User }) },
    },
  }, async (req) => {
    // Slows down password guessing: 10 failed or successful attempts per address and username per 15 minutes.
    const attempts = await deps.coordination.incr(`login:${req.ip}:${req.body.username}`, 15 * 60_000);
    if (attempts > 10) throw new AppError('rate_limited', 'too many login attempts, try again later');
    const tenantId = req.body.tenant ? (await deps.tenancy.findTenantBySlug(req.body.tenant))?.id ?? '-' : undefined;
    return auth.login(req.body.username, req.body.password, tenantId);
  });

  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'], security: [{ bearer: [] }] }, preHandler: guards.require() }, async (req, reply) => {
    await auth.logout(credentialOf(req)!);
    reply.status(204).send();
  });

  app.get('/api/v1/auth/me', { schema: { tags: ['auth'], security: [{ bearer: [] }] }, preHandler: guards.require() }, async (req) => principalOf(req));

  app.get('/api/v1/users', {
    schema: { tags: ['auth'], security: [{ bearer: [] }], response: { 200: z.object({ items: z.array(User) }) } },
    preHandler: guards.require('user:manage'),
  }, async (req) => ({ items: await auth.listUsers(principalOf(req).tenantId) }));

  app.post('/api/v1/users', {
    schema: {
      tags: ['auth'], security: [{ bearer: [] }],
      body: z.object({ username: Username, displayName: z.string().min(1).max(100).optional(), password: Password, roles: z.array(Role).min(1) }),
      response: { 201: User },
    },
    preHandler: guards.require('user:manage'),
  }, async (req, reply) => {
    const p = principalOf(req);
    reply.status(201);
    return auth.createUser(p.tenantId, req.body, p.actor);
  });

  app.patch('/api/v1/users/:id', {
    schema: {
      tags: ['auth'], security: [{ bearer: [] }], params: z.object({ id: z.string().max(64) }),
      body: z.object({ displayName: z.string().min(1).max(100).optional(), password: Password.optional(), roles: z.array(Role).min(1).optional(), disabled: z.boolean().optional() }),
      response: { 200: User },
    },
    preHandler: guards.require('user:manage'),
  }, async (req) => auth.updateUser(principalOf(req), req.params.id, req.body));

  app.post('/api/v1/users/:id/reset-password', {
    schema: {
      tags: ['auth'], security: [{ bearer: [] }], params: z.object({ id: z.string().max(64) }),
      summary: 'An administrator sets a temporary password; the user is signed out everywhere (audited as user.password_reset)',
      body: z.object({ password: Password }),
      response: { 200: User },
    },
    preHandler: guards.require('user:manage'),
  }, async (req) => auth.updateUser(principalOf(req), req.params.id, { password: req.body.password }));

  app.get('/api/v1/roles', {
    schema: {
      tags: ['auth'], security: [{ bearer: [] }], summary: 'The built-in roles and what each may do (read-only: roles are defined in code)',
      response: { 200: z.object({ permissions: z.array(z.string()), items: z.array(z.object({ role: Role, permissions: z.array(z.string()) })) }) },
    },
    preHandler: guards.require('user:manage'),
  }, async () => ({ permissions: [...ALL_PERMISSIONS], items: ROLES.map((role) => ({ role, permissions: [...ROLE_PERMISSIONS[role]] })) }));

  const ApiKey = z.object({ id: z.string(), name: z.string(), prefix: z.string(), roles: z.array(Role), createdAt: z.date(), revokedAt: z.date().nullable() });
  app.get('/api/v1/api-keys', {
    schema: { tags: ['auth'], security: [{ bearer: [] }], response: { 200: z.object({ items: z.array(ApiKey) }) } },
    preHandler: guards.require('apikey:manage'),
  }, async (req) => ({ items: await auth.listApiKeys(principalOf(req).tenantId) }));

  app.post('/api/v1/api-keys', {
    schema: {
      tags: ['auth'], security: [{ bearer: [] }], summary: 'Create an API key; the key is shown only in this response',
      body: z.object({ name: z.string().min(1).max(100), roles: z.array(Role).min(1) }),
      response: { 201: z.object({ id: z.string(), name: z.string(), prefix: z.string(), roles: z.array(Role), key: z.string() }) },
    },
    preHandler: guards.require('apikey:manage'),
  }, async (req, reply) => {
    reply.status(201);
    return auth.createApiKey(principalOf(req), req.body.name, req.body.roles);
  });

  app.delete('/api/v1/api-keys/:id', {
    schema: { tags: ['auth'], security: [{ bearer: [] }], params: z.object({ id: z.string().max(64) }) },
    preHandler: guards.require('apikey:manage'),
  }, async (req, reply) => {
    await auth.revokeApiKey(principalOf(req), req.params.id);
    reply.status(204).send();
  });
};
