/**
 * When the robot asks for a rating (the rule lives in robot/robot-service.ts decide(); tested here with the rest of
 * satisfaction): a goodbye always ends the conversation with the card; thanks does after the robot has answered
 * something; only channels that can show a card get one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BotSettings } from '../tenancy/bot-settings.ts';
import { decide } from '../robot/robot-service.ts';

const settings = BotSettings.parse({});
const now = new Date('2026-11-24T08:00:00Z');
const last = (text: string, state = {}, channel = 'web') => {
  const r = decide(settings, null, state, text, channel, now);
  return { reply: r.replies.at(-1)!, decision: (r.events.find((e) => e.type === 'nlu.understood')!.payload as { decision: string }).decision };
};

test('goodbyes, with or without thanks first, in Chinese and English, bring the rating card', () => {
  for (const t of ['再见', '拜拜', '谢谢，再见', '谢谢您的帮助，再见！', '好的谢谢，拜拜', 'bye', 'thanks, bye', 'Thank you, goodbye!']) {
    const { reply, decision } = last(t);
    assert.equal(decision, 'bye', t);
    assert.deepEqual(reply.rating, { scale: 5 }, t);
  }
  assert.equal(last('谢谢，再见').reply.text, '感谢您的咨询，再见！');
});

test('thanks after an answer brings the card; thanks out of the blue does not', () => {
  assert.equal(last('谢谢').reply.rating, undefined);
  assert.deepEqual(last('谢谢', { lastEntryId: 'credit-loss' }).reply.rating, { scale: 5 });
  assert.equal(last('谢谢', { lastEntryId: 'credit-loss' }).reply.text, settings.thanksReply, 'the reply itself is unchanged');
});

test('only channels that can show a card get one (web widget, app SDK, chat API)', () => {
  for (const ch of ['web', 'app', 'api']) assert.deepEqual(last('再见', {}, ch).reply.rating, { scale: 5 }, ch);
  for (const ch of ['sms', 'wechat', 'wecom', 'email', 'rcs']) assert.equal(last('再见', {}, ch).reply.rating, undefined, ch);
});

test('a sentence that merely contains a goodbye is not one', () => {
  for (const t of ['再见之前问一下年费', '谢谢，信用卡年费多少']) assert.notEqual(last(t).decision, 'bye', t);
});
