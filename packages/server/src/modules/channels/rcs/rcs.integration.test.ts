import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../../testing/databases.ts';
import { demoApp } from '../../../testing/app.ts';
import { fakeVendor, json } from '../../webhooks/test-harness.ts';
import { demoAdmin, until } from '../test-wiring.ts';
import { CT } from './render.ts';
import type { App } from '../../../app.ts';
import type { Deps } from '../../../compose.ts';

const AUTH = 'Username="bot-account",Password="maap-pass-1"';
const NOT_RCS = '13900000009';

for (const variant of await bothDatabases()) {
  describe(`5G messages on ${variant.name}`, () => {
    let env: { app: App; deps: Deps; close(): Promise<void> };
    let closeDb: () => Promise<void>;
    let cfgId = '';
    let tenantId = '';
    const sent: { to: string; messageId: string; parts: { contentType: string; contentText: any }[] }[] = [];
    const undeliverable = new Set<string>();
    // The MaaP platform: capability query (404 for a phone without 5G messages) and the send API.
    let maap: Awaited<ReturnType<typeof fakeVendor>>;

    before(async () => {
      maap = await fakeVendor((r, res) => {
        if (r.headers.authorization !== 'Bearer api-token-1') return json(res, 401, { errorCode: 'AUTH' });
        if (r.method === 'GET' && r.url.startsWith('/maap/contactCapabilities')) {
          const who = new URL(r.url, 'http://x').searchParams.get('userContact');
          return json(res, who === `tel:+86${NOT_RCS}` ? 404 : 200, {});
        }
        if (r.method === 'POST' && r.url === '/maap/messages') {
          const b = JSON.parse(r.body);
          const to = String(b.destinationAddress[0]).replace('tel:+86', '');
          if (undeliverable.has(to)) return json(res, 403, { errorCode: 'SVC4001' });
          if (!sent.some((s) => s.messageId === b.messageId)) sent.push({ to, messageId: b.messageId, parts: b.messageList });
          return json(res, 200, { messageId: b.messageId });
        }
        json(res, 404, {});
      });
      const { db, close } = await variant.open();
      closeDb = close;
      env = await demoApp(db);
      const admin = await demoAdmin(env.deps);
      tenantId = admin.tenantId;
      const bot = await env.deps.tenancy.getBot(tenantId, 'demo');
      cfgId = (await env.deps.channels.configs.create(admin, {
        botId: bot.id, type: 'rcs', name: '5G消息',
        public: { apiBase: `${maap.url}/maap`, chatbotUri: 'sip:10658888@botplatform.rcs.chinamobile.com', inboundUsername: 'bot-account', timeoutMs: 2000 },
        secrets: { apiToken: 'api-token-1', inboundSecret: 'maap-pass-1' },
      })).id;
    });
    after(async () => {
      await env?.close();
      await closeDb?.();
      await maap?.close();
    });

    let seq = 0;
    const notify = (body: object, auth = AUTH) => env.app.inject({ method: 'POST', url: `/api/v1/channels/${cfgId}/rcs`, payload: body, headers: { authorization: auth } });
    const text = (phone: string, t: string) => notify({ messageId: `in-${++seq}`, senderAddress: `tel:+86${phone}`, messageList: [{ contentType: 'text/plain', contentText: t }] });
    const tap = (phone: string, data: string) => notify({ messageId: `in-${++seq}`, senderAddress: `tel:+86${phone}`, messageList: [{ contentType: CT.suggestionResponse, contentText: { response: { reply: { displayText: data, postback: { data } } } } }] });
    const to = (phone: string) => sent.filter((s) => s.to === phone);
    const smsTo = async (phone: string) => (await env.deps.sms.list(tenantId, { to: phone })).reverse();

    test('a question is answered with a rich card titled with the entry\'s question', async () => {
      const r = await text('13900000001', '信用卡丢了怎么挂失');
      assert.equal(r.statusCode, 200, r.body);
      await until(() => to('13900000001').length === 1, 60_000);
      const [card] = to('13900000001')[0].parts;
      assert.equal(card.contentType, CT.card);
      const content = card.contentText.message.generalPurposeCard.content;
      assert.match(content.title, /挂失/);
      assert.match(content.description, /挂失/);
    });

    test('options (clarification or hot questions) come as tappable suggested replies; tapping one answers that option', async () => {
      await text('13900000002', '量子纠缠的天气怎么样');
      await until(() => to('13900000002').length === 1);
      const [txt, sugg] = to('13900000002')[0].parts;
      assert.equal(txt.contentType, 'text/plain');
      assert.equal(sugg.contentType, CT.suggestions);
      const chips = sugg.contentText.suggestions;
      assert.ok(chips.length >= 2);
      assert.equal(chips[1].reply.postback.data, '2');
      await tap('13900000002', chips[1].reply.postback.data);
      await until(() => to('13900000002').length === 2);
      const answer = to('13900000002')[1].parts[0];
      assert.equal(answer.contentType, CT.card);
      assert.ok(chips[1].reply.displayText.startsWith(`2. ${answer.contentText.message.generalPurposeCard.content.title.slice(0, 10)}`), JSON.stringify(chips[1]));
    });

    test('bad credentials and malformed notifications are refused and answered by nothing', async () => {
      const n = sent.length;
      await text('13900000003', '你好');
      assert.equal((await (notify({ messageId: 'x', senderAddress: 'tel:+8613900000003', messageList: [{ contentType: 'text/plain', contentText: '你好' }] }, 'Username="bot-account",Password="nope"'))).statusCode, 401);
      assert.equal((await notify({ hello: 'world' })).statusCode, 400);
      await until(() => to('13900000003').length === 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sent.length, n + 1, 'only the genuine one was answered');
    });

    test('a terminal without 5G messages (capability 404) gets the answer as SMS text', async () => {
      await text(NOT_RCS, '量子纠缠的天气怎么样');
      await until(async () => (await smsTo(NOT_RCS)).length === 1);
      assert.equal(to(NOT_RCS).length, 0);
      const [m] = await smsTo(NOT_RCS);
      assert.match(m.body, /回复数字选择：\n1\. /);
    });

    test('a refused send (not a 5G message user) and a DeliveryImpossible report both fall back to SMS, once', async () => {
      undeliverable.add('13900000004');
      await text('13900000004', '你好');
      await until(async () => (await smsTo('13900000004')).length === 1);
      undeliverable.delete('13900000004');

      await text('13900000005', '信用卡丢了怎么挂失');
      await until(() => to('13900000005').length === 1);
      const { messageId } = to('13900000005')[0];
      const report = { deliveryInfo: { address: 'tel:+8613900000005', messageId, deliveryStatus: 'DeliveryImpossible', description: 'SVC4001' } };
      assert.equal((await notify(report)).statusCode, 200);
      await notify(report); // reported twice: still one SMS
      await until(async () => (await smsTo('13900000005')).length === 1);
      await new Promise((r) => setTimeout(r, 200));
      const msgs = await smsTo('13900000005');
      assert.equal(msgs.length, 1);
      assert.match(msgs[0].body, /挂失/);
      // A report that the network already fell back itself changes nothing.
      await notify({ deliveryInfo: { address: 'tel:+8613900000001', messageId: to('13900000001')[0].messageId, deliveryStatus: 'DeliveredToNetwork' } });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await smsTo('13900000001')).length, 0);
    });
  });
}
