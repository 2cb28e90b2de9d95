import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reply } from '../../contracts/src/chat.ts';
import { ChatConnection, type ConnectionStatus, type HttpResponseLike, type SocketLike } from './connection.ts';
import { createSessionStore, type KeyValueStorage } from './session-store.ts';

/** Manual clock: timers fire only when the test advances time. */
class Clock {
  now = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
}

/** A WebSocket stand-in recording what the client writes; the test plays the server. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({});
  }
  // server side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  welcome(sessionId = 'sess_abcdefgh') {
    this.frame({ type: 'welcome', sessionId, bot: { id: 'b1', name: '示例银行', greeting: '您好', locale: 'zh-CN' } });
  }
  fail() {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
  messagesSent() {
    return this.sent.filter((m) => m.type === 'message');
  }
}

function memoryStorage(): KeyValueStorage & { m: Map<string, string> } {
  const m = new Map<string, string>();
  return { m, getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

function setup(opts: { storage?: KeyValueStorage; fetch?: (url: string, init: { body: string }) => Promise<HttpResponseLike> } = {}) {
  const clock = new Clock();
  const sockets: FakeSocket[] = [];
  const storage = opts.storage ?? memoryStorage();
  const events = {
    mine: [] as { clientMsgId?: string; text: string; seq?: number }[],
    replies: [] as Reply[],
    status: [] as ConnectionStatus[],
    undelivered: [] as string[],
    welcomes: 0,
  };
  let ids = 0;
  const conn = new ChatConnection({
    origin: 'https://cs.bank.test',
    bot: 'demo',
    deps: {
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      fetch: (url, init) => (opts.fetch ? opts.fetch(url, init) : Promise.reject(new Error('offline'))),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      random: () => 0.5,
      newId: () => `c${++ids}`,
      store: createSessionStore(storage, 'k'),
    },
    listener: {
      welcome: () => void events.welcomes++,
      customerMessage: (m) => void events.mine.push(m),
      reply: (r) => void events.replies.push(r.reply),
      status: (s) => void events.status.push(s),
      undelivered: (id) => void events.undelivered.push(id),
    },
  });
  const last = () => sockets[sockets.length - 1];
  /** Lets the backoff timer run just until the client opens its next socket. */
  const nextSocket = () => {
    const before = sockets.length;
    for (let i = 0; sockets.length === before && i < 10_000; i++) clock.advance(10);
    assert.equal(sockets.length, before + 1, 'client reconnected');
  };
  return { clock, sockets, last, conn, events, storage, nextSocket };
}

const reply = (seq: number, text: string) => ({ type: 'reply', seq, reply: { type: 'answer', text }, at: '' });
const echo = (seq: number, clientMsgId: string, text: string) => ({ type: 'message', seq, clientMsgId, text, at: '' });

test('connects to /api/v1/ws and says hello; the session id from welcome is kept for the next hello', () => {
  const { conn, last, nextSocket, storage } = setup();
  conn.start();
  assert.equal(last().url, 'wss://cs.bank.test/api/v1/ws');
  last().open();
  assert.deepEqual(last().sent[0], { type: 'hello', bot: 'demo', lastSeq: 0 });
  last().welcome('sess_first123');
  last().frame(reply(1, 'hi'));
  last().fail();
  nextSocket();
  last().open();
  assert.deepEqual(last().sent[0], { type: 'hello', bot: 'demo', sessionId: 'sess_first123', lastSeq: 1 });
  assert.match(storage.getItem('k') ?? '', /sess_first123/);
});

test('a message sent while disconnected is delivered once after reconnect, with the same clientMsgId', () => {
  const { conn, last, nextSocket, events } = setup();
  conn.start();
  last().open();
  last().welcome();
  last().fail();
  const id = conn.send('卡丢了');
  assert.equal(conn.pending.length, 1);
  nextSocket();
  last().open();
  assert.deepEqual(last().messagesSent(), [], 'nothing before welcome: the session is not bound yet');
  last().welcome();
  assert.deepEqual(last().messagesSent(), [{ type: 'message', clientMsgId: id, text: '卡丢了' }]);
  last().frame(echo(1, id, '卡丢了'));
  last().frame(reply(2, '请问是哪种卡？'));
  assert.equal(conn.pending.length, 0);
  assert.deepEqual(events.mine.map((m) => m.clientMsgId), [id]);
  assert.equal(events.replies.length, 1);
});

test('a message written into a socket that then dies is re-sent (same id) and the replayed frames shown once', () => {
  const { conn, last, nextSocket, events } = setup();
  conn.start();
  last().open();
  last().welcome();
  const id = conn.send('转账限额');
  assert.equal(last().messagesSent().length, 1);
  // The server got it and answered, but the connection died before we saw the frames.
  last().fail();
  nextSocket();
  last().open();
  assert.equal(last().sent[0].lastSeq, 0);
  last().welcome();
  assert.deepEqual(last().messagesSent(), [{ type: 'message', clientMsgId: id, text: '转账限额' }]);
  // Server replays seq 1..2 and, deduplicating the clientMsgId, answers nothing new; a stray duplicate frame too.
  last().frame(echo(1, id, '转账限额'));
  last().frame(reply(2, '单笔限额5万元'));
  last().frame(reply(2, '单笔限额5万元'));
  assert.equal(events.mine.length, 1);
  assert.deepEqual(events.replies.map((r) => r.text), ['单笔限额5万元']);
  assert.equal(conn.pending.length, 0);
});

test('a message the server keeps refusing is given up after a few deliveries instead of re-sent forever', () => {
  const { conn, last, nextSocket, events } = setup();
  conn.start();
  last().open();
  last().welcome();
  const id = conn.send('被拒绝的消息');
  for (let i = 0; i < 4; i++) {
    last().frame({ type: 'error', code: 'validation_failed', message: 'no' });
    last().fail();
    nextSocket();
    last().open();
    last().welcome();
    assert.equal(last().messagesSent().length, 1, `re-sent after reconnect ${i + 1}`);
  }
  last().fail();
  nextSocket();
  last().open();
  last().welcome();
  assert.equal(last().messagesSent().length, 0);
  assert.deepEqual(events.undelivered, [id]);
  assert.equal(conn.pending.length, 0);
});

test('dropSocket goes offline at once, so a send in the same tick waits in the outbox instead of vanishing', () => {
  const { conn, last, nextSocket } = setup();
  conn.start();
  last().open();
  last().welcome();
  const first = last();
  conn.dropSocket();
  conn.send('在吗');
  assert.deepEqual(first.messagesSent(), []);
  assert.equal(conn.status, 'reconnecting');
  nextSocket();
  last().open();
  last().welcome();
  assert.equal(last().messagesSent().length, 1);
});

test('reconnect delays grow with backoff and reset after a successful welcome', () => {
  const { conn, last, clock, sockets } = setup();
  conn.start();
  last().open();
  last().welcome();
  const gaps: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = sockets.length;
    const t0 = clock.now;
    last().fail();
    while (sockets.length === before) clock.advance(10);
    gaps.push(clock.now - t0);
  }
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i] > gaps[i - 1], `growing: ${gaps}`);
  last().open();
  last().welcome();
  const t0 = clock.now;
  const before = sockets.length;
  last().fail();
  while (sockets.length === before) clock.advance(10);
  assert.ok(clock.now - t0 <= gaps[0] + 10, 'back to the first delay');
});

test('a silent connection is detected by the heartbeat and replaced', () => {
  const { conn, last, clock, sockets, nextSocket } = setup();
  conn.start();
  last().open();
  last().welcome();
  clock.advance(25_000);
  assert.deepEqual(last().sent.at(-1), { type: 'ping' });
  last().frame({ type: 'pong' });
  clock.advance(25_000);
  assert.equal(sockets.length, 1, 'pong kept it alive');
  clock.advance(10_000); // ping sent at 25 s of silence, no pong within 10 s
  assert.equal(conn.status, 'reconnecting');
  nextSocket();
});

test('a page reload keeps the session, asks for the whole history, and re-sends unacknowledged messages', () => {
  const storage = memoryStorage();
  const a = setup({ storage });
  a.conn.start();
  a.last().open();
  a.last().welcome('sess_keepme12');
  a.last().frame(echo(1, 'x', '你好'));
  a.last().frame(reply(2, '您好'));
  a.last().fail();
  a.conn.send('还在吗'); // typed while offline, then the page is reloaded
  a.conn.stop();

  const b = setup({ storage });
  assert.deepEqual(b.conn.pending.map((m) => m.text), ['还在吗']);
  b.conn.start();
  b.last().open();
  assert.deepEqual(b.last().sent[0], { type: 'hello', bot: 'demo', sessionId: 'sess_keepme12', lastSeq: 0 });
  b.last().welcome('sess_keepme12');
  assert.equal(b.last().messagesSent().length, 1);
  b.last().frame(echo(1, 'x', '你好'));
  b.last().frame(reply(2, '您好'));
  assert.deepEqual(b.events.mine.map((m) => m.text), ['你好']);
  assert.deepEqual(b.events.replies.map((r) => r.text), ['您好']);
});

test('a new session id from the server (data wiped) restarts seq numbering instead of hiding new frames', () => {
  const { conn, last, nextSocket, events } = setup();
  conn.start();
  last().open();
  last().welcome('sess_old00001');
  for (let s = 1; s <= 4; s++) last().frame(reply(s, `old${s}`));
  last().fail();
  nextSocket();
  last().open();
  last().welcome('sess_new00001');
  last().frame(reply(1, 'new1'));
  assert.equal(events.replies.at(-1)?.text, 'new1');
});

test('when WebSocket never connects, messages go over POST /api/v1/chat in order, keeping the session', async () => {
  const posts: Record<string, unknown>[] = [];
  const { conn, last, clock, events, nextSocket } = setup({
    fetch: async (url, init) => {
      assert.equal(url, 'https://cs.bank.test/api/v1/chat');
      const body = JSON.parse(init.body);
      posts.push(body);
      return {
        ok: true,
        status: 200,
        json: async () => ({ sessionId: 'sess_http0001', replies: [{ type: 'answer', text: `答:${body.text}` }] }),
      };
    },
  });
  conn.start();
  last().fail();
  nextSocket();
  last().fail();
  nextSocket();
  last().open(); // opens but never welcomes: the connect timeout counts it as a failure too
  clock.advance(8_000);
  assert.equal(conn.status, 'http');
  conn.send('一');
  conn.send('二');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(posts, [
    { bot: 'demo', text: '一' },
    { bot: 'demo', text: '二', sessionId: 'sess_http0001' },
  ]);
  assert.deepEqual(events.replies.map((r) => r.text), ['答:一', '答:二']);
  assert.equal(conn.pending.length, 0);
});

test('HTTP fallback retries a failed POST later and drops a message the server rejects', async () => {
  let calls = 0;
  const errors: string[] = [];
  const clock = new Clock();
  let socket: FakeSocket | undefined;
  const conn = new ChatConnection({
    origin: 'http://localhost:3000',
    bot: 'demo',
    wsAttemptsBeforeHttp: 1,
    deps: {
      createSocket: (url) => (socket = new FakeSocket(url)),
      fetch: async (_url, init) => {
        calls++;
        if (calls === 1) throw new Error('network down');
        if (JSON.parse(init.body).text === 'bad') return { ok: false, status: 400, json: async () => ({}) };
        return { ok: true, status: 200, json: async () => ({ sessionId: 'sess_http0001', replies: [] }) };
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      random: () => 0.5,
      newId: () => String(Math.random()),
      store: createSessionStore(undefined, 'k'),
    },
    listener: { error: (code) => void errors.push(code) },
  });
  conn.start();
  assert.equal(socket?.url, 'ws://localhost:3000/api/v1/ws');
  socket?.fail();
  conn.send('bad');
  conn.send('good');
  await new Promise((r) => setImmediate(r));
  assert.equal(conn.pending.length, 2, 'kept after a network error');
  clock.advance(1_000);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(conn.pending.length, 0);
  assert.deepEqual(errors, ['http_400']);
});

test('queue and status frames reach the service listener; leave-message goes over the socket only when it is up', () => {
  const service: unknown[] = [];
  const clock = new Clock();
  let socket: FakeSocket | undefined;
  const conn = new ChatConnection({
    origin: 'https://cs.bank.test',
    bot: 'demo',
    deps: {
      createSocket: (url) => (socket = new FakeSocket(url)),
      fetch: () => Promise.reject(new Error('offline')),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      random: () => 0.5,
      newId: () => 'c1',
      store: createSessionStore(undefined, 'k'),
    },
    listener: { service: (f) => void service.push(f) },
  });
  assert.equal(conn.leaveMessage('请回电', '13800000000'), false, 'no socket yet');
  conn.start();
  socket!.open();
  socket!.welcome();
  socket!.frame({ type: 'queue', position: 3, etaSeconds: 120, group: 'cards' });
  socket!.frame({ type: 'status', status: 'agent', agentName: '客服小王' });
  assert.deepEqual(service, [
    { type: 'queue', position: 3, etaSeconds: 120, group: 'cards' },
    { type: 'status', status: 'agent', agentName: '客服小王' },
  ]);
  assert.equal(conn.leaveMessage('请回电', ''), true);
  assert.deepEqual(socket!.sent.at(-1), { type: 'leave-message', text: '请回电' });
});

test('a rating is posted to /api/v1/chat/rating with the session; an answered card is remembered across reloads', async () => {
  const posts: { url: string; body: Record<string, unknown> }[] = [];
  let status = 200;
  const storage = memoryStorage();
  const { conn, last } = setup({
    storage,
    fetch: async (url, init) => {
      posts.push({ url, body: JSON.parse(init.body) });
      return { ok: status === 200, status, json: async () => ({}) };
    },
  });
  conn.start();
  last().open();
  last().welcome('sess_rated001');
  await conn.rate(5, '很好', 12);
  assert.deepEqual(posts, [{ url: 'https://cs.bank.test/api/v1/chat/rating', body: { bot: 'demo', sessionId: 'sess_rated001', score: 5, comment: '很好' } }]);
  assert.equal(conn.rated, 12);
  status = 429;
  await assert.rejects(conn.rate(4, '', 20), /http_429/);
  assert.equal(conn.rated, 12, 'a refused rating is not remembered');
  assert.deepEqual(posts[1].body, { bot: 'demo', sessionId: 'sess_rated001', score: 4 }, 'an empty comment is left out');
  // After a reload the same session remembers which card was answered.
  const again = setup({ storage }).conn;
  assert.equal(again.rated, 12);
});
