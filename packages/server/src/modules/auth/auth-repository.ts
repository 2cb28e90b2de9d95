import type { Role } from './roles.ts';

export type UserRecord = {
  id: string;
  tenantId: string;
  username: string;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  disabled: boolean;
  createdAt: Date;
};

export type ApiKeyRecord = {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  roles: Role[];
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
};

export type AuthRepository = {
  insertUser(u: Omit<UserRecord, 'createdAt'>): Promise<void>;
  findUserByUsername(username: string, tenantId?: string): Promise<UserRecord[]>;
  findUser(tenantId: string, id: string): Promise<UserRecord | null>;
  listUsers(tenantId: string): Promise<UserRecord[]>;
  updateUser(tenantId: string, id: string, patch: Partial<Pick<UserRecord, 'displayName' | 'passwordHash' | 'roles' | 'disabled'>>): Promise<boolean>;
  insertSession(s: { tokenHash: string; userId: string; tenantId: string; expiresAt: Date }): Promise<void>;
  findSession(tokenHash: string): Promise<{ userId: string; tenantId: string; expiresAt: Date } | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Signs a user out everywhere (disabled, password reset by an administrator). */
  deleteUserSessions(tenantId: string, userId: string): Promise<void>;
  insertApiKey(k: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'> & { keyHash: string }): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(tenantId: string, id: string): Promise<boolean>;
};
