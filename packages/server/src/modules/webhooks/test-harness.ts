import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// Test-only helpers for the webhook, messaging and channel integration tests (which use testing/app.ts's demoApp).

export type Received = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

/**
 * A real HTTP server on 127.0.0.1 standing in for an external vendor (SMS gateway, MaaP platform, webhook receiver,
 * app push endpoint). `handler` decides each response; every request is recorded.
 */
export async function fakeVendor(handler: (r: Received, res: ServerResponse) => void | Promise<void>): Promise<{ url: string; received: Received[]; close(): Promise<void>; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      try { await handler(r, res); } catch (err) { res.statusCode = 500; res.end(String(err)); }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, received, server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
