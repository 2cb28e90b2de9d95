import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const PAGE = readFileSync(new URL('./public/admin.html', import.meta.url), 'utf8');

/** The console's entry: sign-in with the real login API. The full console (issue: operations console) builds on it. */
export const adminUiRoutes = (): FastifyPluginAsync => async (app) => {
  app.get('/admin', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE));
};
