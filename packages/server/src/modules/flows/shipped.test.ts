import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FlowDefinition, type FlowText } from '@lingxi/contracts';
import { buildCoreApp, type CoreApp } from '../../../../demo-core/src/app.ts';
import { findPii } from '../../platform/pii.ts';
import { demoCoreConnector } from '../connectors/demo-core-connector.ts';
import { createConnector, type Connector } from '../connectors/http-connector.ts';
import { drive, type EffectRunner } from './executor.ts';
import { advance, startFlow, type FlowContext, type FlowState } from './interpreter.ts';
import { DEMO_VERIFIED_PHONE, loadShippedFlows, loadShippedStories, shippedFlowFiles, shippedStoryContext } from './shipped/index.ts';
import { replayMatches, runStory, Story } from './story.ts';
import { templateVars } from './template.ts';
import { validateFlow } from './validate.ts';

const connector = demoCoreConnector('http://demo-core.invalid', 'test-key');
const CONNECTORS = { [connector.id]: Object.keys(connector.operations) };
const QUEUES = ['cards', 'loans', 'wealth', 'general'];
const DEMO_PHONE = DEMO_VERIFIED_PHONE;
const ctx: FlowContext = shippedStoryContext();
const files = shippedFlowFiles();
const stories = loadShippedStories();
const raw = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./shipped/${file}`, import.meta.url), 'utf8'));

test('the shipped folder holds the seven flows, each with stories', () => {
  assert.deepEqual(files.map((f) => f.replace('.flow.json', '')), ['balance', 'card-loss', 'credit-card-bill', 'loan-schedule', 'transactions', 'transfer-to-human', 'wealth']);
  assert.deepEqual(loadShippedFlows().map((f) => f.id), files.map((f) => f.replace('.flow.json', '')));
  assert.deepEqual(Object.keys(stories).sort(), files.map((f) => f.replace('.flow.json', '')));
});

/** Every text of a flow (name, prompts, labels, texts), with where it is. */
function textsOf(def: Record<string, unknown>): { where: string; t: unknown }[] {
  const out: { where: string; t: unknown }[] = [{ where: 'name', t: def.name }];
  for (const [id, s] of Object.entries(def.steps as Record<string, Record<string, unknown>>)) {
    for (const k of ['text', 'prompt', 'reprompt']) if (s[k] !== undefined) out.push({ where: `${id}.${k}`, t: s[k] });
    for (const [i, o] of ((s.options as { label: unknown }[] | undefined) ?? []).entries()) out.push({ where: `${id}.options[${i}].label`, t: o.label });
  }
  for (const [name, sd] of Object.entries((def.slots ?? {}) as Record<string, { label?: unknown }>)) if (sd.label) out.push({ where: `slots.${name}.label`, t: sd.label });
  return out;
}

for (const file of files) {
  const id = file.replace('.flow.json', '');
  const json = raw(file);

  test(`${id}: parses and validates cleanly against the demo-core connector`, () => {
    const parsed = FlowDefinition.safeParse(json);
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.equal(parsed.data.id, id, 'the file is named after the flow id');
    const problems = validateFlow(json, { connectors: CONNECTORS });
    assert.deepEqual(problems.map((p) => `${p.stepId ?? ''}: ${p.message}`), []);
  });

  test(`${id}: follows the shipping conventions`, () => {
    const def = FlowDefinition.parse(json);
    // Bilingual everywhere.
    for (const { where, t } of textsOf(json)) {
      const x = t as { zh?: string; en?: string };
      assert.ok(typeof t === 'object' && x.zh && x.en, `${where} needs zh and en texts`);
    }
    // One intent; 8–15 example phrases in both languages.
    assert.equal(def.triggers.intents?.length, 1);
    const phrases = def.triggers.phrases ?? [];
    assert.ok(phrases.length >= 8 && phrases.length <= 15, `${phrases.length} phrases`);
    assert.ok(phrases.some((p) => /[\u4e00-\u9fff]/.test(p)) && phrases.some((p) => /^[\x20-\x7e]+$/.test(p)), 'Chinese and English phrases');
    assert.equal(new Set(phrases).size, phrases.length, 'no duplicate phrases');
    for (const [sid, s] of Object.entries(json.steps as Record<string, Record<string, unknown>>)) {
      if (s.type === 'ask') assert.ok(typeof s.maxTries === 'number' && typeof s.onFail === 'string', `${sid}: asks state maxTries and onFail`);
      if (s.type === 'choice') assert.ok(typeof s.onFail === 'string', `${sid}: choices have an onFail`);
      if (s.type === 'call') assert.equal(s.connector, 'demo-core', `${sid}: calls the tenant's demo-core connector`);
      if (s.type === 'transfer') assert.ok(QUEUES.includes(String(s.queue)), `${sid}: transfers to a known queue, not ${String(s.queue)}`);
      if (s.type === 'verify-identity') assert.equal(typeof s.onFail, 'string');
    }
    // Personal data is masked wherever it is shown.
    for (const { where, t } of textsOf(json)) {
      for (const v of templateVars(t as FlowText)) {
        if (/card(No)?$/i.test(v.path) || /cardNo$/.test(v.path)) assert.ok(['mask', 'last4'].includes(v.filter ?? ''), `${where}: {${v.path}} must be masked`);
        if (/(customerName|Phone|Mobile)$/i.test(v.path)) assert.ok(['name', 'mask', 'last4'].includes(v.filter ?? ''), `${where}: {${v.path}} must be masked`);
      }
    }
  });

  const list = (stories[id] ?? []).map((s) => Story.parse(s));
  test(`${id}: ships at least 3 stories`, () => assert.ok(list.length >= 3, `${list.length} stories`));
  const def = FlowDefinition.parse(json);
  for (const story of list) {
    test(`${id} story: ${story.name}`, () => {
      const r = runStory(def, story, ctx);
      const transcript = r.transcript.map((x) => `  [${x.type}] ${x.text}${x.options ? ` {${x.options.map((o) => `${o.n}. ${o.text}`).join(' | ')}}` : ''}`).join('\n');
      assert.equal(r.ok, true, r.mismatch && `step ${r.mismatch.step}: ${r.mismatch.message}\nexpected: ${JSON.stringify(r.mismatch.expected)}\nactual: ${JSON.stringify(r.mismatch.actual)}\ntranscript:\n${transcript}`);
      assert.ok(replayMatches(def, r), 'state replayed from the events equals the live state');
      for (const reply of r.transcript) {
        const text = [reply.text, ...(reply.options ?? []).map((o) => o.text)].join('\n');
        assert.deepEqual(findPii(text), [], `a reply shows personal data unmasked:\n${text}`);
        assert.doesNotMatch(text, /undefined|NaN|\[object|\{[A-Za-z_]/, `a reply has an unrendered value:\n${text}`);
      }
    });
  }
}

test('the stories cover the required situations across the flows', () => {
  const all = Object.values(stories).flat().map((s) => Story.parse(s));
  const steps = all.flatMap((s) => s.steps);
  const need: [string, boolean][] = [
    ['a Chinese happy path ending well', all.some((s) => (s.context?.lang ?? 'zh') === 'zh' && s.steps.some((x) => 'expect' in x && x.expect.outcome === 'end'))],
    ['an English story', all.some((s) => s.context?.lang === 'en')],
    ['a digression', steps.some((x) => 'digression' in x)],
    ['a cancel (算了/不办了)', steps.some((x) => 'user' in x && /算了|不办了|不查了/.test(x.user))],
    ['a failed identity check', steps.some((x) => 'identity' in x && x.identity === false)],
    ['a connector timeout', steps.some((x) => 'connector' in x && !x.connector.respond.ok && x.connector.respond.error === 'timeout')],
    ['a slot filled from the triggering message', all.some((s) => s.trigger)],
    ['a session slot reused', all.some((s) => s.context?.sessionSlots && Object.keys(s.context.sessionSlots).length > 0)],
    ['a transfer to an agent', steps.some((x) => 'expect' in x && x.expect.outcome === 'transfer')],
  ];
  for (const [what, ok] of need) assert.ok(ok, `no story has ${what}`);
});

// ---- Against the demo core itself: the connector's variables are what the flows' texts expect. ----

/** The connector talks to the demo core in-process (Fastify inject), no TCP port. */
function injectFetch(app: CoreApp): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const res = await app.inject({
      method: (init?.method ?? 'GET') as 'GET', url: url.pathname + url.search,
      headers: init?.headers as Record<string, string>, ...(init?.body ? { payload: String(init.body) } : {}),
    });
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') } });
  }) as typeof fetch;
}

/** Plays a conversation the way the live robot does (executor.drive), the identity check passing with `phone`. */
async function converse(core: Connector, flowId: string, phone: string, turns: string[], opts: { trigger?: string; lang?: 'zh' | 'en'; sessionSlots?: Record<string, unknown> } = {}) {
  const def = loadShippedFlows().find((f) => f.id === flowId)!;
  const c: FlowContext = { now: new Date('2025-03-15T04:00:00Z'), lang: opts.lang ?? 'zh', sessionSlots: opts.sessionSlots ?? {} };
  const calls: string[] = [];
  const runner: EffectRunner = {
    call: async (effect, vars) => {
      calls.push(effect.operation);
      // The runtime's request id: unique per call (the core refuses an id reused for another card).
      const r = await core.call(effect.operation, { ...vars, requestId: `req-${randomUUID()}` });
      return r.ok ? { ok: true, vars: r.vars } : { ok: false, error: r.error };
    },
    identity: async () => ({ verified: true, vars: { verifiedPhone: phone } }),
  };
  const texts: string[] = [];
  let r = await drive(def, startFlow(def, c, opts.trigger ? { text: opts.trigger } : {}), c, runner);
  texts.push(...r.replies.map((x) => [x.text, ...(x.options ?? []).map((o) => `${o.n}. ${o.text}`)].join('\n')));
  for (const t of turns) {
    assert.ok(r.state, `the flow ended before "${t}":\n${texts.join('\n')}`);
    r = await drive(def, advance(def, r.state as FlowState, { kind: 'user', text: t }, c), c, runner);
    texts.push(...r.replies.map((x) => [x.text, ...(x.options ?? []).map((o) => `${o.n}. ${o.text}`)].join('\n')));
  }
  const text = texts.join('\n');
  assert.deepEqual(findPii(text), [], `personal data shown unmasked:\n${text}`);
  assert.doesNotMatch(text, /undefined|NaN|\[object|\{[A-Za-z_]/, `an unrendered value:\n${text}`);
  return { text, ended: r.state === null, transfer: r.transfer, calls };
}

test('the shipped flows against the demo core: C0001 (every product) and C0002 (two cards, nothing else)', async () => {
  const app = await buildCoreApp({ data: { today: '2025-03-15' }, now: () => new Date('2025-03-15T04:00:00Z') });
  try {
    const core = createConnector(demoCoreConnector('http://demo-core.test', 'k'), { fetch: injectFetch(app) });
    const d = app.coreStore.data;
    const card1 = d.accounts.find((a) => a.customerId === 'C0001')!.cardNo;
    const money = (cents: number) => (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const debug = process.env.FLOW_DEBUG ? (t: string) => console.log(`${t}\n---`) : () => {};

    const bal = await converse(core, 'balance', DEMO_PHONE, []);
    debug(bal.text);
    const a1 = d.accounts.find((a) => a.customerId === 'C0001')!;
    assert.ok(bal.ended && bal.text.includes(`•••• ${card1.slice(-4)}`) && bal.text.includes(money(a1.balanceCents - a1.frozenCents)), bal.text);

    const [x, y] = d.accounts.filter((a) => a.customerId === 'C0002');
    const two = await converse(core, 'balance', '13900139000', [`尾号${y.cardNo.slice(-4)}`]);
    debug(two.text);
    assert.ok(two.text.includes(`•••• ${x.cardNo.slice(-4)}`) && two.text.includes(money(y.balanceCents - y.frozenCents)), two.text);
    assert.deepEqual(two.calls, ['customerByPhone', 'accounts', 'accountByCard', 'balance']);

    const tx = await converse(core, 'transactions', DEMO_PHONE, [], { trigger: '帮我查一下上个月的流水' });
    debug(tx.text);
    const feb = d.transactions.filter((t) => t.accountId === a1.id && t.date >= '2025-02-01' && t.date <= '2025-02-28');
    assert.ok(tx.ended && tx.text.includes(`${feb.length} 笔`) && tx.text.includes('2025-02-01 至 2025-02-28'), tx.text);
    assert.equal(tx.text.split('\n').filter((l) => l.startsWith('· ')).length, Math.min(5, feb.length));
    const txEn = await converse(core, 'transactions', '13900139000', ['last month', y.cardNo.slice(-4)], { lang: 'en' });
    debug(txEn.text);
    assert.ok(txEn.ended && /transactions|no transactions/.test(txEn.text), txEn.text);

    const w = await converse(core, 'wealth', DEMO_PHONE, []);
    debug(w.text);
    assert.ok(w.ended && d.wealth.filter((h) => h.customerId === 'C0001').every((h) => w.text.includes(h.productName)), w.text);
    const w2 = await converse(core, 'wealth', '13900139000', ['不用了']);
    debug(w2.text);
    assert.ok(w2.ended && w2.text.includes('暂无理财'), w2.text);

    // Options with templated labels are chosen by number (the interpreter matches words against the unrendered label).
    assert.equal(d.loans.find((l) => l.customerId === 'C0001')?.type, 'mortgage');
    const loans = await converse(core, 'loan-schedule', DEMO_PHONE, ['1']);
    debug(loans.text);
    const mortgage = d.loans.find((l) => l.customerId === 'C0001' && l.type === 'mortgage')!;
    const next = mortgage.schedule.find((i) => i.status === 'due')!;
    assert.ok(loans.ended && loans.text.includes(next.dueDate) && loans.text.includes(money(next.paymentCents)), loans.text);
    const noLoans = await converse(core, 'loan-schedule', '13900139000', []);
    assert.ok(noLoans.ended && noLoans.text.includes('暂无贷款'), noLoans.text);

    const bill = await converse(core, 'credit-card-bill', DEMO_PHONE, ['查看明细']);
    debug(bill.text);
    const cc = d.creditCards.find((c) => c.customerId === 'C0001')!;
    assert.ok(bill.ended && bill.text.includes(money(cc.bill.minimumPaymentCents)) && bill.text.includes(cc.bill.dueDate), bill.text);
    const noCard = await converse(core, 'credit-card-bill', '13900139000', []);
    debug(noCard.text);
    assert.ok(noCard.ended && noCard.text.includes('未查询到您名下的信用卡'), noCard.text);

    const loss = await converse(core, 'card-loss', DEMO_PHONE, ['确认挂失'], { trigger: '我的银行卡丢了' });
    debug(loss.text);
    assert.ok(loss.ended && /挂失成功.*GS20250315\d{5}/.test(loss.text), loss.text);
    assert.equal(app.coreStore.cardStatus(card1), 'lost');
    const again = await converse(core, 'card-loss', DEMO_PHONE, [], { trigger: '银行卡丢了' });
    assert.ok(again.ended && again.text.includes('已处于挂失状态'), again.text);
    const credit = await converse(core, 'card-loss', DEMO_PHONE, ['信用卡', '确认']);
    debug(credit.text);
    assert.ok(credit.text.includes(`•••• ${cc.cardNo.slice(-4)}`) && credit.text.includes('挂失成功'), credit.text);

    const human = await converse(core, 'transfer-to-human', DEMO_PHONE, ['贷款', '房贷扣款失败了']);
    debug(human.text);
    assert.equal(human.transfer?.queue, 'loans');
    assert.match(human.transfer?.note ?? '', /房贷扣款失败了/);
  } finally {
    await app.close();
  }
});
