import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A few client routes under the app's base path (/workbench/...) with the History API; the server answers every
 * /workbench/* path with the app, so a reload or a bookmarked link lands on the same screen. Small on purpose: the
 * app has a handful of screens, and a router library would be the largest thing in it after antd.
 */
export const BASE = (import.meta.env?.BASE_URL ?? '/workbench/').replace(/\/$/, '');

const listeners = new Set<() => void>();

/** The current path inside the app ('/' for the base), without the query. */
export function currentPath(): string {
  const p = window.location.pathname;
  const inner = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return inner === '' ? '/' : inner;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + (to.startsWith('/') ? to : '/' + to);
  if (url === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const l of listeners) l();
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const l = () => setPath(currentPath());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return path;
}

export function useQueryParam(name: string): string | null {
  usePath();
  return new URLSearchParams(window.location.search).get(name);
}

/** Matches `/work-orders/:id` style patterns; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) out[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return out;
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return (
    <a
      {...rest}
      href={BASE + to}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
