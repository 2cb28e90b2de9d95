import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp } from '../../testing/app.ts';
import type { App } from '../../app.ts';
import type { Deps } from '../../compose.ts';

const chat = (app: App, body: unknown) => app.inject({ method: 'POST', url: '/api/v1/chat', payload: body as object });
const countConversations = async (deps: Deps) => Number((await deps.db.query('SELECT count(*)::int AS n FROM conversations'))[0].n);

for (const variant of await bothDatabases()) {
  describe(`chat API on ${variant.name}`, () => {
    const env = useDemoApp(variant);

    test('a Chinese question gets an answer from the demo knowledge, in the fixed contract shape', async () => {
      const r = await chat(env.app, { bot: 'demo', text: '信用卡丢了怎么挂失' });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.match(body.sessionId, /^cv_/);
      assert.equal(body.replies[0].type, 'answer', r.body);
      assert.ok(body.replies[0].entryId);
      assert.match(body.replies[0].text, /挂失/);
    });

    test('an English question gets an English answer', async () => {
      const r = (await chat(env.app, { bot: 'demo', text: 'How do I reset my online banking password?' })).json();
      assert.ok(['answer', 'clarify'].includes(r.replies[0].type), JSON.stringify(r));
      assert.ok(JSON.stringify(r).match(/password/i));
    });

    test('a vague question is clarified with 2–5 options, and answering with a number gives that answer', async () => {
      const r1 = (await chat(env.app, { bot: 'demo', text: '卡丢了' })).json();
      assert.equal(r1.replies[0].type, 'clarify', JSON.stringify(r1));
      const opts = r1.replies[0].options;
      assert.ok(opts.length >= 2 && opts.length <= 5);
      const r2 = (await chat(env.app, { bot: 'demo', sessionId: r1.sessionId, text: String(opts[1].n) })).json();
      assert.equal(r2.sessionId, r1.sessionId);
      assert.equal(r2.replies[0].type, 'answer');
      assert.equal(r2.replies[0].entryId, opts[1].entryId);
    });

    test('choosing an option by its text works too', async () => {
      const r1 = (await chat(env.app, { bot: 'demo', text: '卡丢了' })).json();
      const opt = r1.replies[0].options[0];
      const r2 = (await chat(env.app, { bot: 'demo', sessionId: r1.sessionId, text: opt.text })).json();
      assert.equal(r2.replies[0].entryId, opt.entryId);
    });

    test('asking for a person emits a hand-off and records it in the log', async () => {
      const r = (await chat(env.app, { bot: 'demo', text: '我要转人工' })).json();
      assert.equal(r.replies[0].type, 'handoff');
      const conv = (await env.deps.db.query('SELECT status, tenant_id FROM conversations WHERE id = $1', [r.sessionId]))[0];
      assert.equal(conv.status, 'handoff');
      const types = (await env.deps.conversations.events(conv.tenant_id, r.sessionId)).map((e) => e.type);
      // The human service queues it right after (conversation.queued and a notice follow: modules/service).
      assert.deepEqual(types.slice(0, 5), ['conversation.started', 'message.received', 'nlu.understood', 'reply.sent', 'conversation.handoff']);
    });

    test('unintelligible messages fall back with hot questions, and hand off after the configured failures', async () => {
      let sessionId: string | undefined;
      const types: string[] = [];
      for (const text of ['阿斯顿法国红酒快乐', '量子纠缠的原理是什么', '今天晚饭吃什么好呢']) {
        const r = (await chat(env.app, { bot: 'demo', sessionId, text })).json();
        sessionId = r.sessionId;
        types.push(r.replies[0].type);
        if (r.replies[0].type === 'fallback') assert.ok(r.replies[0].options?.length > 0, 'hot questions offered');
      }
      assert.deepEqual(types, ['fallback', 'fallback', 'handoff']);
    });

    test('every turn is stored as events: received, understood with scores, replied', async () => {
      const r = (await chat(env.app, { bot: 'demo', text: '信用卡丢了怎么挂失' })).json();
      const [{ tenant_id }] = await env.deps.db.query('SELECT tenant_id FROM conversations WHERE id = $1', [r.sessionId]);
      const evs = await env.deps.conversations.events(tenant_id, r.sessionId);
      assert.deepEqual(evs.map((e) => e.seq), evs.map((_, i) => i + 1));
      const understood = evs.find((e) => e.type === 'nlu.understood')!;
      assert.equal(understood.payload.decision, 'answer');
      assert.equal(typeof understood.payload.score, 'number');
      assert.equal((evs.find((e) => e.type === 'reply.sent')!.payload.reply as { entryId: string }).entryId, r.replies[0].entryId);
    });

    describe('bad input gets a clear 4xx and stores nothing', () => {
      const cases: [string, () => Promise<{ statusCode: number; body: string }>, number, RegExp][] = [
        ['malformed JSON', () => env.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { 'content-type': 'application/json' }, payload: '{"bot": "demo", "text": ' }), 400, /malformed JSON/],
        ['wrong types', () => chat(env.app, { bot: 'demo', text: 42 }), 400, /text/],
        ['missing bot', () => chat(env.app, { text: 'hi' }), 400, /bot/],
        ['unknown bot', () => chat(env.app, { bot: 'no-such-bot', text: '你好' }), 404, /unknown bot/],
        ['empty message', () => chat(env.app, { bot: 'demo', text: '   ' }), 400, /empty/],
        ['20,000 characters', () => chat(env.app, { bot: 'demo', text: '挂'.repeat(20_000) }), 400, /too long/],
        ['invalid UTF-8', () => env.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"bot":"demo","text":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]) }), 400, /UTF-8/],
        ['oversized body', () => env.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ bot: 'demo', text: 'x'.repeat(2_000_000) }) }), 413, /./],
        ['bad session id', () => chat(env.app, { bot: 'demo', sessionId: '../../etc', text: '你好' }), 400, /sessionId/],
        ['not JSON at all', () => env.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { 'content-type': 'text/plain' }, payload: 'hello' }), 415, /./],
      ];
      for (const [name, send, status, msg] of cases) {
        test(name, async () => {
          const before = await countConversations(env.deps);
          const r = await send();
          assert.equal(r.statusCode, status, r.body);
          const err = JSON.parse(r.body).error;
          assert.ok(err?.code && err?.message, r.body);
          assert.match(err.message, msg);
          assert.equal(await countConversations(env.deps), before, 'nothing stored');
        });
      }
    });

    test('a script tag is kept as plain text, never interpreted', async () => {
      const r = (await chat(env.app, { bot: 'demo', text: '<script>alert(1)</script>' })).json();
      assert.equal(r.replies.length, 1);
      const [{ tenant_id }] = await env.deps.db.query('SELECT tenant_id FROM conversations WHERE id = $1', [r.sessionId]);
      const evs = await env.deps.conversations.events(tenant_id, r.sessionId, { types: ['message.received'] });
      assert.equal(evs[0].payload.text, '<script>alert(1)</script>');
      assert.ok(!JSON.stringify(r.replies).includes('<script>'));
    });

    test('the OpenAPI document describes the chat contract', async () => {
      const doc = (await env.app.inject({ url: '/openapi.json' })).json();
      const op = doc.paths['/api/v1/chat'].post;
      assert.ok(op.requestBody.content['application/json'].schema.properties.text);
      assert.equal((await env.app.inject({ url: '/docs' })).statusCode < 400, true);
      assert.equal((await env.app.inject({ url: '/healthz' })).json().status, 'ok');
    });

    describe('WebSocket', () => {
      let url: string;
      before(async () => {
        await env.app.listen({ port: 0, host: '127.0.0.1' });
        const a = env.app.server.address() as { port: number };
        url = `ws://127.0.0.1:${a.port}/api/v1/ws`;
      });

      /** A tiny client that collects frames and waits for a predicate. */
      function client() {
        const ws = new WebSocket(url);
        const frames: any[] = [];
        const waiters: { pred: (f: any[]) => boolean; resolve: () => void }[] = [];
        ws.on('message', (d) => {
          frames.push(JSON.parse(String(d)));
          for (const w of [...waiters]) if (w.pred(frames)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
        });
        const opened = new Promise((r) => ws.once('open', r));
        return {
          ws, frames, opened,
          send: (m: unknown) => ws.send(JSON.stringify(m)),
          until: (pred: (f: any[]) => boolean, ms = 5000) => pred(frames) ? Promise.resolve() : new Promise<void>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`timeout; frames: ${JSON.stringify(frames).slice(0, 800)}`)), ms);
            waiters.push({ pred, resolve: () => { clearTimeout(t); resolve(); } });
          }),
          close: () => ws.close(),
        };
      }

      test('hello, message, typing and reply; a reconnect replays what was missed; a re-sent message is answered once', async () => {
        const c1 = client();
        await c1.opened;
        c1.send({ type: 'hello', bot: 'demo' });
        await c1.until((f) => f.some((x) => x.type === 'welcome'));
        const sessionId = c1.frames.find((x) => x.type === 'welcome').sessionId;
        c1.send({ type: 'message', clientMsgId: 'm1', text: '信用卡丢了怎么挂失' });
        await c1.until((f) => f.some((x) => x.type === 'reply'));
        assert.ok(c1.frames.some((x) => x.type === 'typing' && x.on === true));
        const echo = c1.frames.find((x) => x.type === 'message');
        const reply = c1.frames.find((x) => x.type === 'reply');
        assert.equal(echo.clientMsgId, 'm1');
        assert.ok(reply.seq > echo.seq);
        c1.close();

        // While disconnected, the session gets another turn (e.g. from another tab over HTTP).
        await chat(env.app, { bot: 'demo', sessionId, text: '你好' });

        const c2 = client();
        await c2.opened;
        c2.send({ type: 'hello', bot: 'demo', sessionId, lastSeq: reply.seq });
        await c2.until((f) => f.filter((x) => x.type === 'reply').length >= 1);
        assert.equal(c2.frames.find((x) => x.type === 'welcome').sessionId, sessionId);
        const replayed = c2.frames.filter((x) => x.type === 'message' || x.type === 'reply');
        assert.ok(replayed.every((x) => x.seq > reply.seq), 'only what was missed');
        assert.equal(replayed.find((x) => x.type === 'message').text, '你好');

        // The client never got an ack for m2 and sends it twice: one answer is stored.
        c2.send({ type: 'message', clientMsgId: 'm2', text: '借记卡年费多少钱' });
        c2.send({ type: 'message', clientMsgId: 'm2', text: '借记卡年费多少钱' });
        await c2.until((f) => f.filter((x) => x.type === 'typing' && x.on === false).length >= 2);
        const [{ tenant_id }] = await env.deps.db.query('SELECT tenant_id FROM conversations WHERE id = $1', [sessionId]);
        const received = await env.deps.conversations.events(tenant_id, sessionId, { types: ['message.received'] });
        assert.equal(received.filter((e) => e.clientMsgId === 'm2').length, 1);
        c2.close();
      });

      test('bad frames get an error frame and the socket stays usable', async () => {
        const c = client();
        await c.opened;
        c.ws.send('{nope');
        c.send({ type: 'message', clientMsgId: 'x', text: 'hi' });
        c.send({ type: 'hello', bot: 'no-such-bot' });
        c.send({ type: 'bogus' });
        await c.until((f) => f.filter((x) => x.type === 'error').length >= 4);
        assert.deepEqual(c.frames.filter((x) => x.type === 'error').map((x) => x.code), ['bad_request', 'bad_request', 'not_found', 'validation_failed']);
        c.send({ type: 'ping' });
        await c.until((f) => f.some((x) => x.type === 'pong'));
        c.close();
      });
    });
  });
}
