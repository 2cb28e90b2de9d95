import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from '@lingxi/contracts';
import type { SnapshotEntry } from '../knowledge/knowledge-snapshot.ts';
import type { FaqHit } from '../nlu/index.ts';
import { AssistSuggestion } from '@lingxi/contracts';
import { composeSuggestion } from './assist-service.ts';

const now = new Date('2025-06-01T10:00:00Z');
const entry = (id: string, question: string, extra: Partial<SnapshotEntry> = {}): SnapshotEntry => ({
  id, category: null, question, similar: [], answer: `${question}的答案`, answerHtml: null, channelAnswers: {}, tags: [], related: [], validFrom: null, validTo: null, ...extra,
});
const entries = new Map([
  entry('lost-credit', '信用卡丢了怎么挂失'),
  entry('lost-debit', '借记卡丢了怎么挂失'),
  entry('old-promo', '去年的信用卡活动', { validTo: '2024-12-31T00:00:00Z' }),
  entry('card-fee', '信用卡年费多少'),
  entry('limit', '转账限额是多少'),
].map((e) => [e.id, e]));
const flows = new Map([['card-loss', { id: 'card-loss', name: { zh: '挂失银行卡', en: 'Report a lost card' } } as unknown as FlowDefinition]]);

/** A model that answers every text with the given hits (the real matcher is tested in modules/nlu). */
const fixed = (hits: [string, number][]) => ({
  model: { match: (_t: string, k = 5): FaqHit[] => hits.slice(0, k).map(([id, score]) => ({ id, score, question: id })), serialize: () => '' },
  entries,
  flows,
});
const thresholds = { clarify: 0.15 };
const compose = (text: string, loaded: ReturnType<typeof fixed> | null) => composeSuggestion({ conversationId: 'cv_1', forSeq: 7, text, loaded, thresholds, now });

test('the top three valid knowledge answers, with the top hit as intent (a flow included)', () => {
  const s = compose('我的信用卡丢了！！！气死了', fixed([['flow:card-loss', 0.81], ['lost-credit', 0.7], ['old-promo', 0.5], ['lost-debit', 0.4], ['card-fee', 0.2], ['limit', 0.1]]));
  assert.doesNotThrow(() => AssistSuggestion.parse(s), 'the contract shape');
  assert.deepEqual(s.answers.map((a) => a.entryId), ['lost-credit', 'lost-debit', 'card-fee'], 'expired entry and flow left out, three at most');
  assert.equal(s.answers[0].answer, '信用卡丢了怎么挂失的答案');
  assert.equal(s.answers[0].question, '信用卡丢了怎么挂失');
  assert.deepEqual(s.intent, { id: 'flow:card-loss', label: '挂失银行卡', score: 0.81 });
  assert.equal(s.conversationId, 'cv_1');
  assert.equal(s.forSeq, 7);
  assert.equal(s.sentiment, 'negative');
  assert.equal(s.angry, true);
  assert.deepEqual(s.pii, []);
});

test('an English message gets the flow label in English; an entry intent is labelled by its question', () => {
  assert.equal(compose('I lost my card', fixed([['flow:card-loss', 0.9]])).intent?.label, 'Report a lost card');
  assert.deepEqual(compose('年费', fixed([['card-fee', 0.6], ['lost-credit', 0.1]])).intent, { id: 'card-fee', label: '信用卡年费多少', score: 0.6 });
});

test('weak hits: no intent below the clarify threshold, no answers below half of it', () => {
  const s = compose('今天天气怎么样', fixed([['limit', 0.1], ['card-fee', 0.05]]));
  assert.equal(s.intent, null);
  assert.deepEqual(s.answers.map((a) => a.entryId), ['limit']);
  assert.equal(s.sentiment, 'neutral');
  assert.equal(s.angry, false);
});

test('kinds of personal data are listed once each, and nothing of the values', () => {
  const s = compose('我的卡号 6222 0212 3456 7894，手机 13812345678，另一个手机 13900001111', fixed([]));
  assert.deepEqual(s.pii.sort(), ['card', 'phone']);
  assert.ok(!JSON.stringify(s).includes('13812345678'));
});

test('without published knowledge, sentiment and personal data still come through', () => {
  const s = compose('谢谢，很满意', null);
  assert.deepEqual({ answers: s.answers, intent: s.intent, sentiment: s.sentiment, angry: s.angry }, { answers: [], intent: null, sentiment: 'positive', angry: false });
});
