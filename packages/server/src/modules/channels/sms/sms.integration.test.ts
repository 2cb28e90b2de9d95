import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../../testing/databases.ts';
import { hmacSha256Hex } from '../../../platform/crypto.ts';
import { signParams } from '../../messaging/http-sms-provider.ts';
import { demoApp } from '../../../testing/app.ts';
import { fakeVendor, json } from '../../webhooks/test-harness.ts';
import { demoAdmin, until } from '../test-wiring.ts';
import type { App } from '../../../app.ts';
import type { Deps } from '../../../compose.ts';

const INBOUND_SECRET = 'inbound-secret-123';
const GATEWAY_SECRET = 'gateway-secret-456';

for (const variant of await bothDatabases()) {
  describe(`SMS channel on ${variant.name}`, () => {
    let env: { app: App; deps: Deps; close(): Promise<void> };
    let closeDb: () => Promise<void>;
    let cfgId = '';
    let tenantId = '';
    // The SMS gateway: verifies our signature, fails the first attempt of every outId with 503 (or hangs when told
    // to), and "delivers" each outId once — what a deduplicating gateway does.
    const delivered = new Map<string, { mobile: string; content: string }>();
    const attempts = new Map<string, number>();
    const badSigns: string[] = [];
    let hangFirst = false;
    let gateway: Awaited<ReturnType<typeof fakeVendor>>;
    const to = (phone: string) => [...delivered.values()].filter((m) => m.mobile === phone).map((m) => m.content);

    before(async () => {
      gateway = await fakeVendor(async (r, res) => {
        const p = Object.fromEntries(new URLSearchParams(r.body));
        const { sign, ...rest } = p;
        if (sign !== signParams({ algorithm: 'md5', over: 'sorted-params', secretParam: 'key', uppercase: true }, rest, GATEWAY_SECRET)) {
          badSigns.push(r.body);
          return json(res, 200, { code: 'E01', msg: 'sign error' });
        }
        const n = (attempts.get(p.outId) ?? 0) + 1;
        attempts.set(p.outId, n);
        if (n === 1 && hangFirst) { await new Promise((x) => setTimeout(x, 600)); }
        else if (n === 1) return json(res, 503, { code: 'BUSY' });
        if (!delivered.has(p.outId)) delivered.set(p.outId, { mobile: p.mobile, content: p.content });
        json(res, 200, { code: '0', data: { msgId: `gw-${p.outId}` } });
      });
      const { db, close } = await variant.open();
      closeDb = close;
      env = await demoApp(db);
      const admin = await demoAdmin(env.deps);
      tenantId = admin.tenantId;
      const bot = await env.deps.tenancy.getBot(tenantId, 'demo');
      const view = await env.deps.channels.configs.create(admin, {
        botId: bot.id, type: 'sms', name: '短信',
        public: {
          gateway: {
            url: `${gateway.url}/sms/send`, format: 'form',
            params: { mobile: '{{to}}', content: '{{text}}', ts: '{{timestamp}}', nonce: '{{nonce}}', outId: '{{idempotencyKey}}', sign: '{{sign}}' },
            signature: { algorithm: 'md5' }, success: { field: 'code', equals: '0' }, providerIdField: 'data.msgId',
            timeoutMs: 300, attempts: 3, retryBaseMs: 5,
          },
          maxInboundPerHour: 6,
        },
        secrets: { inboundSecret: INBOUND_SECRET, gatewaySecret: GATEWAY_SECRET },
      });
      cfgId = view.id;
      assert.equal(view.webhookPath, `/api/v1/channels/${cfgId}/sms`);
    });
    after(async () => {
      await env?.close();
      await closeDb?.();
      await gateway?.close();
    });

    let seq = 0;
    const push = (from: string, content: string, opts: { id?: string; secret?: string; form?: boolean } = {}) => {
      const msg = { mobile: from, content, msgId: opts.id ?? `m${++seq}` };
      const body = opts.form ? new URLSearchParams(msg).toString() : JSON.stringify(msg);
      return env.app.inject({
        method: 'POST', url: `/api/v1/channels/${cfgId}/sms`, payload: body,
        headers: { 'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json', 'x-signature': hmacSha256Hex(opts.secret ?? INBOUND_SECRET, body) },
      });
    };

    test('a signed inbound SMS is answered by SMS through the gateway, retried after a 503 with the same idempotency key', async () => {
      const r = await push('13800000001', '信用卡丢了怎么挂失');
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.body, '{"code":"0","msg":"ok"}');
      await until(() => to('13800000001').length === 1, 60_000); // the first turn may load the model
      assert.match(to('13800000001')[0], /挂失/);
      const key = [...delivered.keys()].find((k) => delivered.get(k)!.mobile === '13800000001')!;
      assert.equal(attempts.get(key), 2, 'one 503, then success');
      assert.deepEqual(badSigns, []);
      await until(async () => (await env.deps.sms.list(tenantId, { to: '13800000001' }))[0]?.status === 'sent');
      const [logged] = await env.deps.sms.list(tenantId, { to: '13800000001' });
      assert.equal(logged.providerId, `gw-${key}`);
      assert.equal(logged.toMasked, '138****0001');
      assert.equal(logged.attempts, 0);
    });

    test('a form-encoded push works too; the phone becomes an unverified contact in one conversation', async () => {
      await push('13800000002', '你好', { form: true });
      await until(() => to('13800000002').length === 1);
      await push('13800000002', '信用卡丢了怎么挂失', { form: true });
      await until(() => to('13800000002').length === 2);
      const rows = await env.deps.db.query(`SELECT DISTINCT contact_id FROM conversations WHERE channel = 'sms' AND tenant_id = $1`, [tenantId]);
      assert.equal(rows.length, 2, 'two phones, two contacts');
    });

    test('a forged signature is refused and nothing is sent; a replayed message id is answered once', async () => {
      const before = delivered.size;
      const r = await push('13800000003', '余额', { secret: 'wrong-secret-000' });
      assert.equal(r.statusCode, 401);
      const malformed = await env.app.inject({ method: 'POST', url: `/api/v1/channels/${cfgId}/sms`, payload: '{oops', headers: { 'content-type': 'application/json', 'x-signature': hmacSha256Hex(INBOUND_SECRET, '{oops') } });
      assert.equal(malformed.statusCode, 401);
      assert.equal((await env.app.inject({ method: 'POST', url: '/api/v1/channels/ch_unknown/sms', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode, 404);
      await push('13800000003', '你好', { id: 'dup-1' });
      await push('13800000003', '你好', { id: 'dup-1' });
      await until(() => to('13800000003').length >= 1);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(to('13800000003').length, 1);
      assert.equal(delivered.size, before + 1);
    });

    test('退订 is honoured with one confirmation and remembered; 订阅 brings the customer back', async () => {
      const phone = '13800000004';
      await push(phone, '退订');
      await until(() => to(phone).length === 1);
      assert.match(to(phone)[0], /退订/);
      await push(phone, 'TD');
      await push(phone, '信用卡丢了怎么挂失');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(to(phone).length, 1, 'no second confirmation, no answer while unsubscribed');
      // An agent's reply is not sent either.
      const [conv] = await env.deps.db.query(`SELECT c.id FROM conversations c JOIN channel_bindings b ON b.conversation_id = c.id WHERE b.config_id = $1 ORDER BY c.created_at DESC LIMIT 1`, [cfgId]);
      await env.deps.channels.outbound.deliver({ id: conv.id, tenantId }, { type: 'text', text: '客服：您好' }, { idempotencyKey: `${conv.id}:x` }).catch(() => {});
      await push(phone, '订阅');
      await until(() => to(phone).length === 2);
      assert.match(to(phone)[1], /重新订阅/);
      await push(phone, '信用卡丢了怎么挂失');
      await until(() => to(phone).length === 3);
    });

    test('auto-replies and delivery receipts get no answer', async () => {
      await push('13800000005', '【自动回复】您好，我正在开会，稍后回复');
      await push('13800000005', 'DELIVRD');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(to('13800000005').length, 0);
    });

    test('SMS bombing: a phone is answered at most maxInboundPerHour times an hour', async () => {
      // A short, fixed answer (one SMS each), so that the count is the number of messages answered.
      for (let i = 0; i < 9; i++) await push('13800000006', '谢谢');
      await until(() => to('13800000006').length === 6);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(to('13800000006').length, 6);
    });

    test('a gateway that times out is retried with the same key and the customer gets one SMS', async () => {
      hangFirst = true;
      try {
        await push('13800000007', '你好');
        await until(() => to('13800000007').length === 1);
        const key = [...delivered.keys()].find((k) => delivered.get(k)!.mobile === '13800000007')!;
        assert.equal(attempts.get(key), 2);
        await new Promise((r) => setTimeout(r, 700)); // the hung first attempt completes now: still one SMS
        assert.equal(to('13800000007').length, 1);
      } finally {
        hangFirst = false;
      }
    });

    test('an agent reply is delivered once however often it is sent, and a long one is split into numbered SMS', async () => {
      const [conv] = await env.deps.db.query(`SELECT b.conversation_id AS id FROM channel_bindings b WHERE b.config_id = $1 ORDER BY b.updated_at LIMIT 1`, [cfgId]);
      const phone = '13800000001';
      const n = to(phone).length;
      const long = Array.from({ length: 40 }, (_, i) => `第${i + 1}条：您的账单分期已办理成功，请按时还款。`).join('\n');
      await env.deps.channels.outbound.deliver({ id: conv.id, tenantId }, { type: 'text', text: long }, { idempotencyKey: `${conv.id}:agent-1` });
      await env.deps.channels.outbound.deliver({ id: conv.id, tenantId }, { type: 'text', text: long }, { idempotencyKey: `${conv.id}:agent-1` });
      const got = to(phone).slice(n);
      assert.ok(got.length >= 2, `${got.length} pieces`);
      got.forEach((p, i) => assert.ok(p.endsWith(`(${i + 1}/${got.length})`), p));
      assert.equal(got.join('').replace(/ \(\d+\/\d+\)/g, '').replace(/\s/g, ''), long.replace(/\s/g, ''));
    });

    test('a business flow on SMS sends its one-time code to the sender through the tenant gateway, never stored in clear', async () => {
      const r = await push('13800000009', '帮我查一下余额');
      assert.equal(r.statusCode, 200, r.body);
      await until(() => to('13800000009').some((t) => /验证码/.test(t) && /\d{6}/.test(t)), 60_000);
      // The robot says where the code went (138****0009), in its own SMS.
      await until(() => to('13800000009').some((t) => t.includes('138****0009')), 10_000);
      const otp = (await env.deps.sms.list(tenantId, { to: '13800000009' })).find((m) => m.idempotencyKey.startsWith('identity-otp:'));
      assert.ok(otp, 'the code went out through the SMS service');
      assert.equal(otp!.provider, 'http');
      assert.equal(otp!.body, '[redacted]');
    });

  });
}
