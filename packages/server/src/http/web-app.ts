import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web app (agent workbench; the operations console later) built by `npm run build:web` into packages/web/dist,
 * served at /workbench. Hashed assets are cached for a year (their names change with their content); every other
 * path under /workbench gets index.html (client-side routes), never cached, so a new build is picked up at once.
 * The build leaves .br/.gz copies beside each asset; they are sent when the browser accepts them.
 */
const DEFAULT_DIST = new URL('../../../web/dist/', import.meta.url).pathname;
export const WEB_APP_PREFIX = '/workbench';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// antd writes its styles at run time (CSS-in-JS), hence 'unsafe-inline' for styles only; scripts come from this
// origin alone, and the app talks only to its own API and WebSocket.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "media-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Lingxi workbench not built</title>
<style>body{font:15px/1.6 system-ui,sans-serif;max-width:640px;margin:80px auto;padding:0 20px;color:#262626}code{background:#f5f5f5;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>坐席工作台尚未构建 · The workbench is not built</h1>
<p>请在项目根目录运行 <code>npm run build:web</code>，然后刷新本页（无需重启服务）。</p>
<p>Run <code>npm run build:web</code> in the project's root folder, then reload this page (no restart needed).</p>
<p><code>npm start</code> builds it for you.</p></body></html>`;

export const webAppRoutes = (opts: { distDir?: string } = {}): FastifyPluginAsync => async (app) => {
  const dist = opts.distDir ?? DEFAULT_DIST;
  // Hashed assets never change under the same name: kept in memory after the first read.
  const cache = new Map<string, Buffer | null>();
  const read = (file: string): Buffer | null => {
    if (cache.has(file)) return cache.get(file)!;
    const data = existsSync(file) && statSync(file).isFile() ? readFileSync(file) : null;
    if (cache.size < 500) cache.set(file, data);
    return data;
  };

  const securityHeaders = (reply: FastifyReply) =>
    reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');

  const sendIndex = (reply: FastifyReply) => {
    const index = join(dist, 'index.html');
    securityHeaders(reply).header('cache-control', 'no-store');
    if (!existsSync(index)) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(readFileSync(index));
  };

  const serve = async (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const rel = (req.params['*'] ?? '').split('?')[0];
    // Only files with an extension are assets; anything else is a client route (e.g. /workbench/work-orders/WO-1).
    if (!rel || !extname(rel)) return sendIndex(reply);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rel);
    } catch {
      return reply.status(400).send({ error: { code: 'bad_request', message: 'malformed path' } });
    }
    const file = normalize(join(dist, decoded));
    if (!file.startsWith(dist.endsWith(sep) ? dist : dist + sep) || decoded.includes('\0')) {
      return reply.status(404).send({ error: { code: 'not_found', message: 'no such file' } });
    }
    const type = TYPES[extname(file)];
    const accept = String(req.headers['accept-encoding'] ?? '');
    const variants: [string, string | null][] = [...(/\bbr\b/.test(accept) ? [['.br', 'br'] as [string, string]] : []), ...(/\bgzip\b/.test(accept) ? [['.gz', 'gzip'] as [string, string]] : []), ['', null]];
    for (const [suffix, encoding] of variants) {
      const data = read(file + suffix);
      if (!data) continue;
      securityHeaders(reply)
        .header('cache-control', decoded.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('vary', 'accept-encoding');
      if (encoding) reply.header('content-encoding', encoding);
      return reply.type(type ?? 'application/octet-stream').send(data);
    }
    return reply.status(404).send({ error: { code: 'not_found', message: `no file ${decoded}` } });
  };

  app.get(WEB_APP_PREFIX, { schema: { hide: true } }, async (_req, reply) => sendIndex(reply));
  app.get(`${WEB_APP_PREFIX}/*`, { schema: { hide: true } }, serve);
};
