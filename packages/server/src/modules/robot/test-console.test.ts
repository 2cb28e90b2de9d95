import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BotSettings } from '../tenancy/bot-settings.ts';
import { EV } from '../conversations/conversation-service.ts';
import type { SnapshotEntry } from '../knowledge/knowledge-snapshot.ts';
import type { LoadedBot } from './bot-model-registry.ts';
import type { TurnResult } from './robot-service.ts';
import { explain } from './test-console.ts';

const entry = (id: string, question: string): SnapshotEntry => ({
  id, category: null, question, similar: [], answer: 'a', answerHtml: null, channelAnswers: {}, tags: [], related: [], validFrom: null, validTo: null,
});
const loaded = {
  botId: 'b', version: 3, loadedAt: new Date('2026-11-24T08:00:00Z'), model: {} as LoadedBot['model'],
  entries: new Map([entry('a', '借记卡年费是多少？'), entry('b', '信用卡年费是多少？')].map((e) => [e.id, e])),
  flows: new Map([['loss', { id: 'loss', name: { zh: '挂失', en: 'Report loss' } } as never]]),
} as LoadedBot;
const settings = BotSettings.parse({});
const turn = (payload: Record<string, unknown>, extra: Partial<TurnResult> = {}): TurnResult => ({
  replies: [], state: {}, handoff: false, events: [{ type: EV.understood, payload: { lang: 'zh', normalized: 'x', ...payload } }], ...extra,
});

test('a confident answer says which thresholds it passed', () => {
  const t = explain(turn({ decision: 'answer', entryId: 'a', score: 0.9, hits: [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.3 }] }), loaded, settings, 3, 1);
  assert.equal(t.decision, 'answer');
  assert.equal(t.intent?.question, '借记卡年费是多少？');
  assert.equal(t.reason.rule, 'confident');
  assert.equal(t.reason.text, 'score 0.9 ≥ answer threshold 0.55; margin 0.6 ≥ 0.12 → answer');
});

test('a clarification names the failed threshold: low score, or low margin', () => {
  const low = explain(turn({ decision: 'clarify', hits: [{ id: 'a', score: 0.48 }, { id: 'b', score: 0.43 }] }), loaded, settings, 'draft', 1);
  assert.equal(low.decision, 'clarify');
  assert.equal(low.reason.rule, 'low_score');
  assert.equal(low.reason.text, 'score 0.48 < answer threshold 0.55; margin 0.05 < 0.12; ≥ clarify threshold 0.15 → clarify');
  const close = explain(turn({ decision: 'clarify', hits: [{ id: 'a', score: 0.7 }, { id: 'b', score: 0.65 }] }), loaded, settings, 'draft', 1);
  assert.equal(close.reason.rule, 'low_margin');
  assert.match(close.reason.text, /score 0\.7 ≥ answer threshold 0\.55; margin 0\.05 < 0\.12/);
  assert.equal(close.intent?.id, 'a');
});

test('fallbacks, repeated fallbacks, flows and choices', () => {
  const fb = explain(turn({ decision: 'fallback', hits: [{ id: 'a', score: 0.05 }] }), loaded, settings, 1, 1);
  assert.equal(fb.decision, 'fallback');
  assert.equal(fb.intent, null);
  assert.equal(fb.reason.text, 'best score 0.05 < clarify threshold 0.15 → fallback');
  const none = explain(turn({ decision: 'fallback', hits: [] }), loaded, settings, 1, 1);
  assert.equal(none.reason.text, 'no candidate entry → fallback');
  const ho = explain(turn({ decision: 'fallback', hits: [] }, { events: [{ type: EV.understood, payload: { decision: 'fallback', hits: [] } }, { type: EV.handoff, payload: { reason: 'repeated_fallback' } }] }), loaded, settings, 1, 1);
  assert.equal(ho.decision, 'handoff');
  assert.equal(ho.reason.rule, 'repeated_fallback');
  const flow = explain(turn({ decision: 'flow', flowId: 'loss', score: 0.8, hits: [{ id: 'flow:loss', score: 0.8 }] }, { startFlow: 'loss' }), loaded, settings, 1, 1);
  assert.equal(flow.decision, 'flow');
  assert.deepEqual(flow.flow, { id: 'loss', name: '挂失' });
  assert.equal(flow.intent?.kind, 'flow');
  const choice = explain(turn({ decision: 'answer', via: 'choice', choice: 2, entryId: 'b' }), loaded, settings, 1, 1);
  assert.equal(choice.reason.rule, 'choice');
  assert.equal(choice.intent?.id, 'b');
  const kw = explain(turn({ decision: 'handoff_request' }), loaded, settings, 1, 1);
  assert.equal(kw.decision, 'handoff');
});
