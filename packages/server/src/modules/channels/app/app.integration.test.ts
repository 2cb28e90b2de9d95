import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { bothDatabases } from '../../../testing/databases.ts';
import { demoApp } from '../../../testing/app.ts';
import { fakeVendor, json } from '../../webhooks/test-harness.ts';
import { verifyWebhookSignature } from '../../webhooks/events.ts';
import { demoAdmin } from '../test-wiring.ts';
import type { App } from '../../../app.ts';
import type { Deps } from '../../../compose.ts';
import WebSocket from 'ws';

const JWT_SECRET = 'jwt-secret-of-the-bank-app-0123456789';
const PUSH_SECRET = 'push-secret-0123456789';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: object, secret = JWT_SECRET) => {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600, iss: 'bank-app', ...claims })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

for (const variant of await bothDatabases()) {
  describe(`app SDK identity on ${variant.name}`, () => {
    let env: { app: App; deps: Deps; close(): Promise<void> };
    let closeDb: () => Promise<void>;
    let cfgId = '';
    let tenantId = '';
    const pushes: { body: any; sigOk: boolean }[] = [];
    let pushEndpoint: Awaited<ReturnType<typeof fakeVendor>>;

    before(async () => {
      pushEndpoint = await fakeVendor((r, res) => {
        pushes.push({ body: JSON.parse(r.body), sigOk: verifyWebhookSignature(PUSH_SECRET, r.body, r.headers['x-lingxi-signature'] as string, Math.floor(Date.now() / 1000)) });
        json(res, 200, {});
      });
      const { db, close } = await variant.open();
      closeDb = close;
      env = await demoApp(db);
      const admin = await demoAdmin(env.deps);
      tenantId = admin.tenantId;
      const bot = await env.deps.tenancy.getBot(tenantId, 'demo');
      cfgId = (await env.deps.channels.configs.create(admin, {
        botId: bot.id, type: 'app', name: '手机银行',
        public: { alg: 'HS256', issuer: 'bank-app', pushUrl: `${pushEndpoint.url}/push` },
        secrets: { jwtSecret: JWT_SECRET, pushSecret: PUSH_SECRET },
      })).id;
    });
    after(async () => {
      await env?.close();
      await closeDb?.();
      await pushEndpoint?.close();
    });

    const chat = (token: string | null, body: object) => env.app.inject({ method: 'POST', url: '/api/v1/app/chat', payload: { app: cfgId, ...body }, headers: token ? { authorization: `Bearer ${token}` } : {} });

    test('a customer with a valid token chats as a verified app user with a verified phone on one contact', async () => {
      const r = await chat(jwt({ sub: 'cust-001', phone_number: '13700000001', phone_number_verified: true }), { text: '信用卡丢了怎么挂失' });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().identity, { verified: true, phoneVerified: true });
      assert.equal(r.json().replies[0].type, 'answer');
      const [conv] = await env.deps.db.query('SELECT contact_id FROM conversations WHERE id = $1', [r.json().sessionId]);
      const contact = await env.deps.contacts.get({ tenantId, actor: 't', roles: ['admin'] }, conv.contact_id, { unmasked: true });
      const kinds = contact.identities.map((i) => `${i.kind}:${i.value}:${i.verified}`).sort();
      assert.deepEqual(kinds, ['app_user:cust-001:true', 'phone:13700000001:true']);
      // The same customer writing again continues the same conversation.
      const again = await chat(jwt({ sub: 'cust-001' }), { text: '谢谢' });
      assert.equal(again.json().sessionId, r.json().sessionId);
    });

    test('missing, forged, expired, wrong-issuer and alg-none tokens are refused with 401 and store nothing', async () => {
      const n = Number((await env.deps.db.query('SELECT count(*)::int AS n FROM conversations'))[0].n);
      const now = Math.floor(Date.now() / 1000);
      const cases = [
        null,
        jwt({ sub: 'x' }, 'not-the-secret-not-the-secret-000000'),
        jwt({ sub: 'x', exp: now - 3600 }),
        jwt({ sub: 'x', iss: 'evil' }),
        `${b64({ alg: 'none' })}.${b64({ sub: 'x', exp: now + 60, iss: 'bank-app' })}.`,
      ];
      for (const t of cases) assert.equal((await chat(t, { text: '余额' })).statusCode, 401, String(t));
      assert.equal((await env.app.inject({ method: 'POST', url: '/api/v1/app/chat', payload: { app: 'ch_nope', text: 'x' }, headers: { authorization: `Bearer ${jwt({ sub: 'x' })}` } })).statusCode, 404);
      assert.equal(Number((await env.deps.db.query('SELECT count(*)::int AS n FROM conversations'))[0].n), n);
    });

    test('an agent reply is pushed (signed, once) while the customer is offline, and not pushed while online', async () => {
      const r = await chat(jwt({ sub: 'cust-002' }), { text: '你好' });
      const conv = { id: r.json().sessionId, tenantId };
      await env.deps.channels.outbound.deliver(conv, { type: 'text', text: '客服小李：您好，请问还有什么可以帮您？' }, { idempotencyKey: `${conv.id}:a1` });
      await env.deps.channels.outbound.deliver(conv, { type: 'text', text: '客服小李：您好，请问还有什么可以帮您？' }, { idempotencyKey: `${conv.id}:a1` });
      assert.equal(pushes.length, 1);
      assert.ok(pushes[0].sigOk);
      assert.equal(pushes[0].body.appUserId, 'cust-002');
      assert.match(pushes[0].body.reply.text, /客服小李/);
      await env.deps.appChannel.heartbeat(cfgId, 'cust-002');
      await env.deps.channels.outbound.deliver(conv, { type: 'text', text: '第二条' }, { idempotencyKey: `${conv.id}:a2` });
      assert.equal(pushes.length, 1, 'online: the WebSocket delivers, no push');
    });

    test('the app WebSocket: a token in hello gives a verified session, the customer is online while connected, a bad token is refused', async () => {
      await env.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `ws://127.0.0.1:${(env.app.server.address() as { port: number }).port}/api/v1/ws`;
      const open = (hello: object) => new Promise<{ ws: WebSocket; frames: any[] }>((resolve, reject) => {
        const ws = new WebSocket(url);
        const frames: any[] = [];
        ws.on('message', (d) => {
          const f = JSON.parse(String(d));
          frames.push(f);
          if (f.type === 'welcome' || f.type === 'error') resolve({ ws, frames });
        });
        ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', bot: 'demo', ...hello })));
        ws.on('error', reject);
      });
      const bad = await open({ app: cfgId, token: jwt({ sub: 'x' }, 'not-the-secret-not-the-secret-000000') });
      assert.equal(bad.frames[0].code, 'unauthorized');
      bad.ws.close();

      const { ws, frames } = await open({ app: cfgId, token: jwt({ sub: 'cust-ws', phone_number: '13700000009', phone_number_verified: true }) });
      const sessionId = frames[0].sessionId;
      assert.ok(await env.deps.appChannel.online(cfgId, 'cust-ws'), 'an open socket keeps the customer online');
      ws.send(JSON.stringify({ type: 'message', clientMsgId: 'w1', text: '信用卡丢了怎么挂失' }));
      await new Promise<void>((resolve) => ws.on('message', (d) => JSON.parse(String(d)).type === 'reply' && resolve()));
      const [conv] = await env.deps.db.query('SELECT channel, contact_id FROM conversations WHERE id = $1', [sessionId]);
      assert.equal(conv.channel, 'app');
      const contact = await env.deps.contacts.get({ tenantId, actor: 't', roles: ['admin'] }, conv.contact_id, { unmasked: true });
      assert.deepEqual(contact.identities.map((i) => `${i.kind}:${i.value}:${i.verified}`).sort(), ['app_user:cust-ws:true', 'phone:13700000009:true']);
      ws.close();
    });
  });
}
