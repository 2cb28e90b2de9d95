import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionStore, sessionKey } from './session-store.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

test('state survives a "reload" (a new store over the same storage), per origin and bot', () => {
  const storage = memoryStorage();
  const a = createSessionStore(storage, sessionKey('https://x.test', 'demo'));
  a.save({ sessionId: 'sess_12345678', lastSeq: 7, outbox: [{ clientMsgId: 'c1', text: '你好' }], rated: 5 });
  const again = createSessionStore(storage, sessionKey('https://x.test', 'demo')).load();
  assert.deepEqual(again, { sessionId: 'sess_12345678', lastSeq: 7, outbox: [{ clientMsgId: 'c1', text: '你好', tries: 0 }], rated: 5 });
  assert.deepEqual(createSessionStore(storage, sessionKey('https://x.test', 'hr')).load(), { lastSeq: 0, outbox: [] });
});

test('corrupt or hostile stored values are ignored, not trusted', () => {
  const storage = memoryStorage();
  const key = sessionKey('https://x.test', 'demo');
  storage.setItem(key, '{not json');
  assert.deepEqual(createSessionStore(storage, key).load(), { lastSeq: 0, outbox: [] });
  storage.setItem(key, JSON.stringify({ sessionId: '../../etc', lastSeq: -3, outbox: [{ clientMsgId: 5 }, null], rated: '9' }));
  assert.deepEqual(createSessionStore(storage, key).load(), { sessionId: undefined, lastSeq: 0, outbox: [], rated: undefined });
});

test('storage that throws (private mode, quota) degrades to memory', () => {
  const broken = {
    getItem: () => { throw new Error('SecurityError'); },
    setItem: () => { throw new Error('QuotaExceededError'); },
    removeItem: () => { throw new Error('SecurityError'); },
  };
  const s = createSessionStore(broken, 'k');
  s.save({ sessionId: 'sess_12345678', lastSeq: 2, outbox: [] });
  assert.equal(s.load().sessionId, 'sess_12345678');
  s.clear();
  assert.equal(s.load().sessionId, undefined);
  assert.equal(createSessionStore(undefined, 'k').load().lastSeq, 0);
});
