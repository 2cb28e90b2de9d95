import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FlowDefinition } from '@lingxi/contracts';
import type { FlowContext } from './interpreter.ts';
import { runStory, Story } from './story.ts';

const def = FlowDefinition.parse(JSON.parse(readFileSync(new URL('./examples/card-loss.json', import.meta.url), 'utf8')));
const ctx: FlowContext = { now: new Date('2025-03-15T04:00:00Z'), lang: 'zh', sessionSlots: {} };
const run = (steps: unknown[]) => runStory(def, Story.parse({ name: 't', flow: 'card-loss', steps }), ctx);

test('runStory reports the first mismatch with its step index', () => {
  const r = run([{ user: '6222021234567890128' }, { bot: { type: 'text' } }]);
  assert.equal(r.ok, false);
  assert.equal(r.mismatch?.step, 1);
  assert.match(r.mismatch!.message, /expected a "text" reply, got "clarify"/);

  assert.match(run([{ bot: { includes: '不存在的话' } }]).mismatch!.message, /include "不存在的话"/);
  assert.match(run([{ bot: {} }, { bot: {} }, { bot: {} }]).mismatch!.message, /none left/);
  assert.match(run([{ connector: { operation: 'reportLoss', respond: { ok: true } } }]).mismatch!.message, /asked for none/);
  assert.match(run([{ identity: true }]).mismatch!.message, /identity check/);
  assert.match(run([{ user: '算了' }, { user: '还在吗' }]).mismatch!.message, /already ended \(cancelled\)/);
  assert.match(run([{ expect: { outcome: 'end' } }]).mismatch!.message, /expected the flow to be "end", it is "active"/);
  const wrongInput = run([{ user: '6222021234567890128' }, { user: '1' }, { identity: true },
    { connector: { operation: 'core.reportLoss', input: { cardNumber: '1' }, respond: { ok: true } } }]);
  assert.match(wrongInput.mismatch!.message, /call input "cardNumber" differs/);
});

test('story files are validated by the Story schema', () => {
  assert.equal(Story.safeParse({ name: 'x', flow: 'f', steps: [{ user: 'a', bot: {} }] }).success, false);
  assert.equal(Story.safeParse({ name: 'x', flow: 'f', steps: [] }).success, false);
  assert.equal(runStory(def, Story.parse({ name: 'x', flow: 'other', steps: [{ user: 'a' }] }), ctx).ok, false);
});
