import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp, login } from '../../testing/app.ts';
import { canonicalIdentity, maskIdentity } from './contact-service.ts';

test('identities compare in canonical form', () => {
  assert.equal(canonicalIdentity('phone', '+86 138-1234-5678'), '13812345678');
  assert.equal(canonicalIdentity('email', ' Li.Lei@Example.CN '), 'li.lei@example.cn');
  assert.equal(maskIdentity('phone', '13812345678'), '138****5678');
  assert.equal(maskIdentity('email', 'lilei@example.cn'), 'l***@example.cn');
});

for (const variant of await bothDatabases()) {
  describe(`contacts on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let tenantId: string;
    before(async () => {
      tenantId = (await env.deps.tenancy.getPublicBot('demo')).tenantId;
    });
    const admin = () => ({ tenantId, actor: 'user:test', roles: ['admin' as const] });

    test('one identity resolves to one contact, in any spelling; values are encrypted at rest', async () => {
      const a = await env.deps.contacts.resolve(tenantId, { kind: 'phone', value: '13812345678' });
      const b = await env.deps.contacts.resolve(tenantId, { kind: 'phone', value: '+86 138 1234 5678' });
      assert.equal(a, b);
      const rows = await env.deps.db.query('SELECT value_enc, value_hash FROM contact_identities WHERE contact_id = $1', [a]);
      assert.ok(!JSON.stringify(rows).includes('13812345678'));
      const masked = await env.deps.contacts.get(admin(), a);
      assert.equal(masked.identities[0].value, '138****5678');
      const clear = await env.deps.contacts.get(admin(), a, { unmasked: true });
      assert.equal(clear.identities[0].value, '13812345678');
      const audit = await env.deps.audit.list(tenantId, { action: 'contact.view_unmasked' });
      assert.equal(audit[0].target, a);
    });

    test('concurrent first messages from one sender create one contact', async () => {
      const ids = await Promise.all(Array.from({ length: 8 }, () => env.deps.contacts.resolve(tenantId, { kind: 'wechat_openid', value: 'oRace123' })));
      assert.equal(new Set(ids).size, 1);
    });

    test('a verified phone seen on two contacts merges them into one history', async () => {
      const wechat = await env.deps.contacts.resolve(tenantId, { kind: 'wechat_openid', value: 'oMerge1' });
      const app = await env.deps.contacts.resolve(tenantId, { kind: 'app_user', value: 'u-42' });
      await env.deps.contacts.link(tenantId, app, { kind: 'phone', value: '13900001111', verified: true });
      await env.deps.contacts.link(tenantId, wechat, { kind: 'phone', value: '13900001111', verified: true });
      assert.equal(await env.deps.contacts.resolve(tenantId, { kind: 'app_user', value: 'u-42' }), wechat);
      const kinds = (await env.deps.contacts.get(admin(), wechat)).identities.map((i) => i.kind).sort();
      assert.deepEqual(kinds, ['app_user', 'phone', 'wechat_openid']);
    });

    test('a channel turn with an identity continues that contact\'s open conversation; another contact gets its own', async () => {
      const t1 = await env.deps.chat.handle({ bot: 'demo', text: '你好', channel: 'sms', identity: { kind: 'phone', value: '13700002222' } });
      const t2 = await env.deps.chat.handle({ bot: 'demo', text: '信用卡丢了怎么挂失', channel: 'sms', identity: { kind: 'phone', value: '+8613700002222' } });
      const t3 = await env.deps.chat.handle({ bot: 'demo', text: '你好', channel: 'sms', identity: { kind: 'phone', value: '13700003333' } });
      assert.equal(t1.sessionId, t2.sessionId);
      assert.notEqual(t1.sessionId, t3.sessionId);
      const [row] = await env.deps.db.query('SELECT contact_id FROM conversations WHERE id = $1', [t1.sessionId]);
      assert.ok(row.contact_id);
    });

    test('merging is refused across tenants and into itself', async () => {
      const a = await env.deps.contacts.resolve(tenantId, { kind: 'email', value: 'x@example.cn' });
      await assert.rejects(env.deps.contacts.merge(admin(), a, a), /itself/);
      await assert.rejects(env.deps.contacts.merge({ ...admin(), tenantId: 'other' }, a, a + 'x'), /not found|itself/);
    });
  });
}

for (const variant of await bothDatabases()) {
  describe(`contact routes on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let admin: string, agent: string, supervisor: string;
    before(async () => {
      admin = await login(env.app);
      for (const [u, role] of [['agent9', 'agent'], ['sup9', 'supervisor']] as const) {
        await env.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${admin}` }, payload: { username: u, password: `${u}-password`, roles: [role] } });
      }
      agent = await login(env.app, 'agent9', 'agent9-password');
      supervisor = await login(env.app, 'sup9', 'sup9-password');
    });
    const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) => env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });

    test('identities are masked for agents; a supervisor may unmask (audited) and merge; an agent may not merge', async () => {
      const t = await env.deps.chat.handle({ bot: 'demo', text: '你好', channel: 'sms', identity: { kind: 'phone', value: '13611112222' } });
      const w = await env.deps.chat.handle({ bot: 'demo', text: '你好', channel: 'wechat', identity: { kind: 'wechat_openid', value: 'oContactRoute' } });
      const [a] = await env.deps.db.query('SELECT contact_id FROM conversations WHERE id = $1', [t.sessionId]);
      const [b] = await env.deps.db.query('SELECT contact_id FROM conversations WHERE id = $1', [w.sessionId]);
      const asAgent = (await call('GET', `/api/v1/contacts/${a.contact_id}?unmasked=true`, agent)).json();
      assert.equal(asAgent.masked, true);
      assert.equal(asAgent.identities[0].value, '136****2222');
      const asSup = (await call('GET', `/api/v1/contacts/${a.contact_id}?unmasked=true`, supervisor)).json();
      assert.equal(asSup.identities[0].value, '13611112222');
      assert.equal((await call('POST', `/api/v1/contacts/${a.contact_id}/merge`, agent, { from: b.contact_id })).statusCode, 403);
      const merged = await call('POST', `/api/v1/contacts/${a.contact_id}/merge`, supervisor, { from: b.contact_id });
      assert.equal(merged.statusCode, 200, merged.body);
      assert.deepEqual(merged.json().identities.map((i: { kind: string }) => i.kind).sort(), ['phone', 'wechat_openid']);
      const [moved] = await env.deps.db.query('SELECT contact_id FROM conversations WHERE id = $1', [w.sessionId]);
      assert.equal(moved.contact_id, a.contact_id, 'the WeChat conversation now belongs to the merged contact');
      assert.equal((await call('GET', '/api/v1/contacts/ct_nope', admin)).statusCode, 404);
    });
  });
}
