import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../../testing/databases.ts';
import { login } from '../../../testing/app.ts';
import { channelsApp } from '../core/testing.ts';
import { FakeVendor } from '../core/fake-vendor.ts';
import { aesKeyOf, sha1Signature, wechatDecrypt, wechatEncrypt } from '../wechat/crypto.ts';
import { parseXml, toXml } from '../wechat/xml.ts';

const TOKEN = 'QDG6eK';
const AES = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP = 'ww5823bf96d3bd56c7';
let seq = 5000;

for (const t of await bothDatabases()) {
  describe(`WeCom channel (${t.name})`, () => {
    let env: Awaited<ReturnType<typeof channelsApp>>;
    let close: () => Promise<void>;
    let vendor: FakeVendor;
    let appId: string;
    let kfId: string;

    before(async () => {
      const opened = await t.open();
      vendor = await new FakeVendor().start();
      env = await channelsApp(opened.db, { vendorTimeoutMs: 300, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 } });
      close = async () => { await env.close(); await opened.close(); await vendor.stop(); };
      const admin = await login(env.app);
      const bot = await env.deps.tenancy.getPublicBot('demo');
      await env.deps.models.get(bot);
      const create = async (type: string, pub: Record<string, unknown>) => {
        const r = await env.app.inject({ method: 'POST', url: '/api/v1/channels', headers: { authorization: `Bearer ${admin}` }, payload: { botId: bot.id, type, name: type, public: { corpId: CORP, apiBase: vendor.url, ...pub }, secrets: { token: TOKEN, encodingAESKey: AES, secret: 'corp-secret' } } });
        assert.equal(r.statusCode, 201, r.body);
        return r.json().id as string;
      };
      appId = await create('wecom', { agentId: 1000002, clarifyAs: 'card' });
      kfId = await create('wecom_kf', {});
    });
    after(() => close());

    function signed(encrypt: string) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = String(++seq);
      return { msg_signature: sha1Signature(TOKEN, timestamp, nonce, encrypt), timestamp, nonce };
    }
    function post(path: string, id: string, inner: string, forge = false) {
      const encrypt = wechatEncrypt(aesKeyOf(AES), inner, CORP);
      const qs = signed(encrypt);
      if (forge) qs.msg_signature = 'a'.repeat(40);
      return env.app.inject({ method: 'POST', url: `/api/v1/channels/${id}/${path}?${new URLSearchParams(qs)}`, headers: { 'content-type': 'text/xml' }, payload: toXml({ ToUserName: CORP, AgentID: 1000002, Encrypt: encrypt }) });
    }
    function open(body: string) {
      const e = parseXml(body);
      assert.equal(sha1Signature(TOKEN, e.TimeStamp, e.Nonce, e.Encrypt), e.MsgSignature);
      return parseXml(wechatDecrypt(aesKeyOf(AES), e.Encrypt, CORP).message);
    }
    const now = () => Math.floor(Date.now() / 1000);

    it('verifies the callback URL by decrypting echostr with the CorpID', async () => {
      const echostr = wechatEncrypt(aesKeyOf(AES), '1616140317555161061', CORP);
      const r = await env.app.inject({ method: 'GET', url: `/api/v1/channels/${appId}/wecom?${new URLSearchParams({ ...signed(echostr), echostr })}` });
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, '1616140317555161061');
      const forged = await env.app.inject({ method: 'GET', url: `/api/v1/channels/${appId}/wecom?${new URLSearchParams({ ...signed(echostr), msg_signature: 'b'.repeat(40), echostr })}` });
      assert.equal(forged.statusCode, 401);
      // An echostr encrypted for another corp is refused.
      const otherCorp = wechatEncrypt(aesKeyOf(AES), '1', 'wwOTHER');
      assert.equal((await env.app.inject({ method: 'GET', url: `/api/v1/channels/${appId}/wecom?${new URLSearchParams({ ...signed(otherCorp), echostr: otherCorp })}` })).statusCode, 401);
    });

    it('answers an employee with an encrypted passive reply, and clarifies with a template card', async () => {
      const r = await post('wecom', appId, toXml({ ToUserName: CORP, FromUserName: 'zhangsan', CreateTime: now(), MsgType: 'text', Content: '借记卡丢了怎么挂失？', MsgId: '1234567', AgentID: 1000002 }));
      assert.equal(r.statusCode, 200, r.body);
      const f = open(r.body);
      assert.equal(f.ToUserName, 'zhangsan');
      assert.match(f.Content, /挂失/);
      assert.equal((await post('wecom', appId, toXml({ ToUserName: CORP, FromUserName: 'zhangsan', CreateTime: now(), MsgType: 'text', Content: 'x', MsgId: '1234568' }), true)).statusCode, 401);

      const c = await post('wecom', appId, toXml({ ToUserName: CORP, FromUserName: 'lisi', CreateTime: now(), MsgType: 'text', Content: '卡', MsgId: '1234569' }));
      assert.equal(c.body, '');
      await env.channels.wecom.background.idle();
      const card = vendor.delivered('/cgi-bin/message/send').find((x) => x.body.touser === 'lisi');
      assert.ok(card, 'a message/send call');
      assert.equal(card.body.msgtype, 'template_card');
      assert.equal(card.body.template_card.card_type, 'button_interaction');
      assert.equal(card.body.template_card.button_list[0].key, 'choice:1');
      const pressed = await post('wecom', appId, toXml({ ToUserName: CORP, FromUserName: 'lisi', CreateTime: now() + 1, MsgType: 'event', Event: 'template_card_event', EventKey: 'choice:1', TaskId: card.body.template_card.task_id }));
      const answer = open(pressed.body).Content;
      const firstOption = card.body.template_card.sub_title_text.split('\n')[0].replace(/^1\. /, '');
      const bot = await env.deps.tenancy.getPublicBot('demo');
      const entry = [...(await env.deps.models.get(bot))!.entries.values()].find((e) => e.question === firstOption)!;
      assert.ok(answer.startsWith(entry.answer.trim().slice(0, 10)));
    });

    it('pulls customer-service messages from the stored cursor and replies once, even across a send timeout', async () => {
      vendor.kfMessages.push(
        { msgid: 'kfm1', open_kfid: 'wkBANK', external_userid: 'wmCUST1', send_time: now(), origin: 3, msgtype: 'text', text: { content: '信用卡怎么还款' } },
        { msgid: 'kfm2', open_kfid: 'wkBANK', external_userid: 'wmCUST1', send_time: now(), origin: 5, msgtype: 'text', text: { content: '(an agent wrote this)' } },
        { msgid: 'kfm3', open_kfid: 'wkBANK', external_userid: 'wmCUST2', send_time: now(), origin: 3, msgtype: 'location', location: {} },
      );
      vendor.hang('/cgi-bin/kf/send_msg', 1);
      const cb = toXml({ ToUserName: CORP, CreateTime: now(), MsgType: 'event', Event: 'kf_msg_or_event', Token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', OpenKfId: 'wkBANK' });
      const r = await post('wecom-kf', kfId, cb);
      assert.equal(r.statusCode, 200);
      await env.channels.wecom.background.idle();
      const sends = vendor.delivered('/cgi-bin/kf/send_msg');
      const toCust1 = sends.filter((s) => s.body.touser === 'wmCUST1');
      assert.equal(toCust1.length, 1, 'one answer, delivered once although the first attempt timed out');
      assert.match(toCust1[0].body.text?.content ?? toCust1[0].body.msgmenu.head_content, /还款/);
      assert.match(sends.find((s) => s.body.touser === 'wmCUST2')!.body.text.content, /只能识别文字/);
      const [cur] = await env.deps.db.query('SELECT cursor FROM channel_cursors WHERE config_id = $1', [kfId]);
      assert.equal(cur.cursor, '3');
      // A second callback with nothing new sends nothing; a re-read message (cursor lost) is not answered twice.
      await post('wecom-kf', kfId, cb);
      await env.channels.wecom.background.idle();
      await env.deps.db.query('DELETE FROM channel_cursors WHERE config_id = $1', [kfId]);
      await post('wecom-kf', kfId, cb);
      await env.channels.wecom.background.idle();
      assert.equal(vendor.delivered('/cgi-bin/kf/send_msg').length, sends.length);
    });
  });
}
