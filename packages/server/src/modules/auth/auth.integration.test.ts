import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp, login } from '../../testing/app.ts';

for (const variant of await bothDatabases()) {
  describe(`auth and tenancy on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let adminA: string;
    let adminB: string;
    before(async () => {
      adminA = await login(env.app);
      // A second institution with its own admin and bot.
      const t = await env.deps.tenancy.createTenant('bank-b', '乙银行');
      await env.deps.auth.createUser(t.id, { username: 'admin', password: 'bank-b-password', roles: ['admin'] });
      await env.deps.tenancy.createBot(t.id, { slug: 'bank-b-bot', name: '乙银行客服' });
      adminB = await login(env.app, 'admin', 'bank-b-password', 'bank-b');
    });
    const get = (url: string, token?: string) => env.app.inject({ url, headers: token ? { authorization: `Bearer ${token}` } : {} });

    test('wrong password and unknown user both get 401 with the same message', async () => {
      const a = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong-password', tenant: 'demo' } });
      const b = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'wrong-password' } });
      assert.equal(a.statusCode, 401);
      assert.equal(b.statusCode, 401);
      assert.equal(a.json().error.message, b.json().error.message);
    });

    test('an ambiguous username across tenants needs the tenant', async () => {
      const r = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'x' } });
      assert.equal(r.statusCode, 400);
    });

    test('no credentials → 401; a session token works; logout ends it', async () => {
      assert.equal((await get('/api/v1/bots')).statusCode, 401);
      const token = await login(env.app, 'admin', 'test-admin-password-1', 'demo');
      assert.equal((await get('/api/v1/auth/me', token)).json().username, 'admin');
      assert.equal((await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } })).statusCode, 204);
      assert.equal((await get('/api/v1/auth/me', token)).statusCode, 401);
    });

    test('one tenant never sees another tenant\'s bots, users, conversations or audit log', async () => {
      const botsA = (await get('/api/v1/bots', adminA)).json().items.map((b: any) => b.slug);
      const botsB = (await get('/api/v1/bots', adminB)).json().items.map((b: any) => b.slug);
      assert.deepEqual(botsA, ['demo']);
      assert.deepEqual(botsB, ['bank-b-bot']);
      assert.equal((await get('/api/v1/bots/demo', adminB)).statusCode, 404);
      assert.equal((await get('/api/v1/bots/bank-b-bot', adminA)).statusCode, 404);
      const patch = await env.app.inject({ method: 'PATCH', url: '/api/v1/bots/demo', headers: { authorization: `Bearer ${adminB}` }, payload: { name: 'hacked' } });
      assert.equal(patch.statusCode, 404);
      assert.equal((await env.deps.tenancy.getPublicBot('demo')).name, '示例银行智能客服');

      const chat = (await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', text: '你好' } })).json();
      assert.equal((await get(`/api/v1/conversations/${chat.sessionId}/events`, adminA)).statusCode, 200);
      assert.equal((await get(`/api/v1/conversations/${chat.sessionId}/events`, adminB)).statusCode, 404);
      assert.equal((await get('/api/v1/conversations', adminB)).json().items.length, 0);
      assert.ok((await get('/api/v1/users', adminB)).json().items.every((u: any) => u.username === 'admin' && u.tenantId !== (botsA && undefined)));
      const auditB = (await get('/api/v1/audit-log', adminB)).json().items;
      assert.ok(auditB.every((e: any) => !String(e.target ?? '').startsWith('cv_')));
    });

    test('roles limit what a user may do', async () => {
      const create = await env.app.inject({
        method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${adminA}` },
        payload: { username: 'kop1', password: 'knowledge-op-pw', roles: ['knowledge_operator'] },
      });
      assert.equal(create.statusCode, 201, create.body);
      assert.equal(create.json().passwordHash, undefined);
      const kop = await login(env.app, 'kop1', 'knowledge-op-pw');
      assert.equal((await get('/api/v1/users', kop)).statusCode, 403);
      assert.equal((await get('/api/v1/bots', kop)).statusCode, 200);
      const bad = await env.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${adminA}` }, payload: { username: 'x y', password: 'short', roles: ['wizard'] } });
      assert.equal(bad.statusCode, 400);
    });

    test('API keys authenticate server-to-server calls until revoked; only the hash is stored', async () => {
      const r = await env.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${adminA}` }, payload: { name: 'core-banking', roles: ['analyst'] } });
      assert.equal(r.statusCode, 201);
      const { id, key } = r.json();
      assert.match(key, /^lx_/);
      assert.equal((await env.app.inject({ url: '/api/v1/bots', headers: { 'x-api-key': key } })).statusCode, 200);
      const stored = await env.deps.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [id]);
      assert.notEqual(stored[0].key_hash, key);
      assert.equal((await env.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: { authorization: `Bearer ${adminA}` } })).statusCode, 204);
      assert.equal((await env.app.inject({ url: '/api/v1/bots', headers: { 'x-api-key': key } })).statusCode, 401);
    });

    test('personal data in transcripts is masked for agents; an admin may unmask, and that view is audited', async () => {
      await env.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${adminA}` }, payload: { username: 'agent-pii', password: 'agent-password', roles: ['agent'] } });
      const agent = await login(env.app, 'agent-pii', 'agent-password');
      const chat = (await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', text: '我的卡号是6222020200112233445，手机13812345678' } })).json();
      const asAgent = (await get(`/api/v1/conversations/${chat.sessionId}/events?unmasked=true`, agent)).json();
      assert.equal(asAgent.masked, true);
      assert.ok(!JSON.stringify(asAgent).includes('13812345678'));
      assert.ok(JSON.stringify(asAgent).includes('138****5678'));
      const asAdmin = (await get(`/api/v1/conversations/${chat.sessionId}/events?unmasked=true`, adminA)).json();
      assert.equal(asAdmin.masked, false);
      assert.ok(JSON.stringify(asAdmin).includes('13812345678'));
      const audit = (await get('/api/v1/audit-log?action=conversation.view_unmasked', adminA)).json().items;
      assert.ok(audit.some((e: any) => e.target === chat.sessionId));
    });
  });
}
