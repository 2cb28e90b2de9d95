import type { Queryable } from '../../storage/db.ts';
import type { ApiKeyRecord, AuthRepository, UserRecord } from './auth-repository.ts';

const userOf = (r: any): UserRecord => ({
  id: r.id, tenantId: r.tenant_id, username: r.username, displayName: r.display_name, passwordHash: r.password_hash,
  roles: r.roles, disabled: r.disabled, createdAt: new Date(r.created_at),
});
const keyOf = (r: any): ApiKeyRecord => ({
  id: r.id, tenantId: r.tenant_id, name: r.name, prefix: r.prefix, roles: r.roles, createdBy: r.created_by,
  createdAt: new Date(r.created_at), revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

export class PgAuthRepository implements AuthRepository {
  constructor(private db: Queryable) {}

  async insertUser(u: Omit<UserRecord, 'createdAt'>) {
    await this.db.query(
      `INSERT INTO users(id, tenant_id, username, display_name, password_hash, roles, disabled) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [u.id, u.tenantId, u.username, u.displayName, u.passwordHash, u.roles, u.disabled],
    );
  }
  async findUserByUsername(username: string, tenantId?: string) {
    const rows = tenantId
      ? await this.db.query('SELECT * FROM users WHERE username = $1 AND tenant_id = $2', [username, tenantId])
      : await this.db.query('SELECT * FROM users WHERE username = $1', [username]);
    return rows.map(userOf);
  }
  async findUser(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM users WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? userOf(r) : null;
  }
  async listUsers(tenantId: string) {
    return (await this.db.query('SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at', [tenantId])).map(userOf);
  }
  async updateUser(tenantId: string, id: string, patch: Partial<Pick<UserRecord, 'displayName' | 'passwordHash' | 'roles' | 'disabled'>>) {
    const rows = await this.db.query(
      `UPDATE users SET display_name = COALESCE($3, display_name), password_hash = COALESCE($4, password_hash),
         roles = COALESCE($5, roles), disabled = COALESCE($6, disabled)
       WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id, patch.displayName ?? null, patch.passwordHash ?? null, patch.roles ?? null, patch.disabled ?? null],
    );
    return rows.length > 0;
  }
  async insertSession(s: { tokenHash: string; userId: string; tenantId: string; expiresAt: Date }) {
    await this.db.query('INSERT INTO auth_sessions(token_hash, user_id, tenant_id, expires_at) VALUES ($1,$2,$3,$4)', [
      s.tokenHash, s.userId, s.tenantId, s.expiresAt.toISOString(),
    ]);
  }
  async findSession(tokenHash: string) {
    const [r] = await this.db.query('SELECT user_id, tenant_id, expires_at FROM auth_sessions WHERE token_hash = $1', [tokenHash]);
    return r ? { userId: r.user_id as string, tenantId: r.tenant_id as string, expiresAt: new Date(r.expires_at) } : null;
  }
  async deleteSession(tokenHash: string) {
    await this.db.query('DELETE FROM auth_sessions WHERE token_hash = $1', [tokenHash]);
  }
  async deleteUserSessions(tenantId: string, userId: string) {
    await this.db.query('DELETE FROM auth_sessions WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]);
  }
  async insertApiKey(k: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'> & { keyHash: string }) {
    await this.db.query(
      'INSERT INTO api_keys(id, tenant_id, name, prefix, key_hash, roles, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)',
      [k.id, k.tenantId, k.name, k.prefix, k.keyHash, k.roles, k.createdBy],
    );
  }
  async findApiKeyByHash(keyHash: string) {
    const [r] = await this.db.query('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return r ? keyOf(r) : null;
  }
  async listApiKeys(tenantId: string) {
    return (await this.db.query('SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at', [tenantId])).map(keyOf);
  }
  async revokeApiKey(tenantId: string, id: string) {
    const rows = await this.db.query('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id', [tenantId, id]);
    return rows.length > 0;
  }
}
