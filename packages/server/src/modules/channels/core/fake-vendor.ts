import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the WeChat and WeCom server APIs in tests (there is no internet here): it implements the request
 * and response contract of the endpoints we call, as documented, and records what reached it. Test-only.
 *  - GET /cgi-bin/token (WeChat) and /cgi-bin/gettoken (WeCom): {access_token, expires_in}
 *  - POST /cgi-bin/message/custom/send, /cgi-bin/message/send, /cgi-bin/kf/send_msg, /cgi-bin/kf/send_msg_on_event
 *  - POST /cgi-bin/kf/sync_msg: pages through `kfMessages` by cursor
 * Faults: hang(path, n) — the next n requests to path are held unanswered and NOT delivered (a timeout before the
 * vendor processed them); expireTokens() — tokens issued so far answer 42001.
 */
export type VendorCall = { path: string; query: Record<string, string>; body: any };

export class FakeVendor {
  calls: VendorCall[] = [];
  kfMessages: any[] = [];
  private hangs = new Map<string, number>();
  private held: ServerResponse[] = [];
  private issued = 0;
  private valid = new Set<string>();
  private seenKfMsgIds = new Set<string>();
  private server = createServer((req, res) => void this.handle(req, res));
  url = '';

  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    for (const r of this.held) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  hang(path: string, n = 1) {
    this.hangs.set(path, (this.hangs.get(path) ?? 0) + n);
  }

  expireTokens() {
    this.valid.clear();
  }

  delivered(path: string) {
    return this.calls.filter((c) => c.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? JSON.parse(raw) : undefined;
    const query = Object.fromEntries(u.searchParams);
    const hang = this.hangs.get(u.pathname) ?? 0;
    if (hang > 0) {
      this.hangs.set(u.pathname, hang - 1);
      this.held.push(res);
      return;
    }
    const json = (o: unknown) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(o)); };
    if (u.pathname === '/cgi-bin/token' || u.pathname === '/cgi-bin/gettoken') {
      this.calls.push({ path: u.pathname, query, body });
      const secret = query.secret ?? query.corpsecret;
      if (!secret || secret.startsWith('wrong')) return json({ errcode: 40001, errmsg: 'invalid credential' });
      const token = `tok${++this.issued}`;
      this.valid.add(token);
      return json({ ...(u.pathname === '/cgi-bin/gettoken' ? { errcode: 0, errmsg: 'ok' } : {}), access_token: token, expires_in: 7200 });
    }
    if (!this.valid.has(query.access_token ?? '')) return json({ errcode: 42001, errmsg: 'access_token expired' });
    if (u.pathname === '/cgi-bin/kf/sync_msg') {
      this.calls.push({ path: u.pathname, query, body });
      const start = Number(body?.cursor ?? 0);
      const limit = Math.min(Number(body?.limit ?? 1000), 2);
      const page = this.kfMessages.slice(start, start + limit);
      return json({ errcode: 0, errmsg: 'ok', next_cursor: String(start + page.length), has_more: start + page.length < this.kfMessages.length ? 1 : 0, msg_list: page });
    }
    if (u.pathname === '/cgi-bin/kf/send_msg' && body?.msgid) {
      // A msgid may be used once (the documentation of kf/send_msg).
      if (this.seenKfMsgIds.has(body.msgid)) return json({ errcode: 95018, errmsg: 'msgid already exists' });
      this.seenKfMsgIds.add(body.msgid);
    }
    this.calls.push({ path: u.pathname, query, body });
    return json({ errcode: 0, errmsg: 'ok', ...(u.pathname.includes('/kf/') ? { msgid: body?.msgid ?? 'm' } : {}) });
  }
}
