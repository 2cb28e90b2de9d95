import { useEffect, useState } from 'react';
import { api } from '../../shared/api.ts';
import { loadSession, onSessionChange, saveSession, type Role, type Session } from '../../shared/session.ts';

export function useSession(): Session | null {
  const [s, setS] = useState<Session | null>(loadSession);
  useEffect(() => onSessionChange(setS), []);
  return s;
}

type LoginResponse = { token: string; expiresAt: string; user: { id: string; username: string; displayName: string; roles: Role[] } };

export async function signIn(tenant: string, username: string, password: string): Promise<Session> {
  const r = await api.post<LoginResponse>('/api/v1/auth/login', { tenant, username, password });
  const s: Session = { token: r.token, expiresAt: r.expiresAt, user: { id: r.user.id, username: r.user.username, displayName: r.user.displayName, roles: r.user.roles, tenant } };
  saveSession(s);
  return s;
}

export async function signOut(): Promise<void> {
  try {
    await api.post('/api/v1/auth/logout');
  } catch {
    // the token is dropped locally either way
  }
  saveSession(null);
}
