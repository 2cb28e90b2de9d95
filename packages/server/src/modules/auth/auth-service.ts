import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../../platform/errors.ts';
import { newId, newToken } from '../../platform/ids.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthRepository, UserRecord } from './auth-repository.ts';
import type { Principal, Role } from './roles.ts';

export const API_KEY_PREFIX = 'lx_';

export type PublicUser = Omit<UserRecord, 'passwordHash'>;
const publicUser = ({ passwordHash: _h, ...u }: UserRecord): PublicUser => u;

// A real hash of a random password: verifying against it when the user does not exist keeps login timing flat,
// so response time does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

export class AuthService {
  constructor(
    private repo: AuthRepository,
    private audit: AuditLog,
    private clock: Clock,
    private sessionTtlMs: number,
  ) {}

  async createUser(tenantId: string, input: { username: string; displayName?: string; password: string; roles: Role[] }, actor = 'system'): Promise<PublicUser> {
    const existing = await this.repo.findUserByUsername(input.username, tenantId);
    if (existing.length) throw new AppError('conflict', `user ${input.username} already exists`);
    const user = {
      id: newId('usr'), tenantId, username: input.username, displayName: input.displayName ?? input.username,
      passwordHash: await hash(input.password), roles: input.roles, disabled: false,
    };
    await this.repo.insertUser(user);
    await this.audit.record({ tenantId, actor, action: 'user.create', target: user.id, details: { username: user.username, roles: user.roles } });
    return publicUser({ ...user, createdAt: this.clock.now() });
  }

  async listUsers(tenantId: string) {
    return (await this.repo.listUsers(tenantId)).map(publicUser);
  }

  /**
   * An administrator's change of a user. Each kind of change is audited as its own action (user.roles_change with the
   * roles before and after, user.disable / user.enable, user.password_reset, user.update for the name), so that the
   * audit log can be filtered by what happened. Disabling or resetting the password signs the user out everywhere.
   */
  async updateUser(p: Principal, id: string, patch: { displayName?: string; password?: string; roles?: Role[]; disabled?: boolean }) {
    if (id === p.userId && (patch.disabled || (patch.roles && !patch.roles.includes('admin')))) {
      throw new AppError('bad_request', 'you cannot disable yourself or remove your own admin role');
    }
    const before = await this.repo.findUser(p.tenantId, id);
    if (!before) throw new AppError('not_found', 'user not found');
    const ok = await this.repo.updateUser(p.tenantId, id, {
      displayName: patch.displayName, roles: patch.roles ? [...new Set(patch.roles)] : undefined, disabled: patch.disabled,
      passwordHash: patch.password ? await hash(patch.password) : undefined,
    });
    if (!ok) throw new AppError('not_found', 'user not found');
    const record = (action: string, details?: Record<string, unknown>) =>
      this.audit.record({ tenantId: p.tenantId, actor: p.actor, action, target: id, details: { username: before.username, ...details } });
    if (patch.displayName !== undefined && patch.displayName !== before.displayName) await record('user.update', { fields: ['displayName'] });
    if (patch.roles && [...new Set(patch.roles)].sort().join() !== [...before.roles].sort().join()) await record('user.roles_change', { from: before.roles, to: [...new Set(patch.roles)] });
    if (patch.disabled !== undefined && patch.disabled !== before.disabled) await record(patch.disabled ? 'user.disable' : 'user.enable');
    if (patch.password) await record('user.password_reset');
    if ((patch.disabled || patch.password) && id !== p.userId) await this.repo.deleteUserSessions(p.tenantId, id);
    const u = await this.repo.findUser(p.tenantId, id);
    return publicUser(u!);
  }

  /** Password login. tenantId may be omitted when the username exists in one tenant only. */
  async login(username: string, password: string, tenantId?: string): Promise<{ token: string; expiresAt: Date; user: PublicUser }> {
    const candidates = (await this.repo.findUserByUsername(username, tenantId)).filter((u) => !u.disabled);
    const user = candidates.length === 1 ? candidates[0] : undefined;
    const ok = user ? await verify(user.passwordHash, password) : await verify(await (dummyHash ??= hash(newToken())), password).then(() => false);
    if (!user || !ok) {
      if (candidates.length > 1) throw new AppError('bad_request', 'this username exists in several tenants: give the tenant');
      throw new AppError('unauthorized', 'wrong username or password');
    }
    const token = newToken();
    const expiresAt = new Date(this.clock.now().getTime() + this.sessionTtlMs);
    await this.repo.insertSession({ tokenHash: sha256Hex(token), userId: user.id, tenantId: user.tenantId, expiresAt });
    await this.audit.record({ tenantId: user.tenantId, actor: `user:${user.id}`, action: 'auth.login', target: user.id });
    return { token, expiresAt, user: publicUser(user) };
  }

  async logout(token: string) {
    await this.repo.deleteSession(sha256Hex(token));
  }

  /** Resolves a bearer credential — a login session token or an API key — to a principal, or null. */
  async authenticate(credential: string): Promise<Principal | null> {
    const h = sha256Hex(credential);
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await this.repo.findApiKeyByHash(h);
      if (!key || key.revokedAt) return null;
      return { tenantId: key.tenantId, actor: `apikey:${key.id}`, roles: key.roles };
    }
    const s = await this.repo.findSession(h);
    if (!s || s.expiresAt.getTime() <= this.clock.now().getTime()) return null;
    const user = await this.repo.findUser(s.tenantId, s.userId);
    if (!user || user.disabled) return null;
    return { tenantId: user.tenantId, actor: `user:${user.id}`, userId: user.id, username: user.username, roles: user.roles };
  }

  /** Creates an API key for server-to-server calls. The secret is returned once and only its hash is kept. */
  async createApiKey(p: Principal, name: string, roles: Role[]) {
    const secret = API_KEY_PREFIX + newToken();
    const id = newId('key');
    await this.repo.insertApiKey({ id, tenantId: p.tenantId, name, prefix: secret.slice(0, 8), keyHash: sha256Hex(secret), roles, createdBy: p.actor });
    await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'apikey.create', target: id, details: { name, roles } });
    return { id, name, roles, prefix: secret.slice(0, 8), key: secret };
  }

  listApiKeys(tenantId: string) {
    return this.repo.listApiKeys(tenantId);
  }

  async revokeApiKey(p: Principal, id: string) {
    if (!(await this.repo.revokeApiKey(p.tenantId, id))) throw new AppError('not_found', 'API key not found');
    await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'apikey.revoke', target: id });
  }
}
