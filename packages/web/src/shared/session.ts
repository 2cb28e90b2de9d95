/**
 * The signed-in user's session: the bearer token from POST /api/v1/auth/login, kept in sessionStorage (gone when
 * the tab closes; never in a URL or a cookie) with the user it belongs to.
 */
export type Role = 'admin' | 'knowledge_operator' | 'agent' | 'supervisor' | 'inspector' | 'analyst';

export type SessionUser = {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  tenant: string;
};

export type Session = { token: string; expiresAt: string; user: SessionUser };

const KEY = 'lingxi.session';
type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || (s.expiresAt && Date.parse(s.expiresAt) < Date.now())) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l(s);
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export const hasRole = (u: SessionUser | undefined | null, ...roles: Role[]) => !!u && u.roles.some((r) => roles.includes(r));
