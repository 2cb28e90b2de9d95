import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.ts';
import type { AuthService } from '../modules/auth/auth-service.ts';
import { can, type Permission, type Principal } from '../modules/auth/roles.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Reads `Authorization: Bearer <session token | API key>` or `X-Api-Key`. Credentials never travel in URLs. */
export function credentialOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const k = req.headers['x-api-key'];
  return typeof k === 'string' ? k.trim() : undefined;
}

export function makeGuards(auth: AuthService) {
  async function authenticate(req: FastifyRequest) {
    if (req.principal) return req.principal;
    const cred = credentialOf(req);
    if (!cred) throw new AppError('unauthorized', 'sign in or give an API key');
    const p = await auth.authenticate(cred);
    if (!p) throw new AppError('unauthorized', 'invalid or expired credentials');
    req.principal = p;
    return p;
  }
  return {
    authenticate,
    /** preHandler: the caller must be signed in and have the permission. */
    require(perm?: Permission) {
      return async (req: FastifyRequest, _reply: FastifyReply) => {
        const p = await authenticate(req);
        if (perm && !can(p, perm)) throw new AppError('forbidden', `your role may not do this (${perm})`);
      };
    },
  };
}
export type Guards = ReturnType<typeof makeGuards>;

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthorized', 'not signed in');
  return req.principal;
}
