import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { FlowDefinition, type SlotEntity } from '@lingxi/contracts';
import {
  connect, declareSlot, dryRunTrace, edgesOfSteps, emptyFlow, flowToGraph, freshStepId, graphToFlow, handlesOf, layoutSteps,
  newStep, NODE_W, removeSteps, stepHeight, renameStep, syncAskSlot, missingConnection, type FlowJson, type StepJson,
} from './flow-graph.ts';

const DIR = new URL('../../../../server/src/modules/flows/shipped/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.flow.json')).sort();
const load = (f: string) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as FlowJson;

test('every shipped flow is found', () => {
  assert.ok(files.length >= 7, `shipped flows: ${files.join(', ')}`);
});

for (const f of files) {
  test(`${f}: JSON → graph → JSON is identical (as authored and as the server returns it)`, () => {
    const raw = load(f);
    const text = JSON.stringify(raw);
    const g = flowToGraph(raw);
    assert.equal(JSON.stringify(graphToFlow(g.flow, g.nodes)), text);
    // The server answers with defaults applied (maxTries, reuse): that document round-trips too.
    const parsed = FlowDefinition.parse(raw) as FlowJson;
    const g2 = flowToGraph(parsed);
    assert.deepEqual(graphToFlow(g2.flow, g2.nodes), parsed);
    assert.equal(JSON.stringify(graphToFlow(g2.flow, g2.nodes)), JSON.stringify(parsed));
    // The input is not mutated.
    assert.equal(JSON.stringify(raw), text);
  });

  test(`${f}: one node per step, one edge per target, every node placed without overlap`, () => {
    const raw = load(f);
    const g = flowToGraph(raw);
    assert.deepEqual(g.nodes.map((n) => n.id), Object.keys(raw.steps));
    assert.equal(g.nodes.filter((n) => n.data.start).map((n) => n.id).join(), raw.start);
    let targets = 0;
    for (const step of Object.values(raw.steps)) {
      targets += step.type === 'say' || step.type === 'set' ? 1
        : step.type === 'ask' || step.type === 'call' || step.type === 'verify-identity' || step.type === 'condition' ? 2
          : step.type === 'choice' ? step.options.length + (step.onFail ? 1 : 0) : 0;
    }
    assert.equal(g.edges.length, targets);
    for (const e of g.edges) assert.ok(raw.steps[e.target], `${e.id} → ${e.target}`);
    const boxes = g.nodes.map((n) => ({ ...n.position, h: stepHeight(n.data.step) }));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = boxes[i].y <= boxes[j].y ? [boxes[i], boxes[j]] : [boxes[j], boxes[i]];
        const overlap = Math.abs(a.x - b.x) < NODE_W && b.y < a.y + a.h;
        assert.ok(!overlap, `${g.nodes[i].id} overlaps ${g.nodes[j].id}`);
      }
    }
  });
}

test('layout: layers follow the distance from the start; unreachable steps come last; saved positions win', () => {
  const flow: FlowJson = {
    id: 'x', version: 1, name: 'x', triggers: {}, start: 'a',
    steps: {
      lost: { type: 'end' },
      a: { type: 'ask', slot: 's', entity: 'money', prompt: 'p', next: 'b', onFail: 'c' },
      b: { type: 'say', text: 't', next: 'a' },
      c: { type: 'end' },
    },
  };
  const pos = layoutSteps(flow);
  assert.equal(pos.a.x, 0);
  assert.equal(pos.b.x, pos.c.x);
  assert.ok(pos.b.x > 0);
  assert.notEqual(pos.b.y, pos.c.y);
  assert.ok(pos.lost.x > pos.b.x);
  const g = flowToGraph(flow, { b: { x: 7, y: 9 } });
  assert.deepEqual(g.nodes.find((n) => n.id === 'b')!.position, { x: 7, y: 9 });
  assert.deepEqual(g.nodes.find((n) => n.id === 'a')!.position, pos.a);
});

test('connect, disconnect, remove and rename rewrite the step fields the engine reads', () => {
  const flow = emptyFlow('f', '测试');
  let nodes = flowToGraph(flow).nodes;
  const texts = { say: '你好', prompt: '请输入', option: '是' };
  nodes = [...nodes, { id: 'say1', type: 'step', position: { x: 0, y: 0 }, data: { step: newStep('say', texts), start: false } }];
  nodes = [...nodes, { id: 'choice1', type: 'step', position: { x: 0, y: 0 }, data: { step: newStep('choice', texts), start: false } }];
  assert.equal(edgesOfSteps(nodes).length, 0);
  nodes = connect(nodes, 'say1', 'next', 'choice1');
  nodes = connect(nodes, 'choice1', 'options.0.next', 'end1');
  nodes = connect(nodes, 'choice1', 'onFail', 'say1');
  assert.deepEqual(edgesOfSteps(nodes).map((e) => e.id).sort(), ['choice1:onFail', 'choice1:options.0.next', 'say1:next']);
  let out = graphToFlow({ ...flow, start: 'say1' }, nodes);
  assert.deepEqual(out.steps.say1, { type: 'say', text: '你好', next: 'choice1' });
  assert.deepEqual(out.steps.choice1, { type: 'choice', prompt: '请输入', options: [{ label: '是', value: '1', next: 'end1' }], onFail: 'say1' });

  // Disconnecting removes the field; the option keeps its place with an empty target (the validator reports it).
  nodes = connect(nodes, 'say1', 'next', undefined);
  assert.ok(!('next' in graphToFlow(flow, nodes).steps.say1));
  nodes = connect(nodes, 'say1', 'next', 'choice1');

  const renamed = renameStep({ ...flow, start: 'say1' }, nodes, 'say1', 'hello');
  out = graphToFlow(renamed.flow, renamed.nodes);
  assert.equal(out.start, 'hello');
  assert.equal((out.steps.choice1 as { onFail?: string }).onFail, 'hello');
  assert.ok(!out.steps.say1);
  // Renaming onto a taken id changes nothing.
  assert.equal(renameStep(renamed.flow, renamed.nodes, 'hello', 'end1').nodes, renamed.nodes);

  const removed = removeSteps(renamed.nodes, ['end1']);
  const choice = graphToFlow(renamed.flow, removed).steps.choice1;
  assert.equal(choice.type === 'choice' && choice.options[0].next, '');
  assert.equal(edgesOfSteps(removed).length, 2);
});

test('handles per step type, fresh ids, slot declarations, dry-run trace', () => {
  const ids = ['say', 'ask', 'choice', 'condition', 'set', 'call', 'verify-identity', 'transfer', 'end'] as const;
  const texts = { say: 's', prompt: 'p', option: 'o' };
  assert.deepEqual(ids.map((t) => handlesOf(newStep(t, texts)).map((h) => h.id).join('|')),
    ['next', 'next|onFail', 'options.0.next|onFail', 'then|else', 'next', 'next|onError', 'next|onFail', '', '']);
  assert.equal(freshStepId('ask', ['ask1', 'ask2']), 'ask3');
  assert.equal(freshStepId('verify-identity', []), 'verify1');
  const f = declareSlot(emptyFlow('f', 'n'), 'amount', 'money');
  assert.deepEqual(f.slots, { amount: { entity: 'money' } });
  assert.equal(declareSlot(f, 'amount', 'money'), f);
  assert.deepEqual(declareSlot({ ...f, slots: { amount: { entity: 'text', sessionKey: 'k' } } }, 'amount', 'money').slots, { amount: { entity: 'money', sessionKey: 'k' } });
  const trace = dryRunTrace([
    { events: [{ type: 'flow.started', payload: {} }, { type: 'flow.step', payload: { stepId: 'a' } }, { type: 'flow.step', payload: { stepId: 'b' } }] },
    { events: [{ type: 'slot.filled', payload: { slot: 'amount', value: 200 } }, { type: 'flow.vars', payload: { vars: { x: 'y' } } }, { type: 'flow.step', payload: { stepId: 'c' } }] },
  ]);
  assert.deepEqual(trace, { steps: ['a', 'b', 'c'], vars: { amount: 200, x: 'y' } });
});

test('an ask step keeps its slot declared: renamed slots move, shared ones stay', () => {
  const ask = (slot: string, entity: SlotEntity = 'text'): StepJson => ({ type: 'ask', slot, entity, prompt: 'p', next: 'e', onFail: 'e' });
  const flow: FlowJson = { ...emptyFlow('f', 'n'), slots: { value: { entity: 'text' } } };
  const nodes = (...steps: StepJson[]) => steps.map((step, i) => ({ id: `a${i}`, data: { step } }));
  // Typing "amount" letter by letter leaves only the last name declared.
  let f = flow;
  let prev = ask('value');
  for (const name of ['a', 'am', 'amount']) {
    const next = ask(name);
    f = syncAskSlot(f, nodes(next), prev, next);
    prev = next;
  }
  assert.deepEqual(f.slots, { amount: { entity: 'text' } });
  f = syncAskSlot(f, nodes(ask('amount', 'money')), prev, ask('amount', 'money'));
  assert.deepEqual(f.slots, { amount: { entity: 'money' } });
  // Another ask still uses the old slot: it stays declared. An invalid name is not declared.
  const g = syncAskSlot(f, nodes(ask('x', 'money'), ask('amount', 'money')), ask('amount', 'money'), ask('x', 'money'));
  assert.deepEqual(g.slots, { amount: { entity: 'money' }, x: { entity: 'money' } });
  assert.deepEqual(syncAskSlot(f, nodes(ask('9x')), ask('amount', 'money'), ask('9x')).slots, {});
});

test('missing connections are recognised in the schema problems', () => {
  assert.deepEqual(missingConnection('invalid flow at steps.say2.next: Invalid input: expected string, received undefined'), { stepId: 'say2', handle: 'next' });
  assert.deepEqual(missingConnection('invalid flow at steps.c.options.1.next: Too small: expected string to have >=1 characters'), { stepId: 'c', handle: 'options.1.next' });
  assert.equal(missingConnection('invalid flow at steps.a.prompt: Invalid input: expected string, received undefined'), null);
  assert.equal(missingConnection('next points to unknown step "x"'), null);
});
