import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CT, renderRcsReply } from './render.ts';
import { msisdnOf, parseRcsInbound, verifyRcsAuth } from './parse.ts';

test('an answer becomes a rich card titled with the question, related questions as chips posting back the question', () => {
  const parts = renderRcsReply(
    { type: 'answer', text: '请拨打客服热线挂失。', entryId: 'e1', related: [{ n: 1, text: '信用卡补卡需要多久？', entryId: 'e2' }] },
    (id) => (id === 'e1' ? '信用卡丢失如何挂失？' : null),
  );
  assert.equal(parts[0].contentType, CT.card);
  const card = (parts[0].contentText as any).message.generalPurposeCard;
  assert.equal(card.layout.cardOrientation, 'VERTICAL');
  assert.deepEqual(card.content, { title: '信用卡丢失如何挂失？', description: '请拨打客服热线挂失。' });
  assert.equal(parts[1].contentType, CT.suggestions);
  assert.deepEqual((parts[1].contentText as any).suggestions[0], { reply: { displayText: '信用卡补卡需要多久？', postback: { data: '信用卡补卡需要多久？' } } });
});

test('clarification options become suggested replies whose postback is the option number; labels fit 25 characters', () => {
  const long = '这是一个非常非常长的问题标题，超过了二十五个字符的限制呀呀呀';
  const parts = renderRcsReply({ type: 'clarify', text: '您想问哪一个？', options: [{ n: 1, text: '挂失' }, { n: 2, text: long }] }, () => null);
  assert.deepEqual(parts[0], { contentType: CT.text, contentEncoding: 'utf8', contentText: '您想问哪一个？' });
  const s = (parts[1].contentText as any).suggestions;
  assert.deepEqual(s[0], { reply: { displayText: '1. 挂失', postback: { data: '1' } } });
  assert.equal([...s[1].reply.displayText].length, 25);
  assert.equal(s[1].reply.postback.data, '2');
});

test('an answer whose entry is unknown falls back to a text part', () => {
  assert.equal(renderRcsReply({ type: 'answer', text: 'x', entryId: 'gone' }, () => null)[0].contentType, CT.text);
});

test('inbound: CSP messageList text and suggestion response, MaaP inboundMessage, FNW.11 events, status reports', () => {
  assert.deepEqual(parseRcsInbound({ messageId: 'm1', senderAddress: 'tel:+8613800138000', messageList: [{ contentType: 'text/plain', contentText: '余额' }] }),
    { kind: 'text', id: 'm1', from: '13800138000', text: '余额' });
  assert.deepEqual(parseRcsInbound({ messageId: 'm2', senderAddress: 'tel:+8613800138000', messageList: [{ contentType: CT.suggestionResponse, contentText: { response: { reply: { displayText: '1. 挂失', postback: { data: '1' } } } } }] }),
    { kind: 'postback', id: 'm2', from: '13800138000', data: '1', displayText: '1. 挂失' });
  assert.deepEqual(parseRcsInbound({ inboundMessage: { messageId: 'm3', senderAddress: 'tel:+8613800138000', contentType: CT.suggestionResponse, bodyText: '{"response":{"reply":{"displayText":"x","postback":{"data":"2"}}}}' } }),
    { kind: 'postback', id: 'm3', from: '13800138000', data: '2', displayText: 'x' });
  assert.deepEqual(parseRcsInbound({ event: 'message', messageContact: { userContact: '+8613800138000' }, RCSMessage: { msgId: 'm4', textMessage: 'hi' } }),
    { kind: 'text', id: 'm4', from: '13800138000', text: 'hi' });
  assert.deepEqual(parseRcsInbound({ deliveryInfo: { address: 'tel:+8613800138000', messageId: 'o1', deliveryStatus: 'DeliveryImpossible', description: 'SVC4001' } }),
    { kind: 'status', messageId: 'o1', to: '13800138000', status: 'DeliveryImpossible', description: 'SVC4001' });
  assert.equal(parseRcsInbound({ messageId: 'm5', senderAddress: 'tel:+8613800138000', messageList: [{ contentType: 'text/plain', contentText: 'geo:22.5,114.0' }] })?.kind, 'unsupported');
  assert.equal(parseRcsInbound({ messageList: 'x' }), null);
  assert.equal(parseRcsInbound('x'), null);
  assert.equal(msisdnOf('sip:+8613800138000@botplatform.rcs.chinamobile.com'), '13800138000');
});

test('notification auth: Username/Password header or bearer token, compared exactly', () => {
  const exp = { mode: 'password' as const, username: 'bot1', password: 'pw-1' };
  assert.ok(verifyRcsAuth('Username="bot1",Password="pw-1"', exp));
  assert.ok(!verifyRcsAuth('Username="bot1",Password="pw-2"', exp));
  assert.ok(!verifyRcsAuth('Username="bot2",Password="pw-1"', exp));
  assert.ok(!verifyRcsAuth(undefined, exp));
  assert.ok(verifyRcsAuth('Bearer tok', { mode: 'bearer', token: 'tok' }));
  assert.ok(!verifyRcsAuth('Bearer tok2', { mode: 'bearer', token: 'tok' }));
});
