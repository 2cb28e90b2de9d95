import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BotSettings } from '../tenancy/bot-settings.ts';
import { trainFaqMatcher } from '../nlu/index.ts';
import type { SnapshotEntry } from '../knowledge/knowledge-snapshot.ts';
import { trainingDocs, type LoadedBot } from './bot-model-registry.ts';
import { FlowDefinition } from '@lingxi/contracts';
import { decide, parseChoice, replayState, type RobotState } from './robot-service.ts';
import { EV } from '../conversations/conversation-service.ts';

const entry = (id: string, question: string, similar: string[], extra: Partial<SnapshotEntry> = {}): SnapshotEntry => ({
  id, category: null, question, similar, answer: `答案：${question}`, answerHtml: null, channelAnswers: {}, tags: [], related: [],
  validFrom: null, validTo: null, ...extra,
});

const ENTRIES = [
  entry('debit-loss', '借记卡丢了怎么挂失？', ['储蓄卡丢了怎么办', '银行卡挂失', '借记卡挂失流程', '我的储蓄卡不见了']),
  entry('credit-loss', '信用卡丢了怎么挂失？', ['信用卡丢了怎么办', '信用卡挂失', '信用卡被偷了', '信用卡不见了怎么处理']),
  entry('debit-fee', '借记卡年费是多少？', ['储蓄卡年费', '借记卡要交年费吗', '银行卡管理费多少钱', '借记卡小额账户管理费']),
  entry('transfer-limit', '手机银行转账限额是多少？', ['手机转账最多能转多少', '转账额度', '每天能转多少钱', '手机银行转账上限'], { related: ['transfer-fee'] }),
  entry('transfer-fee', '跨行转账收手续费吗？', ['转账手续费', '跨行转账要钱吗', '给别的银行转账收费吗', '他行转账费用']),
  entry('expired-promo', '2020年春节存款活动有哪些？', ['春节存款活动', '存款送礼活动', '过年存钱活动'], { validTo: '2020-12-31T00:00:00Z' }),
  entry('en-lost', 'I lost my card, what should I do?', ['lost card', 'my card is missing', 'report a stolen card', 'card was stolen']),
];
const settings = BotSettings.parse({ hotQuestions: ['transfer-limit', 'debit-fee', 'en-lost'], handoffAfterFailures: 2 });
const now = new Date('2026-11-24T08:00:00Z');
let loaded: LoadedBot;
const bot = () => {
  loaded ??= {
    botId: 'b', version: 1, loadedAt: now, entries: new Map(ENTRIES.map((e) => [e.id, e])),
    model: trainFaqMatcher(ENTRIES.map((e) => ({ id: e.id, questions: [e.question, ...e.similar] })), {}) as LoadedBot['model'],
  };
  return loaded;
};

test('parseChoice understands numbers in the forms customers type', () => {
  for (const [t, n] of [['1', 1], ['２', 2], ['第2个', 2], ['第二个', 2], ['选3', 3], ['2.', 2], ['②', 2], ['option 1', 1]] as const) {
    assert.equal(parseChoice(t), n, t);
  }
  for (const t of ['12345', '转账', '', '第十个']) assert.equal(parseChoice(t), null, t);
});

test('a clear question is answered from its entry, with related questions', () => {
  const r = decide(settings, bot(), {}, '手机银行转账限额是多少', 'web', now);
  assert.equal(r.replies[0].type, 'answer');
  assert.equal(r.replies[0].entryId, 'transfer-limit');
  assert.equal(r.replies[0].related?.[0]?.entryId, 'transfer-fee');
  assert.equal(r.state.failures, 0);
});

test('an ambiguous question is clarified, and the chosen number is answered', () => {
  const r = decide(settings, bot(), {}, '卡丢了', 'web', now);
  assert.equal(r.replies[0].type, 'clarify', JSON.stringify(r.replies));
  const ids = r.replies[0].options!.map((o) => o.entryId);
  assert.ok(ids.includes('debit-loss') && ids.includes('credit-loss'), ids.join());
  const n = r.replies[0].options!.find((o) => o.entryId === 'credit-loss')!.n;
  const r2 = decide(settings, bot(), r.state, String(n), 'web', now);
  assert.equal(r2.replies[0].type, 'answer');
  assert.equal(r2.replies[0].entryId, 'credit-loss');
});

test('nonsense falls back with hot questions in the customer language, then hands off after N failures', () => {
  const r1 = decide(settings, bot(), {}, '今天天气怎么样啊', 'web', now);
  assert.equal(r1.replies[0].type, 'fallback');
  assert.deepEqual(r1.replies[0].options!.map((o) => o.entryId), ['transfer-limit', 'debit-fee']);
  const r2 = decide(settings, bot(), r1.state, '火星上有外星人吗', 'web', now);
  assert.equal(r2.replies[0].type, 'handoff');
  assert.ok(r2.events.some((e) => e.type === EV.handoff));
});

test('asking for a person hands off at once, in Chinese and English', () => {
  for (const t of ['转人工', '我要人工客服', 'I want to talk to a human agent']) {
    const r = decide(settings, bot(), {}, t, 'web', now);
    assert.equal(r.replies[0].type, 'handoff', t);
    assert.equal(r.handoff, true);
  }
});

test('greetings and thanks get small talk, not knowledge', () => {
  assert.equal(decide(settings, bot(), {}, '你好', 'web', now).replies[0].text, settings.greeting);
  assert.equal(decide(settings, bot(), {}, '谢谢！', 'web', now).replies[0].text, settings.thanksReply);
  assert.match(decide(settings, bot(), {}, 'hello', 'web', now).replies[0].text, /assistant/);
});

test('expired entries are never served, even for their exact question', () => {
  const r = decide(settings, bot(), {}, '2020年春节存款活动有哪些？', 'web', now);
  assert.notEqual(r.replies[0].entryId, 'expired-promo');
  assert.ok(!JSON.stringify(r.replies).includes('expired-promo'));
});

test('English questions are answered and fall back in English', () => {
  const r = decide(settings, bot(), {}, 'someone stole my card', 'web', now);
  assert.ok(['answer', 'clarify'].includes(r.replies[0].type));
  assert.ok(JSON.stringify(r.replies).includes('en-lost'));
  const f = decide(settings, bot(), {}, 'what is the capital of france', 'web', now);
  assert.equal(f.replies[0].type, 'fallback');
  assert.match(f.replies[0].text, /Sorry/);
});

test('the state stored after each turn equals the state replayed from the event log', () => {
  let state: RobotState = {};
  const log: { type: string; payload: Record<string, unknown> }[] = [];
  for (const t of ['卡丢了', '1', '今天天气怎么样', '转账限额', '火星人', '宇宙尽头', '卡丢了', '都不是']) {
    const r = decide(settings, bot(), state, t, 'web', now);
    log.push({ type: EV.received, payload: { text: t } }, ...r.events);
    state = r.state;
    const replayed = replayState(log);
    for (const k of ['failures', 'pending', 'lastEntryId'] as const) {
      assert.deepEqual(replayed[k] ?? (k === 'failures' ? 0 : undefined), state[k] ?? (k === 'failures' ? 0 : undefined), `${k} after "${t}"`);
    }
  }
});

test('an underspecified short question contained in several entries is asked back; a full one is answered', () => {
  const entries = [
    entry('credit-loss', '信用卡丢了怎么挂失？', ['信用咔丢了', '信用卡被偷了']),
    entry('debit-loss', '借记卡丢了怎么挂失？', ['我的储蓄卡丢了', '工资卡不见了']),
    entry('mortgage-card', '房贷扣款卡丢了怎么办？', ['房贷扣款卡丢了', '还房贷的卡丢了']),
    entry('credit-fee', '信用卡年费多少？', ['信用卡年费多少', '信用卡要交年费吗']),
    entry('debit-fee', '借记卡年费多少？', ['借记卡年费多少', '储蓄卡年费']),
  ];
  const lb: LoadedBot = {
    botId: 'b2', version: 1, loadedAt: now, entries: new Map(entries.map((e) => [e.id, e])),
    model: trainFaqMatcher(entries.map((e) => ({ id: e.id, questions: [e.question, ...e.similar] })), {}) as LoadedBot['model'],
  };
  for (const [q, expected] of [['卡丢了', ['credit-loss', 'debit-loss', 'mortgage-card']], ['年费多少', ['credit-fee', 'debit-fee']]] as const) {
    const r = decide(settings, lb, {}, q, 'web', now);
    assert.equal(r.replies[0].type, 'clarify', `${q}: ${JSON.stringify(r.replies)}`);
    assert.deepEqual(new Set(r.replies[0].options!.map((o) => o.entryId)), new Set(expected), q);
  }
  const full = decide(settings, lb, {}, '信用卡丢了怎么挂失', 'web', now);
  assert.equal(full.replies[0].type, 'answer');
  assert.equal(full.replies[0].entryId, 'credit-loss');
  // A short question that is exactly one entry's question is answered.
  const exact = decide(settings, lb, {}, '储蓄卡年费', 'web', now);
  assert.equal(exact.replies[0].entryId, 'debit-fee');
});

test('a business flow is started by its trigger phrases, offered in a clarification, and by an entry it takes over', () => {
  const flow = (id: string, phrases: string[], entryIds?: string[]): FlowDefinition => FlowDefinition.parse({
    id, version: 1, name: { zh: id === 'balance' ? '余额查询' : '挂失', en: id }, triggers: { phrases, ...(entryIds ? { entryIds } : {}) },
    start: 'end', steps: { end: { type: 'end', text: 'ok' } },
  });
  const flows = [
    flow('balance', ['查一下我的余额', '我卡里还有多少钱', '帮我查余额', '账户余额多少', '我还剩多少钱', 'check my balance', "what's my balance"]),
    flow('card-loss', ['帮我挂失'], ['credit-loss']),
  ];
  const snapshot = { entries: ENTRIES, flows };
  const lb: LoadedBot = {
    ...bot(), botId: 'b3',
    model: trainFaqMatcher(trainingDocs(snapshot), {}) as LoadedBot['model'],
    flows: new Map(flows.map((f) => [f.id, f])),
    flowByEntry: new Map([['credit-loss', 'card-loss']]),
  };
  const r = decide(settings, lb, {}, '我卡里还有多少钱啊', 'web', now);
  assert.equal(r.startFlow, 'balance');
  assert.equal(r.replies.length, 0, 'the flow speaks, not the robot');
  assert.ok(r.events.some((e) => e.type === EV.understood && e.payload.decision === 'flow'));
  // An entry a flow takes over starts the flow instead of being answered.
  assert.equal(decide(settings, lb, {}, '信用卡丢了怎么挂失', 'web', now).startFlow, 'card-loss');
  // A flow offered among clarification options is started when chosen.
  const pending = [{ n: 1, entryId: 'flow:balance', text: '余额查询' }, { n: 2, entryId: 'debit-fee', text: '借记卡年费是多少？' }];
  assert.equal(decide(settings, lb, { pending }, '1', 'web', now).startFlow, 'balance');
  assert.equal(decide(settings, lb, { pending }, '2', 'web', now).replies[0].entryId, 'debit-fee');
  // Knowledge questions are still answered from knowledge.
  assert.equal(decide(settings, lb, {}, '手机银行转账限额是多少', 'web', now).replies[0].entryId, 'transfer-limit');
});

test('a follow-up that leaves out its subject is answered as the full question it stands for, and replays', () => {
  const entries = [
    entry('credit-fee', '信用卡年费多少？', ['信用卡要交年费吗', '信用卡年费怎么收']),
    entry('debit-fee', '借记卡年费多少？', ['储蓄卡年费', '借记卡要年费吗']),
    entry('credit-loss', '信用卡丢了怎么挂失？', ['信用卡被偷了']),
  ];
  const lb: LoadedBot = {
    botId: 'b4', version: 1, loadedAt: now, entries: new Map(entries.map((e) => [e.id, e])),
    model: trainFaqMatcher(entries.map((e) => ({ id: e.id, questions: [e.question, ...e.similar] })), {}) as LoadedBot['model'],
  };
  const log: { type: string; payload: Record<string, unknown> }[] = [];
  let state: RobotState = {};
  const turn = (t: string) => {
    const r = decide(settings, lb, state, t, 'web', now);
    log.push({ type: EV.received, payload: { text: t } }, ...r.events);
    state = r.state;
    return r;
  };
  assert.equal(turn('借记卡年费多少').replies[0].entryId, 'debit-fee');
  const r = turn('那信用卡呢');
  assert.equal(r.replies[0].entryId, 'credit-fee');
  assert.ok(r.events.some((e) => e.type === EV.understood && typeof e.payload.rewritten === 'string'));
  assert.equal(replayState(log).lastQuestion, state.lastQuestion);
  // Without an earlier question there is nothing to inherit.
  assert.notEqual(decide(settings, lb, {}, '那信用卡呢', 'web', now).replies[0].type, 'answer');
});
