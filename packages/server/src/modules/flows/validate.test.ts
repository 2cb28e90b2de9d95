import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateFlow } from './validate.ts';

const opts = { connectors: { core: ['reportLoss'] } };
const base = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'f', version: 1, name: 'F', triggers: {}, start: 'a', slots: { card: { entity: 'card_number' } }, steps, ...extra,
});
const messages = (raw: unknown) => validateFlow(raw, opts).map((p) => `${p.stepId ?? ''}: ${p.message}`);
const has = (raw: unknown, re: RegExp) => {
  const m = messages(raw);
  assert.ok(m.some((x) => re.test(x)), `expected a problem matching ${re}, got:\n${m.join('\n')}`);
};

test('a minimal valid flow has no problems', () => {
  assert.deepEqual(messages(base({ a: { type: 'say', text: 'hi', next: 'b' }, b: { type: 'end' } })), []);
});

test('schema errors are reported with their path', () => {
  has({ id: 'f', version: 1, name: 'F', triggers: {}, start: 'a', steps: { a: { type: 'sing' } } }, /^a: invalid flow at steps\.a/);
  has({ id: 'f' }, /invalid flow at version/);
});

test('missing start, unknown targets and unreachable steps', () => {
  has(base({ b: { type: 'end' } }), /start step "a" does not exist/);
  has(base({ a: { type: 'say', text: 'x', next: 'nowhere' } }), /^a: next points to unknown step "nowhere"/);
  has(base({ a: { type: 'end' }, orphan: { type: 'end' } }), /^orphan: step is unreachable/);
  has(base({ a: { type: 'choice', prompt: 'p', options: [{ label: 'x', value: 1, next: 'zz' }] } }), /options\[0\]\.next points to unknown step "zz"/);
});

test('ask steps must use declared slots with the declared entity', () => {
  has(base({ a: { type: 'ask', slot: 'phone', entity: 'phone', prompt: 'p', next: 'b', onFail: 'b' }, b: { type: 'end' } }), /slot "phone", which is not declared/);
  has(base({ a: { type: 'ask', slot: 'card', entity: 'phone', prompt: 'p', next: 'b', onFail: 'b' }, b: { type: 'end' } }), /differs from slot "card"'s declared entity "card_number"/);
  has(base({ a: { type: 'ask', slot: 'card', entity: 'card_number', prompt: 'p', validate: { pattern: '(' }, next: 'b', onFail: 'b' }, b: { type: 'end' } }), /not a valid regular expression/);
});

test('calls to unknown connectors or operations', () => {
  const call = (connector: string, operation: string) => base({ a: { type: 'call', connector, operation, next: 'b', onError: 'b' }, b: { type: 'end' } });
  has(call('crm', 'x'), /unknown connector "crm"/);
  has(call('core', 'transfer'), /connector "core" has no operation "transfer"/);
  assert.deepEqual(messages(call('core', 'reportLoss')), []);
});

test('variables used before they are set on some path', () => {
  const f = base({
    a: { type: 'condition', if: { var: 'x', op: 'exists' }, then: 'ask', else: 'done' },
    ask: { type: 'ask', slot: 'card', entity: 'card_number', prompt: 'p', next: 'done', onFail: 'done' },
    done: { type: 'end', text: '卡号 {card|mask}，编号 {caseNo}' },
  });
  has(f, /^done: text uses variable "card", which may be unset on some path/);
  has(f, /^done: text uses variable "caseNo", which no step sets/);
  // Set on every path: fine; call outputs count on the success edge only, `error` on the error edge only.
  const g = base({
    a: { type: 'ask', slot: 'card', entity: 'card_number', prompt: 'p', next: 'c', onFail: 'x' },
    c: { type: 'call', connector: 'core', operation: 'reportLoss', input: { n: '{card}' }, outputs: ['caseNo'], next: 'ok', onError: 'err' },
    ok: { type: 'end', text: '{card|last4} {caseNo}' },
    err: { type: 'end', text: 'error {error}, {caseNo}' },
    x: { type: 'end' },
  });
  const m = messages(g);
  assert.deepEqual(m, ['err: text uses variable "caseNo", which may be unset on some path to this step']);
  has(base({ a: { type: 'end', text: '{x|shout}' } }), /unknown filter "\|shout"/);
});

test('a loop without an ask or choice step is rejected; one through an ask is fine', () => {
  has(base({ a: { type: 'say', text: 'x', next: 'b' }, b: { type: 'set', var: 'n', value: 1, next: 'a' } }), /loop without an ask or choice step: a → b → a/);
  has(base({ a: { type: 'say', text: 'x', next: 'a' } }), /loop without an ask or choice step: a → a/);
  const ok = base({
    a: { type: 'ask', slot: 'card', entity: 'card_number', prompt: 'p', next: 'b', onFail: 'e' },
    b: { type: 'choice', prompt: 'ok?', options: [{ label: '是', value: 'yes', next: 'e' }, { label: '否', value: 'no', next: 'a' }] },
    e: { type: 'end' },
  });
  assert.deepEqual(messages(ok), []);
});

test('verify-identity defines verifiedPhone on its next edge only', () => {
  const f = base({
    a: { type: 'verify-identity', next: 'lookup', onFail: 'failed' },
    lookup: { type: 'call', connector: 'core', operation: 'reportLoss', input: { phone: '{verifiedPhone}' }, next: 'ok', onError: 'ok' },
    ok: { type: 'end', text: '{identityVerified} {verifiedPhone|last4}' },
    failed: { type: 'end', text: '{verifiedPhone}' },
  });
  assert.deepEqual(messages(f), ['failed: text uses variable "verifiedPhone", which may be unset on some path to this step']);
  // Without a verify-identity step nothing sets it.
  has(base({ a: { type: 'end', text: '{verifiedPhone}' } }), /^a: text uses variable "verifiedPhone", which no step sets/);
});
