import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconnectingSocket, type WsLike } from './ws-client.ts';

class FakeSocket implements WsLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  receive(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}

/** Manual clock: timers run when the test advances time. */
function clock() {
  let now = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  return {
    now: () => now,
    setTimeout: ((fn: () => void, ms: number) => (timers.set(++id, { at: now + ms, fn }), id)) as unknown as typeof setTimeout,
    clearTimeout: ((h: number) => timers.delete(h)) as unknown as typeof clearTimeout,
    setInterval: ((fn: () => void, ms: number) => (timers.set(++id, { at: now + ms, fn, every: ms }), id)) as unknown as typeof setInterval,
    clearInterval: ((h: number) => timers.delete(h)) as unknown as typeof clearInterval,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        const [h, t] = next;
        now = t.at;
        if (t.every) t.at += t.every;
        else timers.delete(h);
        t.fn();
      }
      now = end;
    },
  };
}

function setup() {
  FakeSocket.all = [];
  const c = clock();
  const opens: boolean[] = [];
  const got: unknown[] = [];
  const statuses: string[] = [];
  const s = new ReconnectingSocket<{ type: string }, { type: string; token?: string }>({
    url: () => 'ws://x/api/v1/agent/ws',
    createSocket: (u) => new FakeSocket(u),
    onOpen: (send, info) => {
      opens.push(info.reconnect);
      send({ type: 'auth', token: 't' });
    },
    onMessage: (m) => got.push(m),
    onStatus: (st) => statuses.push(st),
    heartbeat: () => ({ type: 'ping' }),
    heartbeatMs: 1000,
    silenceMs: 2500,
    random: () => 0.5,
    timers: c,
  });
  return { s, c, opens, got, statuses };
}

test('authenticates on every (re)connect and reconnects after a drop with growing, capped delays', () => {
  const { s, c, opens, statuses } = setup();
  s.start();
  FakeSocket.all[0].open();
  assert.deepEqual(FakeSocket.all[0].sent.map((x) => JSON.parse(x).type), ['auth']);
  FakeSocket.all[0].drop();
  assert.equal(s.status, 'reconnecting');
  // attempt 0: 250..500 ms (random 0.5 → 375); nothing before that
  c.advance(300);
  assert.equal(FakeSocket.all.length, 1);
  c.advance(100);
  assert.equal(FakeSocket.all.length, 2);
  FakeSocket.all[1].drop(); // still failing: the next wait is longer (attempt 1 → 750 ms)
  c.advance(700);
  assert.equal(FakeSocket.all.length, 2);
  c.advance(100);
  assert.equal(FakeSocket.all.length, 3);
  FakeSocket.all[2].open();
  assert.deepEqual(opens, [false, true]);
  assert.deepEqual(statuses, ['connecting', 'open', 'reconnecting', 'open']);
  s.stop();
});

test('a silent connection is treated as dead and replaced; a stopped socket stays closed', () => {
  const { s, c, got } = setup();
  s.start();
  FakeSocket.all[0].open();
  FakeSocket.all[0].receive({ type: 'welcome' });
  assert.deepEqual(got, [{ type: 'welcome' }]);
  c.advance(1000);
  assert.ok(FakeSocket.all[0].sent.some((x) => JSON.parse(x).type === 'ping'));
  c.advance(2000); // 3 s without a frame > 2.5 s
  assert.equal(FakeSocket.all.length, 2, 'reconnected');
  s.stop();
  FakeSocket.all[1].drop();
  c.advance(60_000);
  assert.equal(FakeSocket.all.length, 2, 'no reconnect after stop');
  assert.equal(s.send({ type: 'x' }), false);
});
