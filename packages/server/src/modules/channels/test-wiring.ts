import type { Deps } from '../../compose.ts';
import type { Principal } from '../auth/roles.ts';

/** Test-only: an admin of the seeded demo tenant, for calling services directly. */
export async function demoAdmin(deps: Deps): Promise<Principal> {
  const t = (await deps.tenancy.findTenantBySlug('demo'))!;
  return { tenantId: t.id, actor: 'user:test', roles: ['admin'] };
}

export const until = async (cond: () => boolean | Promise<boolean>, ms = 8000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 15));
  }
};
