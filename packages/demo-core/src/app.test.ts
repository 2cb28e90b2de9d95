import { test } from 'node:test';
import assert from 'node:assert/strict';
// Independent validators from the platform (the ones PII masking uses), not the generator's own helpers.
import { idNumberValid, luhnValid } from '../../server/src/platform/pii.ts';
import { buildCoreApp, signRequest } from './app.ts';
import { DEMO_CUSTOMERS, generateCoreData } from './data.ts';

const TODAY = '2025-03-15';
const KEY = 'test-key-123';
const SECRET = 'hmac-secret-xyz';
const NOW = new Date('2025-03-15T04:00:00Z');
const h = { 'x-api-key': KEY };

async function core(extra: Parameters<typeof buildCoreApp>[0] = {}) {
  return buildCoreApp({ apiKey: KEY, hmacSecret: SECRET, data: { today: TODAY }, now: () => NOW, ...extra });
}

test('generated data is valid, realistic and deterministic', () => {
  const d = generateCoreData({ today: TODAY });
  assert.deepEqual(generateCoreData({ today: TODAY }), d, 'same seed and day give the same bank');
  assert.notDeepEqual(generateCoreData({ today: TODAY, seed: 7 }).customers, d.customers);
  assert.equal(d.customers.length, 20);
  assert.equal(new Set(d.customers.map((c) => c.mobile)).size, 20);
  for (const c of d.customers) {
    assert.match(c.name, /^[\u4e00-\u9fa5]{2,3}$/);
    assert.match(c.mobile, /^1[3-9]\d{9}$/);
    assert.ok(idNumberValid(c.idNumber), `ID ${c.idNumber} has a valid checksum`);
    assert.equal(c.idNumber.slice(6, 14), c.birthDate.replaceAll('-', ''));
    assert.equal(Number(c.idNumber[16]) % 2 === 1, c.gender === 'male');
  }
  for (const card of d.cards) {
    assert.match(card.cardNo, /^622\d{13,16}$/);
    assert.ok(luhnValid(card.cardNo), `card ${card.cardNo} passes Luhn`);
  }
  assert.ok(d.cards.some((c) => c.kind === 'credit') && d.cards.some((c) => c.status === 'frozen'));
  // Six months of transactions: a salary on the 10th of each month, never a negative balance.
  const a1 = d.transactions.filter((t) => t.accountId === 'A00001');
  const salaries = a1.filter((t) => t.type === 'salary');
  assert.equal(salaries.length, 6);
  for (const s of salaries) assert.ok(s.date.endsWith('-10') && s.description === '工资' && s.amountCents > 0);
  assert.ok(a1.every((t) => t.date > '2024-09-15' && t.date <= TODAY));
  for (const type of ['transfer_out', 'card_spend', 'utility'] as const) assert.ok(a1.some((t) => t.type === type), type);
  assert.ok(d.transactions.every((t) => t.balanceAfterCents >= 0 && t.counterparty.length > 0));
  // The running balance is consistent and ends at the account balance.
  for (let i = 1; i < a1.length; i++) assert.equal(a1[i].balanceAfterCents, a1[i - 1].balanceAfterCents + a1[i].amountCents);
  assert.equal(a1[a1.length - 1].balanceAfterCents, d.accounts[0].balanceCents);
  // Loan schedules repay the principal exactly.
  for (const l of d.loans) {
    assert.equal(l.schedule.reduce((s, i) => s + i.principalCents, 0), l.principalCents);
    assert.equal(l.schedule[l.schedule.length - 1].remainingPrincipalCents, 0);
  }
});

test('the documented demo customers: fixed mobiles, C0001 with every product, C0002 with two debit cards only', () => {
  for (const seed of [undefined, 7, 99]) {
    const d = generateCoreData({ today: TODAY, seed, customers: 60 });
    const [c1, c2] = d.customers;
    assert.deepEqual([c1.id, c1.mobile, c2.id, c2.mobile], ['C0001', '13800138000', 'C0002', '13900139000']);
    assert.deepEqual(DEMO_CUSTOMERS.map((c) => [c.id, c.mobile]), [['C0001', '13800138000'], ['C0002', '13900139000']]);
    assert.equal(new Set(d.customers.map((c) => c.mobile)).size, d.customers.length, 'nobody else gets a demo mobile');
    const of = <T extends { customerId: string }>(xs: T[], id: string) => xs.filter((x) => x.customerId === id);
    assert.equal(of(d.accounts, 'C0001').length, 1);
    assert.equal(of(d.creditCards, 'C0001').length, 1);
    assert.ok(of(d.creditCards, 'C0001')[0].bill.items.length > 0 && of(d.creditCards, 'C0001')[0].bill.paidCents === 0);
    assert.equal(of(d.wealth, 'C0001').length, 3);
    assert.deepEqual(of(d.loans, 'C0001').map((l) => l.type), ['mortgage', 'consumer']);
    assert.ok(of(d.cards, 'C0001').every((c) => c.status === 'normal'));
    assert.equal(of(d.accounts, 'C0002').length, 2);
    assert.deepEqual([of(d.creditCards, 'C0002').length, of(d.wealth, 'C0002').length, of(d.loans, 'C0002').length], [0, 0, 0]);
    assert.ok(of(d.cards, 'C0002').every((c) => c.status === 'normal' && c.kind === 'debit'));
    const [a, b] = of(d.accounts, 'C0002');
    assert.notEqual(a.cardNo.slice(-4), b.cardNo.slice(-4), 'the two cards are told apart by their last four digits');
  }
  // A small bank still has C0001 with its fixed mobile.
  assert.equal(generateCoreData({ today: TODAY, customers: 1 }).customers[0].mobile, '13800138000');
});

test('customer by phone, accounts, balance', async () => {
  const app = await core();
  const c = app.coreStore.data.customers[0];
  const r = await app.inject({ method: 'POST', url: '/customers/lookup', payload: { phone: c.mobile }, headers: h });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), c);
  assert.equal((await app.inject({ method: 'POST', url: '/customers/lookup', payload: { phone: `+86${c.mobile}` }, headers: h })).json().id, c.id);
  assert.equal((await app.inject({ method: 'POST', url: '/customers/lookup', payload: { phone: '13000000000' }, headers: h })).statusCode, 404);
  const bad = await app.inject({ method: 'POST', url: '/customers/lookup', payload: { phone: '12345' }, headers: h });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /mobile/);

  const acc = (await app.inject({ url: `/customers/${c.id}/accounts`, headers: h })).json();
  assert.equal(acc.items[0].id, 'A00001');
  assert.equal(acc.count, 1);
  assert.ok(luhnValid(acc.items[0].cardNo));
  assert.equal((await app.inject({ method: 'POST', url: '/customers/lookup', payload: { phone: '13800138000' }, headers: h })).json().id, 'C0001');
  // One of several cards, named by its last four digits; a card the customer does not have is a 404.
  const two = (await app.inject({ url: '/customers/C0002/accounts', headers: h })).json();
  assert.equal(two.count, 2);
  const last4 = two.items[1].cardNo.slice(-4);
  const one = (await app.inject({ url: `/customers/C0002/accounts?cardLast4=${last4}`, headers: h })).json();
  assert.deepEqual([one.count, one.items[0].id], [1, two.items[1].id]);
  const other = acc.items[0].cardNo.slice(-4);
  const none = await app.inject({ url: `/customers/C0002/accounts?cardLast4=${other === last4 ? '0000' : other}`, headers: h });
  assert.deepEqual([none.statusCode, none.json().error.code], [404, 'account_not_found']);
  assert.equal((await app.inject({ url: '/customers/C0002/accounts?cardLast4=12', headers: h })).statusCode, 400);
  const bal = await app.inject({ url: '/accounts/A00001/balance', headers: h });
  assert.equal(bal.statusCode, 200);
  assert.equal(bal.json().balance, app.coreStore.data.accounts[0].balanceCents / 100);
  assert.equal(bal.json().currency, 'CNY');
  assert.equal((await app.inject({ url: '/accounts/A99999/balance', headers: h })).json().error.code, 'account_not_found');
  assert.equal((await app.inject({ url: '/customers/C9999/accounts', headers: h })).statusCode, 404);
  assert.equal((await app.inject({ url: '/customers/x/accounts', headers: h })).statusCode, 400);
  await app.close();
});

test('transactions for a period, with totals; bad periods are 400', async () => {
  const app = await core();
  const r = (await app.inject({ url: '/accounts/A00001/transactions?from=2025-02-01&to=2025-02-28', headers: h })).json();
  assert.ok(r.items.length > 5);
  assert.ok(r.items.every((t: { time: string }) => t.time >= '2025-02-01' && t.time < '2025-03-01'));
  assert.ok(r.items.some((t: { type: string; description: string }) => t.type === 'salary' && t.description === '工资'));
  const income = r.items.filter((t: { amount: number }) => t.amount > 0).reduce((s: number, t: { amount: number }) => s + t.amount, 0);
  assert.ok(Math.abs(income - r.totalIn) < 0.01);
  const desc = (await app.inject({ url: '/accounts/A00001/transactions?from=2025-02-01&to=2025-02-28&order=desc', headers: h })).json();
  assert.deepEqual(desc.items, [...r.items].reverse(), 'order=desc: newest first');
  assert.equal(desc.total, r.total);
  const dflt = (await app.inject({ url: '/accounts/A00001/transactions', headers: h })).json();
  assert.equal(dflt.to, TODAY);
  assert.equal(dflt.from, '2025-02-13');
  for (const q of ['order=newest', 'from=2025-03-01&to=2025-02-01', 'from=2023-01-01&to=2025-01-01', 'from=2025-02-30', 'from=yesterday', 'sort=asc']) {
    const bad = await app.inject({ url: `/accounts/A00001/transactions?${q}`, headers: h });
    assert.equal(bad.statusCode, 400, q);
    assert.ok(bad.json().error.message, q);
  }
  await app.close();
});

test('credit-card bill, wealth holdings, loans with schedule', async () => {
  const app = await core();
  const bill = (await app.inject({ url: '/customers/C0001/credit-cards/bill', headers: h })).json();
  assert.equal(bill.bill.periodStart, '2025-02-01');
  assert.equal(bill.bill.periodEnd, '2025-02-28');
  assert.equal(bill.bill.dueDate, '2025-03-20');
  assert.ok(Math.abs(bill.bill.minimumPayment - bill.bill.statementBalance * 0.1) < 0.01);
  assert.ok(luhnValid(bill.cardNo));
  const noCard = app.coreStore.data.customers.find((c) => !app.coreStore.data.creditCards.some((cc) => cc.customerId === c.id));
  if (noCard) assert.equal((await app.inject({ url: `/customers/${noCard.id}/credit-cards/bill`, headers: h })).json().error.code, 'no_credit_card');

  const w = (await app.inject({ url: '/customers/C0001/wealth', headers: h })).json();
  assert.equal(w.items.length, 3);
  assert.equal(w.count, 3);
  assert.deepEqual((await app.inject({ url: '/customers/C0002/wealth', headers: h })).json().items, []);
  assert.deepEqual((await app.inject({ url: '/customers/C0002/loans', headers: h })).json(), { customerId: 'C0002', count: 0, items: [] });
  for (const x of w.items) assert.ok(x.productName && x.principal > 0 && x.yieldToDate > 0 && x.annualizedRate > 1 && x.annualizedRate < 5);
  assert.ok(Math.abs(w.totalYield - w.items.reduce((s: number, x: { yieldToDate: number }) => s + x.yieldToDate, 0)) < 0.01);

  const loans = (await app.inject({ url: '/customers/C0001/loans?periods=3', headers: h })).json();
  assert.deepEqual(loans.items.map((l: { type: string }) => l.type).sort(), ['consumer', 'mortgage']);
  assert.equal(loans.count, 2);
  assert.deepEqual(loans.items.map((l: { typeNameEn: string }) => l.typeNameEn).sort(), ['Consumer loan', 'Mortgage']);
  for (const l of loans.items) {
    assert.equal(l.schedule.length, 3);
    assert.equal(l.schedule[0].status, 'due');
    assert.ok(l.nextPayment.dueDate >= TODAY);
    assert.equal(l.paidPeriods + l.remainingPeriods, l.termMonths);
    assert.ok(Math.abs(l.schedule[0].payment - l.schedule[0].principal - l.schedule[0].interest) < 0.01);
  }
  assert.equal((await app.inject({ url: '/customers/C0001/loans?periods=0', headers: h })).statusCode, 400);
  await app.close();
});

test('authentication: API key, HMAC signature, refusals', async () => {
  const app = await core();
  const url = '/accounts/A00001/balance';
  assert.equal((await app.inject({ url })).statusCode, 401);
  assert.equal((await app.inject({ url, headers: { 'x-api-key': 'wrong' } })).statusCode, 401);
  assert.equal((await app.inject({ url, headers: { 'x-api-key': KEY.slice(0, -1) } })).statusCode, 401);
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'health needs no credentials');
  // Unauthenticated callers get 401 before any validation detail.
  assert.equal((await app.inject({ method: 'POST', url: '/customers/lookup', payload: { phone: '1' } })).statusCode, 401);

  const ts = String(Math.floor(NOW.getTime() / 1000));
  const sig = (t: string, method: string, path: string, body: string) => signRequest(SECRET, t, method, path, body);
  assert.equal((await app.inject({ url, headers: { 'x-timestamp': ts, 'x-signature': sig(ts, 'GET', url, '') } })).statusCode, 200);
  assert.equal((await app.inject({ url, headers: { 'x-timestamp': ts, 'x-signature': sig(ts, 'GET', '/accounts/A00002/balance', '') } })).statusCode, 401);
  const old = String(Number(ts) - 301);
  const stale = await app.inject({ url, headers: { 'x-timestamp': old, 'x-signature': sig(old, 'GET', url, '') } });
  assert.equal(stale.statusCode, 401);
  assert.equal(stale.json().error.code, 'stale_timestamp');
  const near = String(Number(ts) - 299);
  assert.equal((await app.inject({ url, headers: { 'x-timestamp': near, 'x-signature': sig(near, 'GET', url, '') } })).statusCode, 200);

  // The signature covers the exact body bytes.
  const card = app.coreStore.data.accounts[0].cardNo;
  const path = `/cards/${card}/report-loss`;
  const body = JSON.stringify({ customerId: 'C0001', requestId: 'req-sig-0001' });
  const tampered = JSON.stringify({ customerId: 'C0002', requestId: 'req-sig-0001' });
  const ok = { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': sig(ts, 'POST', path, body) };
  assert.equal((await app.inject({ method: 'POST', url: path, headers: ok, payload: tampered })).statusCode, 401);
  assert.equal(app.coreStore.cardStatus(card), 'normal');
  assert.equal((await app.inject({ method: 'POST', url: path, headers: ok, payload: body })).statusCode, 201);

  const open = await buildCoreApp({ data: { today: TODAY } });
  assert.equal((await open.inject({ url })).statusCode, 200, 'no credentials configured: open');
  await Promise.all([app.close(), open.close()]);
});

test('report loss changes the card status, is idempotent by request id, and refuses other customers', async () => {
  const app = await core();
  const card = app.coreStore.data.accounts[0].cardNo;
  const url = `/cards/${card}/report-loss`;
  const post = (payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers: { ...h, ...headers }, payload: payload as object });

  assert.equal((await post({ customerId: 'C0002', requestId: 'req-000000001' })).statusCode, 404, 'not the owner');
  assert.equal((await post({ customerId: 'C0001' })).statusCode, 400, 'request id required');
  assert.equal((await post({ customerId: 'C0001', requestId: 'req-000000001', reason: 'misplaced' })).statusCode, 400);
  assert.equal(app.coreStore.cardStatus(card), 'normal');

  const first = await post({ customerId: 'C0001', requestId: 'req-000000001' });
  assert.equal(first.statusCode, 201);
  assert.match(first.json().caseNo, /^GS20250315\d{5}$/);
  assert.equal(first.json().previousStatus, 'normal');
  assert.equal(app.coreStore.cardStatus(card), 'lost');
  const acc = (await app.inject({ url: '/customers/C0001/accounts', headers: h })).json();
  assert.equal(acc.items[0].cardStatus, 'lost');

  const again = await post({ customerId: 'C0001', requestId: 'req-000000001' });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().caseNo, first.json().caseNo);
  assert.equal(again.json().replayed, true);

  const other = await post({ customerId: 'C0001', requestId: 'req-000000002' });
  assert.equal(other.statusCode, 409);
  assert.equal(other.json().error.details.caseNo, first.json().caseNo);

  // The Idempotency-Key header works as the request id.
  const credit = app.coreStore.data.creditCards[0].cardNo;
  const viaHeader = () => app.inject({ method: 'POST', url: `/cards/${credit}/report-loss`, headers: { ...h, 'idempotency-key': 'idem-key-0042' }, payload: { customerId: 'C0001', reason: 'stolen' } });
  const a = await viaHeader();
  const b = await viaHeader();
  assert.equal(a.statusCode, 201);
  assert.equal(b.json().caseNo, a.json().caseNo);
  assert.notEqual(a.json().caseNo, first.json().caseNo);
  const reused = await app.inject({ method: 'POST', url, headers: { ...h, 'idempotency-key': 'idem-key-0042' }, payload: { customerId: 'C0001' } });
  assert.equal(reused.statusCode, 409);
  assert.equal((await app.inject({ method: 'POST', url, headers: { ...h, 'content-type': 'application/json' }, payload: '{"customerId":' })).statusCode, 400);
  await app.close();
});

test('fault switch exists only when enabled, and injects failures and malformed bodies', async () => {
  const plain = await core();
  assert.equal((await plain.inject({ method: 'POST', url: '/__faults', headers: h, payload: { failNext: 1 } })).statusCode, 404);
  await plain.close();

  const app = await core({ faults: true });
  const url = '/accounts/A00001/balance';
  await app.inject({ method: 'POST', url: '/__faults', payload: { failNext: 2 } });
  assert.equal((await app.inject({ url, headers: h })).statusCode, 503);
  assert.equal((await app.inject({ url, headers: h })).statusCode, 503);
  assert.equal((await app.inject({ url, headers: h })).statusCode, 200);
  await app.inject({ method: 'POST', url: '/__faults', payload: { malformed: true } });
  const bad = await app.inject({ url, headers: h });
  assert.match(String(bad.headers['content-type']), /json/);
  assert.throws(() => JSON.parse(bad.body));
  await app.inject({ method: 'POST', url: '/__faults', payload: {} });
  assert.equal((await app.inject({ url, headers: h })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/__faults', payload: { failRate: 2 } })).statusCode, 400);
  await app.close();
});
