import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TranscriptItem as ServerItem } from '@lingxi/contracts';
import { fromServer, mergeItems, parseWrapup, robotPartEnd, type TranscriptItem } from './transcript.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, s)).toISOString();
const line = (seq: number, type: string, kind: ServerItem['kind'], text: string, extra: Partial<ServerItem> = {}): TranscriptItem => fromServer({ seq, type, kind, text, at: at(seq), ...extra });

test("the robot's part ends where the hand-off starts", () => {
  const items = [
    line(2, 'message.received', 'customer', '信用卡年费怎么收'),
    line(4, 'reply.sent', 'bot', '年费规则如下…'),
    line(5, 'message.received', 'customer', '转人工'),
    line(6, 'conversation.handoff', 'system', '转人工（customer_request）'),
    line(7, 'conversation.queued', 'system', '进入排队：信用卡'),
    line(8, 'conversation.assigned', 'system', '客服小王 接入（pick）', { agentName: '客服小王' }),
    line(9, 'agent.message', 'agent', '您好', { agentName: '客服小王' }),
  ];
  assert.equal(robotPartEnd(items), 3);
  assert.equal(robotPartEnd(items.slice(2)), -1, 'no robot line before: no divider');
});

test('a live frame and a re-read of the same events merge into one line per seq, in order, keeping the event type', () => {
  const frame: TranscriptItem = { seq: 3, kind: 'customer', text: 'c', at: at(3) };
  const rest = [line(1, 'message.received', 'customer', 'a'), line(2, 'reply.sent', 'bot', 'b'), line(3, 'message.received', 'customer', 'c')];
  const merged = mergeItems(rest, [frame]);
  assert.deepEqual(merged.map((i) => i.text), ['a', 'b', 'c']);
  assert.equal(merged[2].type, 'message.received');
});

test("the agent's local echo stays until the server's copy arrives; each copy confirms one echo", () => {
  const echo: TranscriptItem = { seq: null, kind: 'agent', text: '好的', at: at(10), clientMsgId: 'am_1', pending: true, afterSeq: 4 };
  const echo2: TranscriptItem = { ...echo, clientMsgId: 'am_2', at: at(11) };
  let items = mergeItems([line(4, 'message.received', 'customer', '谢谢')], [echo, echo2]);
  assert.equal(items.length, 3);
  items = mergeItems(items, [line(5, 'agent.message', 'agent', '好的')]);
  assert.deepEqual(items.map((i) => [i.seq, i.text]), [[4, '谢谢'], [5, '好的'], [null, '好的']]);
  items = mergeItems(items, [{ seq: 6, kind: 'agent', text: '好的', at: at(12) }]);
  assert.deepEqual(items.map((i) => i.seq), [4, 5, 6]);
  // An older line with the same text does not confirm a newer echo.
  const late: TranscriptItem = { ...echo, clientMsgId: 'am_3', afterSeq: 6 };
  assert.equal(mergeItems(items, [late]).length, 4);
});

test('wrap-up lines are read back into category and summary', () => {
  assert.deepEqual(parseWrapup('小结：【card】客户咨询年费，已解释'), { category: 'card', summary: '客户咨询年费，已解释' });
  assert.equal(parseWrapup('会话结束'), null);
});
