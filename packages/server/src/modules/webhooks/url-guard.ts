import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../../platform/errors.ts';

/**
 * Guards outbound HTTP to URLs that tenants configure (webhooks, app push, SMS gateways) against SSRF: a bank's
 * admin console must not become a way to reach the metadata service or internal hosts. Checked when the URL is
 * saved and again, after DNS resolution, right before each request (DNS may change in between).
 */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v = ip.toLowerCase();
  if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
  return v === '::1' || v === '::' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

export function assertTargetUrl(raw: string, allowPrivate: boolean): URL {
  let u: URL;
  try { u = new URL(raw); } catch { throw new AppError('validation_failed', 'not a valid URL'); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AppError('validation_failed', 'URL must be http or https');
  if (u.username || u.password) throw new AppError('validation_failed', 'put credentials in the secret, not in the URL');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || (isIP(host) && isPrivateAddress(host)))) {
    throw new AppError('validation_failed', 'URL points to a private or loopback address');
  }
  return u;
}

export async function assertResolvesPublic(u: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addrs = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
  if (addrs.some((a) => isPrivateAddress(a.address))) throw new AppError('forbidden', 'target resolves to a private address');
}
