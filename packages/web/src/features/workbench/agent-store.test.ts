import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentConversation } from '@lingxi/contracts';
import type { WsLike } from '../../shared/ws-client.ts';
import { AgentStore, type Toast } from './agent-store.ts';

class FakeSocket implements WsLike {
  readyState = 0;
  sent: { type: string; [k: string]: unknown }[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(d: string) {
    this.sent.push(JSON.parse(d));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}

const conv = (id: string, extra: Partial<AgentConversation> = {}): AgentConversation => ({
  id, botId: 'b1', channel: 'web', status: 'agent', group: 'general', customer: { contactId: null, displayName: `访客 ${id}` },
  lastText: null, lastAt: new Date(Date.UTC(2026, 0, 5, 9)).toISOString(), unread: 0, queuedAt: null, assignedAt: null, ...extra,
});

/** A fake REST server: answers by method and path, records the calls. */
function fakeApi(routes: Record<string, (body: unknown) => unknown>) {
  const calls: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = (async (url: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${String(url).split('?')[0]}`;
    calls.push(key);
    const handler = routes[key];
    if (!handler) return new Response(JSON.stringify({ error: { code: 'not_found', message: `no route ${key}` } }), { status: 404 });
    const out = handler(init.body ? JSON.parse(String(init.body)) : undefined);
    return out === undefined ? new Response(null, { status: 204 }) : new Response(JSON.stringify(out), { status: 200 });
  }) as typeof fetch;
  return { calls, restore: () => (globalThis.fetch = original) };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

function setup(routes: Record<string, (body: unknown) => unknown>) {
  const api = fakeApi(routes);
  let socket!: FakeSocket;
  let beeps = 0;
  const toasts: Toast[] = [];
  const store = new AgentStore(() => 'ws://x/api/v1/agent/ws', {
    beep: () => beeps++,
    visible: () => true,
    createSocket: () => (socket = new FakeSocket()),
  });
  store.onToast((t) => toasts.push(t));
  store.start('tok-1');
  socket.open();
  return { store, socket: () => socket, beeps: () => beeps, toasts, api };
}

test('on connect: authenticates in the first frame, then reads its conversations and the queue over REST', async () => {
  const { store, socket, api } = setup({
    'GET /api/v1/agent/conversations': () => ({ items: [conv('c1', { unread: 2 })] }),
    'GET /api/v1/agent/queue': () => ({ items: [conv('q1', { status: 'handoff' })] }),
  });
  try {
    assert.deepEqual(socket().sent[0], { type: 'auth', token: 'tok-1' });
    await tick();
    assert.deepEqual(store.getState().conversations.map((c) => [c.id, c.unread]), [['c1', 2]]);
    assert.deepEqual(store.getState().queue.map((c) => c.id), ['q1']);
    assert.ok(api.calls.includes('GET /api/v1/agent/queue'));
  } finally {
    store.stop();
    api.restore();
  }
});

test('a chat routed to the agent rings and is announced once; one the agent accepted is no news', async () => {
  const { store, socket, beeps, toasts, api } = setup({
    'GET /api/v1/agent/conversations': () => ({ items: [] }),
    'GET /api/v1/agent/queue': () => ({ items: [conv('q1', { status: 'handoff' })] }),
    'POST /api/v1/agent/conversations/q1/accept': () => conv('q1'),
    'GET /api/v1/agent/conversations/q1': () => ({ conversation: conv('q1'), items: [], masked: true }),
    'GET /api/v1/agent/conversations/q1/assist': () => ({ suggestion: null }),
  });
  try {
    await tick();
    socket().frame({ type: 'assigned', conversation: conv('c2') });
    socket().frame({ type: 'assigned', conversation: conv('c2') });
    assert.equal(beeps(), 1);
    assert.equal(toasts.filter((t) => t.kind === 'assigned').length, 1);
    assert.equal(store.getState().selectedId, 'c2', 'with nothing open, the routed chat opens');
    // Accepting: the server's `assigned` frame may come before the HTTP answer.
    const accepted = store.accept('q1');
    socket().frame({ type: 'assigned', conversation: conv('q1') });
    assert.equal(await accepted, true);
    assert.equal(beeps(), 1, 'no ring for a chat the agent picked');
    assert.equal(store.getState().selectedId, 'q1', 'the accepted chat opens');
    await tick();
    assert.equal(store.getState().queue.length, 0);
  } finally {
    store.stop();
    api.restore();
  }
});

test('customer messages count as unread unless the conversation is open on screen; a missed frame is read back', async () => {
  let transcriptReads = 0;
  const { store, socket, api } = setup({
    'GET /api/v1/agent/conversations': () => ({ items: [conv('c1'), conv('c2')] }),
    'GET /api/v1/agent/queue': () => ({ items: [] }),
    'GET /api/v1/agent/conversations/c1': () => {
      transcriptReads++;
      return { conversation: conv('c1'), items: [{ seq: 1, type: 'message.received', kind: 'customer', text: 'hi', at: new Date().toISOString() }], masked: true };
    },
    'GET /api/v1/agent/conversations/c1/assist': () => ({ suggestion: null }),
    'POST /api/v1/agent/conversations/c1/read': () => undefined,
  });
  try {
    await tick();
    store.setShown(true);
    store.select('c1');
    await tick();
    const reads = transcriptReads;
    const at = new Date().toISOString();
    socket().frame({ type: 'event', conversationId: 'c2', seq: 5, kind: 'customer', text: '在吗', at });
    socket().frame({ type: 'event', conversationId: 'c1', seq: 2, kind: 'customer', text: '还在吗', at });
    const unread = Object.fromEntries(store.getState().conversations.map((c) => [c.id, c.unread]));
    assert.deepEqual(unread, { c1: 0, c2: 1 });
    assert.deepEqual(store.getState().transcripts.c1.map((i) => i.text), ['hi', '还在吗']);
    assert.equal(store.getState().conversations[0].id, 'c2', 'newest activity first');
    // seq 3 and 4 never came: the transcript is read again.
    socket().frame({ type: 'event', conversationId: 'c1', seq: 5, kind: 'customer', text: '？', at });
    await tick();
    assert.equal(transcriptReads, reads + 1);
    // Elsewhere in the app, the open conversation counts too.
    store.setShown(false);
    socket().frame({ type: 'event', conversationId: 'c1', seq: 6, kind: 'customer', text: '喂', at });
    assert.equal(store.getState().conversations.find((c) => c.id === 'c1')?.unread, 1);
  } finally {
    store.stop();
    api.restore();
  }
});
