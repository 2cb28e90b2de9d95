import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCoreApp, type CoreApp } from '../../../../demo-core/src/app.ts';
import { freePort } from '../../testing/ports.ts';
import type { Clock } from '../../platform/clock.ts';
import { createConnector } from './http-connector.ts';
import { demoCoreConnector } from './demo-core-connector.ts';
import type { ConnectorDefinitionInput } from './connector-definition.ts';

// Against the real demo core over real HTTP (a TCP port, Node's fetch), as a bank's system would be reached.
const KEY = 'integration-key-1';
const SECRET = 'integration-hmac-secret';
let core: CoreApp;
let baseUrl: string;
let phone: string;

before(async () => {
  core = await buildCoreApp({ apiKey: KEY, hmacSecret: SECRET, faults: true, data: { today: '2025-03-15' } });
  const port = await freePort();
  await core.listen({ port, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${port}`;
  phone = core.coreStore.data.customers[0].mobile;
});
after(async () => {
  await core.close();
});

const setFaults = async (f: Record<string, unknown>) => {
  const r = await fetch(`${baseUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
  assert.equal(r.status, 200);
};

/** fetch that counts the requests it sends (to the business API, not the fault switch). */
function countingFetch() {
  const f = Object.assign(async (input: string | URL | Request, init?: RequestInit) => {
    f.count++;
    return fetch(input, init);
  }, { count: 0 });
  return f;
}

function manualClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

test('demo core connector: customer, accounts, balance and transactions map into flow variables', async () => {
  await setFaults({});
  const c = createConnector(demoCoreConnector(baseUrl, KEY));
  const who = await c.call('customerByPhone', { phone });
  assert.ok(who.ok, JSON.stringify(who));
  assert.equal(who.vars.customerId, 'C0001');
  const acc = await c.call('accounts', { customerId: who.vars.customerId });
  assert.ok(acc.ok);
  assert.equal(acc.vars.accountId, 'A00001');
  const bal = await c.call('balance', { accountId: acc.vars.accountId });
  assert.ok(bal.ok);
  assert.equal(bal.vars.balance, core.coreStore.data.accounts[0].balanceCents / 100);
  assert.equal(bal.vars.currency, 'CNY');
  const tx = await c.call('transactions', { accountId: 'A00001', from: '2025-02-01', to: '2025-02-28' });
  assert.ok(tx.ok);
  assert.equal(tx.vars.periodFrom, '2025-02-01');
  const items = tx.vars.transactions as { description: string; time: string }[];
  assert.equal(items.length, tx.vars.transactionCount);
  assert.ok(items.some((t) => t.description === '工资' && t.time.startsWith('2025-02-10')));
  for (const op of ['creditCardBill', 'wealth', 'loans']) {
    const r = await c.call(op, { customerId: 'C0001' });
    assert.ok(r.ok, `${op}: ${JSON.stringify(r)}`);
  }
  // A value with characters that must be escaped stays inside its path segment (no path traversal).
  const odd = await c.call('balance', { accountId: '../customers/C0001/wealth' });
  assert.equal(odd.ok, false);
  assert.equal(!odd.ok && odd.status, 400);
  // A missing variable sends nothing and is the caller's error, not an outage.
  const missing = await c.call('transactions', { accountId: 'A00001', from: '2025-02-01' });
  assert.deepEqual(missing.ok ? null : [missing.error, missing.message], ['invalid_request', 'variable {to} has no value']);
  assert.equal((await c.call('nope', {})).ok, false);
});

test('auth: header and HMAC signing are accepted; a wrong key is http_error 401', async () => {
  await setFaults({});
  const def = demoCoreConnector(baseUrl, KEY);
  const hmac = createConnector({ ...def, auth: { type: 'hmac', secret: SECRET, header: 'X-Signature', timestampHeader: 'X-Timestamp' } });
  const r = await hmac.call('balance', { accountId: 'A00001' });
  assert.ok(r.ok, JSON.stringify(r));
  // A signed POST (the signature covers the body) with an idempotency key.
  const card = core.coreStore.data.creditCards[1].cardNo;
  const owner = core.coreStore.data.creditCards[1].customerId;
  const loss = await hmac.call('reportLoss', { cardNo: card, customerId: owner, requestId: 'flow-req-000001' });
  assert.ok(loss.ok, JSON.stringify(loss));
  assert.match(String(loss.vars.caseNo), /^GS\d{13}$/);
  assert.equal(core.coreStore.cardStatus(card), 'lost');
  const replay = await hmac.call('reportLoss', { cardNo: card, customerId: owner, requestId: 'flow-req-000001' });
  assert.ok(replay.ok);
  assert.equal(replay.vars.caseNo, loss.vars.caseNo);

  const wrongSecret = createConnector({ ...def, auth: { type: 'hmac', secret: 'not-the-secret' } });
  const ws = await wrongSecret.call('balance', { accountId: 'A00001' });
  assert.deepEqual(ws.ok ? null : [ws.error, ws.status], ['http_error', 401]);

  const f = countingFetch();
  const wrong = createConnector(demoCoreConnector(baseUrl, 'wrong-key'), { fetch: f });
  const w = await wrong.call('balance', { accountId: 'A00001' });
  assert.equal(w.ok, false);
  assert.equal(!w.ok && w.error, 'http_error');
  assert.equal(!w.ok && w.status, 401);
  assert.equal(f.count, 1, 'a 401 is not retried');
  // 4xx is the remote system working: many of them do not open the circuit.
  for (let i = 0; i < 8; i++) await wrong.call('balance', { accountId: 'A00001' });
  assert.equal(wrong.circuitState(), 'closed');
});

test('a 30 s latency fault gives timeout within timeoutMs', async () => {
  await setFaults({ latencyMs: 30_000 });
  try {
    const c = createConnector({ ...demoCoreConnector(baseUrl, KEY), timeoutMs: 400 });
    const t0 = Date.now();
    const r = await c.call('balance', { accountId: 'A00001' });
    const ms = Date.now() - t0;
    assert.deepEqual(r.ok ? null : r.error, 'timeout');
    assert.ok(ms >= 380 && ms < 1000, `took ${ms} ms`);
  } finally {
    await setFaults({});
  }
});

test('a malformed body is bad_response; a missing mapped path too', async () => {
  await setFaults({ malformed: true });
  try {
    const r = await createConnector(demoCoreConnector(baseUrl, KEY)).call('balance', { accountId: 'A00001' });
    assert.deepEqual(r.ok ? null : [r.error, r.status], ['bad_response', 200]);
  } finally {
    await setFaults({});
  }
  const def = demoCoreConnector(baseUrl, KEY);
  const c = createConnector({ ...def, operations: { balance: { method: 'GET', path: '/accounts/{accountId}/balance', map: { x: 'data.balance' } } } });
  const r = await c.call('balance', { accountId: 'A00001' });
  assert.equal(!r.ok && r.error, 'bad_response');
  assert.match(!r.ok ? r.message : '', /data\.balance/);
});

test('repeated failures open the circuit (nothing sent while open); a half-open probe closes it', async () => {
  const clock = manualClock();
  const f = countingFetch();
  const def: ConnectorDefinitionInput = {
    ...demoCoreConnector(baseUrl, KEY), retries: { max: 0 }, circuitBreaker: { failureThreshold: 3, openMs: 10_000 },
  };
  const c = createConnector(def, { fetch: f, clock });
  await setFaults({ failRate: 1 });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await c.call('balance', { accountId: 'A00001' });
      assert.deepEqual(r.ok ? null : [r.error, r.status], ['unavailable', 503]);
    }
    assert.equal(c.circuitState(), 'open');
    assert.equal(f.count, 3);
    const blocked = await c.call('balance', { accountId: 'A00001' });
    assert.equal(!blocked.ok && blocked.error, 'circuit_open');
    clock.advance(9_000);
    assert.equal(!(await c.call('balance', { accountId: 'A00001' })).ok, true);
    assert.equal(f.count, 3, 'no request while open');

    // Half-open probe that fails: open again for another openMs.
    clock.advance(1_500);
    assert.equal(c.circuitState(), 'half_open');
    assert.equal((await c.call('balance', { accountId: 'A00001' })).ok, false);
    assert.equal(f.count, 4);
    assert.equal(c.circuitState(), 'open');
    assert.equal((await c.call('balance', { accountId: 'A00001' }) as { error?: string }).error, 'circuit_open');
    assert.equal(f.count, 4);
  } finally {
    await setFaults({});
  }
  // The system is back: the next probe after openMs succeeds and closes the circuit.
  clock.advance(10_000);
  const probe = await c.call('balance', { accountId: 'A00001' });
  assert.ok(probe.ok, JSON.stringify(probe));
  assert.equal(c.circuitState(), 'closed');
  assert.ok((await c.call('balance', { accountId: 'A00001' })).ok);
  assert.equal(f.count, 6);
});

test('retries on 503 with backoff, then succeeds; non-idempotent POSTs are not retried', async () => {
  const f = countingFetch();
  const c = createConnector({ ...demoCoreConnector(baseUrl, KEY), retries: { max: 3, baseDelayMs: 20 } }, { fetch: f });
  await setFaults({ failNext: 2 });
  const r = await c.call('balance', { accountId: 'A00001' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(f.count, 3);

  // Retries exhausted: unavailable with the last status.
  await setFaults({ failNext: 10 });
  f.count = 0;
  const r2 = await c.call('balance', { accountId: 'A00001' });
  assert.deepEqual(r2.ok ? null : [r2.error, r2.status], ['unavailable', 503]);
  assert.equal(f.count, 4);

  // A POST without an idempotency key is sent once.
  await setFaults({ failNext: 1 });
  f.count = 0;
  const def = demoCoreConnector(baseUrl, KEY);
  const noKey = createConnector({ ...def, operations: { reportLoss: { ...def.operations.reportLoss, idempotencyKey: undefined, body: { customerId: '{customerId}', requestId: '{requestId}' } } } }, { fetch: f });
  const card = core.coreStore.data.accounts[0].cardNo;
  const p = await noKey.call('reportLoss', { cardNo: card, customerId: 'C0001', requestId: 'no-retry-00001' });
  assert.deepEqual(p.ok ? null : [p.error, p.status], ['unavailable', 503]);
  assert.equal(f.count, 1);
  assert.equal(core.coreStore.cardStatus(card), 'normal');

  // With an idempotency key it is retried, and the retry files exactly one case.
  await setFaults({ failNext: 1 });
  f.count = 0;
  const withKey = createConnector({ ...def, retries: { max: 2, baseDelayMs: 10 } }, { fetch: f });
  const q = await withKey.call('reportLoss', { cardNo: card, customerId: 'C0001', requestId: 'retry-000000001' });
  assert.ok(q.ok, JSON.stringify(q));
  assert.equal(f.count, 2);
  assert.equal(core.coreStore.cardStatus(card), 'lost');
  await setFaults({});
});

test('an unreachable system is unavailable, not an exception', async () => {
  const port = await freePort();
  const c = createConnector({ ...demoCoreConnector(`http://127.0.0.1:${port}`, KEY), retries: { max: 1, baseDelayMs: 10 } });
  const r = await c.call('balance', { accountId: 'A00001' });
  assert.equal(!r.ok && r.error, 'unavailable');
});
