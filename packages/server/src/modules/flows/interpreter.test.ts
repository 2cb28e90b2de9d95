import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowDefinition, type FlowDefinitionInput } from '@lingxi/contracts';
import { advance, evaluate, MAX_STEPS_PER_ADVANCE, matchOption, replayFlow, resume, startFlow, suspend, type FlowContext, type FlowEvent, type FlowInput, type FlowState, type FlowStep } from './interpreter.ts';
import { render } from './template.ts';

const ctx: FlowContext = { now: new Date('2025-03-15T04:00:00Z'), lang: 'zh', sessionSlots: {} };
const flow = (steps: Record<string, unknown>, extra: Partial<FlowDefinitionInput> = {}) =>
  FlowDefinition.parse({ id: 'f', version: 1, name: { zh: '测试', en: 'test' }, triggers: {}, start: 'a', steps, ...extra });

/** Drives a flow and checks after every call that the state replayed from all events so far equals the live one. */
function driver(def: FlowDefinition, c: FlowContext = ctx) {
  const log: FlowEvent[] = [];
  let last: FlowStep;
  const take = (s: FlowStep) => {
    log.push(...s.events);
    assert.deepEqual(replayFlow(def, log), s.state, 'replayed state equals the live state');
    last = s;
    return s;
  };
  take(startFlow(def, c));
  return {
    get last() { return last; },
    log,
    send: (text: string) => take(advance(def, last.state!, { kind: 'user', text }, c)),
    input: (input: FlowInput) => take(advance(def, last.state!, input, c)),
  };
}

const amountFlow = flow({
  a: { type: 'ask', slot: 'amount', entity: 'money', prompt: '转多少？', reprompt: '金额需在 1 到 5000 元之间：', validate: { min: 1, max: 5000 }, maxTries: 2, next: 'b', onFail: 'f' },
  b: { type: 'condition', if: { var: 'amount', op: 'gt', value: 1000 }, then: 'big', else: 'small' },
  big: { type: 'end', text: '大额 {amount} 元' },
  small: { type: 'end', text: '小额 {amount} 元' },
  f: { type: 'end', text: '失败' },
}, { slots: { amount: { entity: 'money' } } });

test('ask: extracts, validates, re-prompts and takes onFail after maxTries', () => {
  const d = driver(amountFlow);
  assert.equal(d.last.replies[0].text, '转多少？');
  assert.equal(d.last.state?.waitingFor, 'slot');
  d.send('一万元');
  assert.equal(d.last.replies[0].text, '金额需在 1 到 5000 元之间：');
  assert.equal(d.last.state?.tries, 1);
  d.send('两千块');
  assert.equal(d.last.state, null);
  assert.equal(d.last.replies[0].text, '大额 2000 元');
  assert.ok(d.log.some((e) => e.type === 'slot.filled' && e.payload.value === 2000));
  assert.ok(d.log.some((e) => e.type === 'flow.completed'));

  const e = driver(amountFlow);
  e.send('很多');
  e.send('非常多');
  assert.equal(e.last.replies[0].text, '失败');
  assert.equal(e.last.state, null);
  const f = driver(amountFlow);
  f.send('300');
  assert.equal(f.last.replies[0].text, '小额 300 元');
});

test('cancel and restart phrases work at any waiting step', () => {
  for (const text of ['算了', '算了吧，不办了', '取消', '不办了。', 'Cancel', 'never mind']) {
    const d = driver(amountFlow);
    d.send(text);
    assert.equal(d.last.state, null, text);
    assert.equal(d.last.events.at(-1)?.type, 'flow.cancelled', text);
    assert.match(d.last.replies[0].text, /取消/);
  }
  const d = driver(amountFlow);
  d.send('一万元');
  d.send('重新开始');
  assert.equal(d.last.state?.stepId, 'a');
  assert.equal(d.last.state?.tries, 0);
  assert.deepEqual(d.last.replies.map((r) => r.text), ['好的，我们重新开始。', '转多少？']);
  // "取消挂失" is not a cancel of the flow, it is an answer.
  const c = driver(flow({ a: { type: 'ask', slot: 't', entity: 'text', prompt: '?', next: 'b', onFail: 'b' }, b: { type: 'end', text: '{t}' } }, { slots: { t: { entity: 'text' } } }));
  c.send('取消挂失');
  assert.equal(c.last.replies[0].text, '取消挂失');
});

test('a loop that never waits stops at the step cap with a polite reply', () => {
  const def = flow({ a: { type: 'say', text: 'x', next: 'b' }, b: { type: 'set', var: 'n', value: 1, next: 'a' } });
  const s = startFlow(def, ctx);
  assert.equal(s.state, null);
  const failed = s.events.at(-1)!;
  assert.equal(failed.type, 'flow.failed');
  assert.equal(failed.payload.reason, 'step_limit');
  // 50 steps executed; the 51st is entered, then refused.
  assert.equal(s.events.filter((e) => e.type === 'flow.step').length, MAX_STEPS_PER_ADVANCE + 1);
  assert.equal(s.replies.filter((r) => r.text === 'x').length, MAX_STEPS_PER_ADVANCE / 2);
  assert.equal(s.replies.at(-1)?.type, 'fallback');
  assert.match(s.replies.at(-1)!.text, /抱歉/);
});

test('connector and identity effects: the machine waits, ignores stale results, takes error branches', () => {
  const def = flow({
    a: { type: 'verify-identity', next: 'c', onFail: 'no' },
    c: { type: 'call', connector: 'core', operation: 'balance', input: { acct: '{acct}', label: 'acct {acct|last4}' }, outputs: ['balance'], next: 'ok', onError: 'err' },
    ok: { type: 'end', text: '余额 {balance} 元' },
    err: { type: 'end', text: '系统繁忙（{error}）' },
    no: { type: 'end', text: '验证失败' },
  });
  const d = driver(def);
  assert.deepEqual(d.last.effects, [{ type: 'verify-identity' }]);
  d.input({ kind: 'connector', result: { ok: true, vars: { balance: 1 } } }); // stale: not waiting for a connector
  assert.equal(d.last.state?.stepId, 'a');
  d.send('123456');
  assert.match(d.last.replies[0].text, /身份验证/);
  d.input({ kind: 'identity', verified: true });
  assert.equal(d.last.state?.waitingFor, 'connector');
  assert.deepEqual(d.last.effects, [{ type: 'call', connector: 'core', operation: 'balance', input: { acct: undefined, label: 'acct ' } }]);
  d.send('好了吗');
  assert.match(d.last.replies[0].text, /请稍候/);
  d.input({ kind: 'connector', result: { ok: false, error: 'timeout' } });
  assert.equal(d.last.replies[0].text, '系统繁忙（timeout）');

  const v = driver(def, { ...ctx, identityVerified: true });
  assert.deepEqual(v.last.effects.map((e) => e.type), ['call']);
  v.input({ kind: 'connector', result: { ok: true, vars: { balance: 88.5 } } });
  assert.equal(v.last.replies[0].text, '余额 88.5 元');
  const n = driver(def);
  n.input({ kind: 'identity', verified: false });
  assert.equal(n.last.replies[0].text, '验证失败');
});

test('suspend and resume re-ask the pending question; a suspended flow also resumes on the next answer', () => {
  const d = driver(amountFlow);
  const s = suspend(d.last.state!);
  assert.equal(s.state?.suspended, true);
  d.log.push(...s.events);
  assert.deepEqual(replayFlow(amountFlow, d.log), s.state);
  const r = resume(amountFlow, s.state!, ctx);
  assert.equal(r.replies[0].text, '我们继续刚才的「测试」：转多少？');
  assert.equal(r.state?.suspended, undefined);
  const en = resume(amountFlow, s.state!, { ...ctx, lang: 'en' });
  assert.match(en.replies[0].text, /^Let's continue with test: /);
  const direct = advance(amountFlow, s.state!, { kind: 'user', text: '20元' }, ctx);
  assert.equal(direct.events[0].type, 'flow.resumed');
  assert.equal(direct.replies[0].text, '小额 20 元');
});

test('choice: by number, label, synonym, yes/no; fails without onFail after maxTries', () => {
  const def = flow({
    a: { type: 'choice', prompt: '确认吗？', var: 'ok', maxTries: 2, options: [{ label: '确认办理', value: 'yes', next: 'y' }, { label: '暂不办理', value: 'no', next: 'n', synonyms: ['下次吧'] }] },
    y: { type: 'end', text: 'Y' }, n: { type: 'end', text: 'N' },
  });
  for (const [text, want] of [['1', 'Y'], ['第二个', 'N'], ['确认办理', 'Y'], ['是的', 'Y'], ['不', 'N'], ['下次吧', 'N'], ['暂不', 'N']]) {
    const d = driver(def);
    d.send(text);
    assert.equal(d.last.replies[0].text, want, text);
  }
  const d = driver(def);
  assert.deepEqual(d.last.replies[0].options, [{ n: 1, text: '确认办理' }, { n: 2, text: '暂不办理' }]);
  d.send('今天天气如何');
  assert.equal(d.last.replies[0].type, 'clarify');
  d.send('嗯？？？不懂');
  assert.equal(d.last.state, null);
  assert.equal(d.last.events.at(-1)?.payload.reason, 'max_tries');
  assert.equal(matchOption([{ label: 'a', value: 1 }], '7', 'zh'), undefined);
});

test('reuse offers a session value; prefill from the triggering message skips the question', () => {
  const def = flow({
    a: { type: 'ask', slot: 'card', entity: 'card_number', reuse: true, prompt: '卡号？', next: 'b', onFail: 'b' },
    b: { type: 'end', text: '{card|mask}' },
  }, { slots: { card: { entity: 'card_number', sessionKey: 'cardNo' } } });
  const d = driver(def, { ...ctx, sessionSlots: { cardNo: '6222021234567890128' } });
  assert.equal(d.last.replies[0].type, 'clarify');
  assert.match(d.last.replies[0].text, /•••• 0128/);
  assert.doesNotMatch(d.last.replies[0].text, /6222021234567890128/);
  d.send('1');
  assert.equal(d.last.replies[0].text, '•••• 0128');
  assert.equal(d.log.find((e) => e.type === 'slot.filled')?.payload.source, 'session');
  // Typing a new value instead of answering the offer.
  const e = driver(def, { ...ctx, sessionSlots: { cardNo: '6222021234567890128' } });
  e.send('4111111111111111');
  assert.equal(e.last.replies[0].text, '•••• 1111');

  const p = startFlow(def, ctx, { text: '我的卡4111111111111111丢了' });
  assert.equal(p.state, null);
  assert.deepEqual(p.replies.map((r) => r.text), ['•••• 1111']);
});

test('a state whose step vanished in a new version ends politely; a foreign state is a programming error', () => {
  const s: FlowState = { flowId: 'f', version: 0, stepId: 'gone', vars: {}, tries: 0, waitingFor: 'slot' };
  const r = advance(amountFlow, s, { kind: 'user', text: 'x' }, ctx);
  assert.equal(r.state, null);
  assert.equal(r.events[0].payload.reason, 'missing_step');
  assert.throws(() => advance(amountFlow, { ...s, flowId: 'other' }, { kind: 'user', text: 'x' }, ctx));
});

test('templates and conditions', () => {
  const vars = { card: '6222 0212 3456 7890 128', name: '张三丰', p: { start: '2025-02-01', end: '2025-02-28' }, acct: 'credit_card', n: 0 };
  assert.equal(render('{card|mask} {card|last4} {name|name} {name|mask}', vars, 'zh'), '•••• 0128 0128 张** 张**');
  assert.equal(render('{p} / {p.start} / {acct} / {n} / {missing}', vars, 'zh'), '2025-02-01 至 2025-02-28 / 2025-02-01 / 信用卡 / 0 / ');
  assert.equal(render({ zh: '{acct}', en: 'your {acct}' }, vars, 'en'), 'your credit card');
  assert.equal(evaluate(5, 'gt', 3), true);
  assert.equal(evaluate(undefined, 'gt', 3), false);
  assert.equal(evaluate('2', 'eq', 2), true);
  assert.equal(evaluate('a', 'in', ['a', 'b']), true);
  assert.equal(evaluate('', 'exists', undefined), false);
  assert.equal(evaluate({ a: 1 }, 'ne', { a: 1 }), false);
});
