import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../../testing/databases.ts';
import { login } from '../../../testing/app.ts';
import { channelsApp } from '../core/testing.ts';
import { FakeVendor } from '../core/fake-vendor.ts';
import { aesKeyOf, sha1Signature, wechatDecrypt, wechatEncrypt } from './crypto.ts';
import { parseXml, toXml } from './xml.ts';
import { WechatApi } from './api.ts';
import { InMemoryCoordination } from '../../../platform/coordination.ts';

const TOKEN = 'lingxiToken2024';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wx1234567890abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 1000;

for (const t of await bothDatabases()) {
  describe(`WeChat channel (${t.name})`, () => {
    let env: Awaited<ReturnType<typeof channelsApp>>;
    let close: () => Promise<void>;
    let vendor: FakeVendor;
    let admin: string;
    let cfgId: string;

    before(async () => {
      const opened = await t.open();
      vendor = await new FakeVendor().start();
      env = await channelsApp(opened.db, { vendorTimeoutMs: 300, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 } });
      close = async () => { await env.close(); await opened.close(); await vendor.stop(); };
      admin = await login(env.app);
      const bot = await env.deps.tenancy.getPublicBot('demo');
      // Load the bot's model first: a cold first turn on a busy machine may exceed the passive-reply budget.
      await env.deps.models.get(bot);
      const r = await env.app.inject({
        method: 'POST', url: '/api/v1/channels', headers: { authorization: `Bearer ${admin}` },
        payload: { botId: bot.id, type: 'wechat', name: '示例银行服务号', public: { appId: APPID, apiBase: vendor.url }, secrets: { token: TOKEN, encodingAESKey: AES, appSecret: 'app-secret-1' } },
      });
      assert.equal(r.statusCode, 201, r.body);
      cfgId = r.json().id;
    });
    after(() => close());

    const q = (extra: Record<string, string> = {}) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = String(++seq);
      return { signature: sha1Signature(TOKEN, timestamp, nonce), timestamp, nonce, openid: 'oUser1', ...extra };
    };
    const msgXml = (f: Record<string, unknown>) => toXml({ ToUserName: 'gh_bank', FromUserName: 'oUser1', CreateTime: Math.floor(Date.now() / 1000), ...f });
    async function postSafe(inner: string, opts: { forge?: 'signature' | 'msg_signature'; id?: string } = {}) {
      const query = q({ encrypt_type: 'aes' });
      const encrypt = wechatEncrypt(aesKeyOf(AES), inner, APPID);
      const params: Record<string, string> = { ...query, msg_signature: sha1Signature(TOKEN, query.timestamp, query.nonce, encrypt) };
      if (opts.forge) params[opts.forge] = sha1Signature('forged', query.timestamp, query.nonce);
      return env.app.inject({ method: 'POST', url: `/api/v1/channels/${opts.id ?? cfgId}/wechat?${new URLSearchParams(params)}`, headers: { 'content-type': 'text/xml' }, payload: toXml({ ToUserName: 'gh_bank', Encrypt: encrypt }) });
    }
    /** Checks the reply's msg_signature like WeChat does, decrypts it, and returns its fields. */
    function openReply(body: string): Record<string, string> {
      const env2 = parseXml(body);
      assert.equal(sha1Signature(TOKEN, env2.TimeStamp, env2.Nonce, env2.Encrypt), env2.MsgSignature, 'reply signature');
      return parseXml(wechatDecrypt(aesKeyOf(AES), env2.Encrypt, APPID).message);
    }
    const countReceived = async () => Number((await env.deps.db.query(`SELECT count(*)::int AS n FROM conversation_events WHERE type = 'message.received'`))[0].n);

    it('never returns secrets after they are set, and scopes channels to the tenant', async () => {
      const auth = { authorization: `Bearer ${admin}` };
      const got = await env.app.inject({ method: 'GET', url: `/api/v1/channels/${cfgId}`, headers: auth });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json().secrets, { token: 'set', encodingAESKey: 'set', appSecret: 'set' });
      assert.ok(!got.body.includes(TOKEN) && !got.body.includes(AES) && !got.body.includes('app-secret-1'));
      const [row] = await env.deps.db.query('SELECT secrets_enc FROM channel_configs WHERE id = $1', [cfgId]);
      assert.ok(!String(row.secrets_enc).includes(TOKEN), 'stored encrypted');
      const list = await env.app.inject({ method: 'GET', url: '/api/v1/channels?type=wechat', headers: auth });
      assert.ok(!list.body.includes(TOKEN));
      const patched = await env.app.inject({ method: 'PATCH', url: `/api/v1/channels/${cfgId}`, headers: auth, payload: { secrets: { appSecret: null }, public: { clickableMenus: true } } });
      assert.deepEqual(patched.json().secrets, { token: 'set', encodingAESKey: 'set' });
      await env.app.inject({ method: 'PATCH', url: `/api/v1/channels/${cfgId}`, headers: auth, payload: { secrets: { appSecret: 'app-secret-1' } } });
      const bad = await env.app.inject({ method: 'POST', url: '/api/v1/channels', headers: auth, payload: { botId: 'demo', type: 'wechat', name: 'x', public: { appId: 'wx1' }, secrets: { token: 'abc' } } });
      assert.equal(bad.statusCode, 400, 'safe mode needs an AES key');
      assert.ok((await env.deps.audit.list(got.json().botId ? (await env.deps.tenancy.getPublicBot('demo')).tenantId : '', { action: 'channel.update' })).length >= 1);
      // Another tenant's admin sees nothing of it.
      const other = await env.deps.tenancy.createTenant(`other${t.name}`, 'Other bank');
      await env.deps.auth.createUser(other.id, { username: 'admin2', displayName: 'A2', password: 'other-admin-password', roles: ['admin'] });
      const tok2 = await login(env.app, 'admin2', 'other-admin-password', other.slug);
      const foreign = await env.app.inject({ method: 'GET', url: `/api/v1/channels/${cfgId}`, headers: { authorization: `Bearer ${tok2}` } });
      assert.equal(foreign.statusCode, 404);
      const foreignPatch = await env.app.inject({ method: 'DELETE', url: `/api/v1/channels/${cfgId}`, headers: { authorization: `Bearer ${tok2}` } });
      assert.equal(foreignPatch.statusCode, 404);
      assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/channels' })).statusCode, 401);
    });

    it('answers URL verification only with the right signature', async () => {
      const ok = await env.app.inject({ method: 'GET', url: `/api/v1/channels/${cfgId}/wechat?${new URLSearchParams({ ...q(), echostr: 'echo123' })}` });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.body, 'echo123');
      const bad = await env.app.inject({ method: 'GET', url: `/api/v1/channels/${cfgId}/wechat?${new URLSearchParams({ ...q(), signature: 'f'.repeat(40), echostr: 'echo123' })}` });
      assert.equal(bad.statusCode, 401);
      assert.ok(!bad.body.includes('echo123'));
    });

    it('answers a safe-mode text message with an encrypted passive reply, and a retry once', async () => {
      const before = await countReceived();
      const inner = msgXml({ MsgType: 'text', Content: '借记卡丢了怎么挂失？', MsgId: '9000000000000000001' });
      const r = await postSafe(inner);
      assert.equal(r.statusCode, 200, r.body);
      const f = openReply(r.body);
      assert.equal(f.ToUserName, 'oUser1');
      assert.equal(f.FromUserName, 'gh_bank');
      assert.equal(f.MsgType, 'text');
      assert.match(f.Content, /挂失/);
      // WeChat retries the same MsgId: same reply, robot asked once.
      const again = await postSafe(inner);
      assert.equal(openReply(again.body).Content, f.Content);
      assert.equal(await countReceived(), before + 1);
    });

    it('rejects forged signatures with nothing processed', async () => {
      const before = await countReceived();
      const inner = msgXml({ MsgType: 'text', Content: '信用卡怎么还款', MsgId: '9000000000000000002' });
      for (const forge of ['signature', 'msg_signature'] as const) {
        const r = await postSafe(inner, { forge });
        assert.equal(r.statusCode, 401);
        assert.ok(!r.body.includes('还款'));
      }
      assert.equal(await countReceived(), before);
      // The genuine message is still answered afterwards: the forged ones did not consume its MsgId.
      assert.equal((await postSafe(inner)).statusCode, 200);
      assert.equal(await countReceived(), before + 1);
    });

    it('refuses malformed and oversized bodies and unknown configs, and answers unknown types politely', async () => {
      const query = q({ encrypt_type: 'aes' });
      const malformed = await env.app.inject({ method: 'POST', url: `/api/v1/channels/${cfgId}/wechat?${new URLSearchParams(query)}`, headers: { 'content-type': 'text/xml' }, payload: '<xml><Encrypt>abc</xml>' });
      assert.equal(malformed.statusCode, 400);
      const xxe = await env.app.inject({ method: 'POST', url: `/api/v1/channels/${cfgId}/wechat?${new URLSearchParams(query)}`, headers: { 'content-type': 'text/xml' }, payload: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>' });
      assert.equal(xxe.statusCode, 400);
      const huge = await env.app.inject({ method: 'POST', url: `/api/v1/channels/${cfgId}/wechat?${new URLSearchParams(query)}`, headers: { 'content-type': 'text/xml' }, payload: `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>` });
      assert.equal(huge.statusCode, 413);
      const unknown = await env.app.inject({ method: 'POST', url: `/api/v1/channels/ch_nope/wechat?${new URLSearchParams(query)}`, headers: { 'content-type': 'text/xml' }, payload: '<xml/>' });
      assert.equal(unknown.statusCode, 404);
      const loc = await postSafe(msgXml({ MsgType: 'location', Location_X: '23.1', Location_Y: '113.3', MsgId: '9000000000000000003' }));
      assert.match(openReply(loc.body).Content, /只能识别文字/);
      const voice = await postSafe(msgXml({ MsgType: 'voice', MediaId: 'm1', Format: 'amr', Recognition: '信用卡怎么还款', MsgId: '9000000000000000004' }));
      assert.match(openReply(voice.body).Content, /还款/);
    });

    it('greets a new follower with hot questions as a menu that answers by number', async () => {
      const sub = await postSafe(toXml({ ToUserName: 'gh_bank', FromUserName: 'oNewFan', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event', Event: 'subscribe' }));
      const greeting = openReply(sub.body).Content;
      assert.match(greeting, /回复数字选择：\n1\. /);
      assert.match(greeting, /weixin:\/\/bizmsgmenu\?msgmenucontent=/);
      const first = /1\. <a href="[^"]+">([^<]+)<\/a>/.exec(greeting)![1];
      const one = await postSafe(toXml({ ToUserName: 'gh_bank', FromUserName: 'oNewFan', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'text', Content: '1', MsgId: '9000000000000000005' }));
      const answer = openReply(one.body).Content;
      assert.ok(!/回复数字选择：\n1\. <a[^>]+>[^<]+<\/a>\n2\./.test(answer.split('\n')[0]));
      const bot = await env.deps.tenancy.getPublicBot('demo');
      const loaded = await env.deps.models.get(bot);
      const entry = [...loaded!.entries.values()].find((e) => e.question === first)!;
      assert.ok(answer.startsWith(entry.answer.trim().slice(0, 10)), `answer to "${first}"`);
      // Menu CLICK hot:<entryId> answers that entry.
      const click = await postSafe(toXml({ ToUserName: 'gh_bank', FromUserName: 'oNewFan', CreateTime: Math.floor(Date.now() / 1000) + 1, MsgType: 'event', Event: 'CLICK', EventKey: `hot:${entry.id}` }));
      assert.ok(openReply(click.body).Content.startsWith(entry.answer.trim().slice(0, 10)));
    });

    it('past the reply budget answers success and sends by the customer-service API, retrying a timeout without a double send', async () => {
      const auth = { authorization: `Bearer ${admin}` };
      await env.app.inject({ method: 'PATCH', url: `/api/v1/channels/${cfgId}`, headers: auth, payload: { public: { replyTimeoutMs: 50 } } });
      await sleep(1100); // the inbound config cache
      const orig = env.channels.turns.ask.bind(env.channels.turns);
      env.channels.turns.ask = async (...a) => { await sleep(300); return orig(...a); };
      vendor.hang('/cgi-bin/message/custom/send', 1);
      try {
        const r = await postSafe(msgXml({ MsgType: 'text', Content: '信用卡年费多少钱', MsgId: '9000000000000000006' }));
        assert.equal(r.statusCode, 200);
        assert.equal(r.body, 'success');
        await env.channels.wechat.background.idle();
      } finally {
        env.channels.turns.ask = orig;
        await env.app.inject({ method: 'PATCH', url: `/api/v1/channels/${cfgId}`, headers: auth, payload: { public: { replyTimeoutMs: 4000 } } });
      }
      const sent = vendor.delivered('/cgi-bin/message/custom/send');
      assert.equal(sent.length, 1, 'the first attempt timed out, the retry delivered once');
      assert.equal(sent[0].body.touser, 'oUser1');
      assert.match(sent[0].body.text?.content ?? sent[0].body.msgmenu?.head_content, /年费/);
      assert.equal(vendor.delivered('/cgi-bin/token').length, 1);
      // An agent's reply reaches the customer through the outbound registry, once per idempotency key.
      const [conv] = await env.deps.db.query(`SELECT c.id, c.tenant_id FROM conversations c JOIN channel_bindings b ON b.conversation_id = c.id WHERE b.config_id = $1 LIMIT 1`, [cfgId]);
      const reply = { type: 'text' as const, text: '您好，我是人工客服小王。' };
      await env.channels.outbound.deliver({ id: conv.id, tenantId: conv.tenant_id }, reply, { idempotencyKey: `${conv.id}:agent-1` });
      await env.channels.outbound.deliver({ id: conv.id, tenantId: conv.tenant_id }, reply, { idempotencyKey: `${conv.id}:agent-1` });
      const agentSends = vendor.delivered('/cgi-bin/message/custom/send').filter((c) => c.body.text?.content === reply.text);
      assert.equal(agentSends.length, 1);
    });

    it('shares one access token across nodes and refreshes it when WeChat expires it', async () => {
      const coordination = new InMemoryCoordination();
      const target = { configId: `shared-${t.name}`, appId: APPID, appSecret: 's', apiBase: vendor.url };
      const nodes = [new WechatApi(coordination), new WechatApi(coordination), new WechatApi(coordination)];
      const tokensBefore = vendor.delivered('/cgi-bin/token').length;
      await Promise.all(nodes.map((n, i) => n.customSend(target, { touser: `o${i}`, msgtype: 'text', text: { content: 'x' } })));
      assert.equal(vendor.delivered('/cgi-bin/token').length - tokensBefore, 1);
      vendor.expireTokens();
      await nodes[0].customSend(target, { touser: 'o9', msgtype: 'text', text: { content: 'y' } });
      assert.equal(vendor.delivered('/cgi-bin/token').length - tokensBefore, 2);
    });

    it('takes mini-program JSON pushes in safe mode and answers by the customer-service API', async () => {
      const bot = await env.deps.tenancy.getPublicBot('demo');
      const created = await env.app.inject({
        method: 'POST', url: '/api/v1/channels', headers: { authorization: `Bearer ${admin}` },
        payload: { botId: bot.id, type: 'wechat', name: '小程序客服', public: { kind: 'mini_program', format: 'json', appId: 'wxmini0001', apiBase: vendor.url }, secrets: { token: TOKEN, encodingAESKey: AES, appSecret: 'mini-secret' } },
      });
      const id = created.json().id;
      const query = q({ encrypt_type: 'aes' });
      const inner = JSON.stringify({ ToUserName: 'gh_mini', FromUserName: 'oMini1', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'text', Content: '手机银行登录不了', MsgId: 7001 });
      const encrypt = wechatEncrypt(aesKeyOf(AES), inner, 'wxmini0001');
      const r = await env.app.inject({
        method: 'POST', url: `/api/v1/channels/${id}/wechat?${new URLSearchParams({ ...query, msg_signature: sha1Signature(TOKEN, query.timestamp, query.nonce, encrypt) })}`,
        headers: { 'content-type': 'application/json' }, payload: { ToUserName: 'gh_mini', Encrypt: encrypt },
      });
      assert.equal(r.body, 'success');
      await env.channels.wechat.background.idle();
      const sent = vendor.delivered('/cgi-bin/message/custom/send').filter((c) => c.body.touser === 'oMini1');
      assert.ok(sent.length >= 1);
      assert.equal(sent[0].body.msgtype, 'text');
    });
  });
}
