import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hmacSha256Hex } from '../../../platform/crypto.ts';
import { signParams } from '../../messaging/http-sms-provider.ts';
import { classifyInboundSms, fieldsOf, parseInboundSms, SmsInboundSettings, verifyInboundSms } from './inbound.ts';

const s = SmsInboundSettings.parse({});

test('JSON and form bodies give the same fields', () => {
  const j = fieldsOf('application/json', '{"mobile":"13800138000","content":"余额多少","msgId":"m1","n":1,"o":{"x":1}}');
  const f = fieldsOf('application/x-www-form-urlencoded', 'mobile=13800138000&content=%E4%BD%99%E9%A2%9D%E5%A4%9A%E5%B0%91&msgId=m1');
  assert.deepEqual(parseInboundSms(s, j!), { id: 'm1', from: '13800138000', text: '余额多少' });
  assert.deepEqual(parseInboundSms(s, f!), { id: 'm1', from: '13800138000', text: '余额多少' });
  assert.equal(fieldsOf('application/json', '{bad'), null);
  assert.equal(fieldsOf('application/json', '[1]'), null);
  assert.equal(parseInboundSms(s, { mobile: 'evil<script>', content: 'x', msgId: '1' }), null);
});

test('HMAC body signature: the right one passes, a forged or missing one fails', () => {
  const raw = '{"mobile":"13800138000","content":"hi","msgId":"m1"}';
  const fields = fieldsOf('application/json', raw)!;
  assert.ok(verifyInboundSms(s, 'sec', raw, fields, { 'x-signature': hmacSha256Hex('sec', raw) }));
  assert.ok(!verifyInboundSms(s, 'sec', raw, fields, { 'x-signature': hmacSha256Hex('other', raw) }));
  assert.ok(!verifyInboundSms(s, 'sec', raw + ' ', fields, { 'x-signature': hmacSha256Hex('sec', raw) }));
  assert.ok(!verifyInboundSms(s, 'sec', raw, fields, {}));
});

test('sorted-params signature mode checks the sign field over the other fields', () => {
  const p = SmsInboundSettings.parse({ signature: { mode: 'params' } });
  const fields = { mobile: '13800138000', content: 'hi', msgId: 'm1' };
  const sign = signParams({ algorithm: 'md5', over: 'sorted-params', secretParam: 'key', uppercase: true }, fields, 'k');
  assert.ok(verifyInboundSms(p, 'k', '', { ...fields, sign }, {}));
  assert.ok(!verifyInboundSms(p, 'k', '', { ...fields, content: 'changed', sign }, {}));
});

test('unsubscribe and re-subscribe keywords, auto-replies and receipts are recognised', () => {
  for (const k of ['退订', 'TD', 't', '取消订阅', 'STOP', 'unsubscribe', ' 退订。']) assert.equal(classifyInboundSms(k), 'unsubscribe', k);
  for (const k of ['订阅', 'START']) assert.equal(classifyInboundSms(k), 'resubscribe', k);
  for (const k of ['【自动回复】您好，我正在开会', 'Auto-reply: I am away', 'DELIVRD', '此号码已停机']) assert.equal(classifyInboundSms(k), 'auto_reply', k);
  for (const k of ['我想退订信用卡年费怎么办', '余额', 'Stop my card please']) assert.equal(classifyInboundSms(k), 'message', k);
});
