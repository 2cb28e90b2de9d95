import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmsRequest, HttpSmsSettings, interpretSmsResponse, signParams } from './http-sms-provider.ts';
import { VendorError } from '../channels/core/vendor-http.ts';

// WeChat Pay v2 signing guide (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3), the published example:
// stringA sorted by name, stringSignTemp = stringA + "&key=" + key, MD5 upper-cased or HMAC-SHA256 keyed by key.
const WXPAY = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
const WXPAY_KEY = '192006250b4c09247ec02edce69f6a2d';

test('sorted-params MD5 signature matches the WeChat Pay v2 published example', () => {
  assert.equal(signParams({ algorithm: 'md5', over: 'sorted-params', secretParam: 'key', uppercase: true }, WXPAY, WXPAY_KEY), '9A0A8659F005D6984697E2CA0A9CF3B7');
});

test('sorted-params HMAC-SHA256 signature (secret appended, as WeChat Pay does) matches the published example', () => {
  assert.equal(signParams({ algorithm: 'hmac-sha256', over: 'sorted-params', secretParam: 'key', appendSecret: true, uppercase: true }, WXPAY, WXPAY_KEY), '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
});

test('a template signature renders its placeholders, the secret included', () => {
  const sig = signParams({ algorithm: 'md5', over: 'template', template: 'appid={{appid}}&body={{body}}&device_info={{device_info}}&mch_id={{mch_id}}&nonce_str={{nonce_str}}&key={{secret}}', secretParam: 'key', uppercase: true }, {}, WXPAY_KEY, WXPAY);
  assert.equal(sig, '9A0A8659F005D6984697E2CA0A9CF3B7');
});

test('empty params are left out of the signed string, as the gateways specify', () => {
  const s = { algorithm: 'md5' as const, over: 'sorted-params' as const, secretParam: 'key', uppercase: true };
  assert.equal(signParams(s, { ...WXPAY, attach: '' }, WXPAY_KEY), '9A0A8659F005D6984697E2CA0A9CF3B7');
});

const settings = HttpSmsSettings.parse({
  url: 'https://sms.example.com/send',
  format: 'form',
  params: { mobile: '{{to}}', content: '{{signName}}{{text}}', appKey: '{{appKey}}', ts: '{{timestamp}}', nonce: '{{nonce}}', outId: '{{idempotencyKey}}', sign: '{{sign}}' },
  signature: { algorithm: 'md5' },
  appKey: 'ak1', signName: '【灵犀银行】',
  success: { field: 'code', equals: '0' }, providerIdField: 'data.msgId', messageField: 'msg',
});

test('a templated request carries the rendered fields, the signature over them, and the idempotency key', () => {
  const r = buildSmsRequest(settings, 's3cret', { to: '13800138000', text: '您的验证码是 123456', idempotencyKey: 'k-1' }, new Date(1_700_000_000_000), 'n0nce');
  assert.equal(r.method, 'POST');
  assert.match(r.headers['content-type'], /x-www-form-urlencoded/);
  assert.equal(r.headers['idempotency-key'], 'k-1');
  const p = Object.fromEntries(new URLSearchParams(r.body!));
  assert.equal(p.mobile, '13800138000');
  assert.equal(p.content, '【灵犀银行】您的验证码是 123456');
  assert.equal(p.ts, '1700000000');
  assert.equal(p.outId, 'k-1');
  const { sign, ...rest } = p;
  assert.equal(sign, signParams(settings.signature!, rest, 's3cret'));
  assert.match(sign, /^[0-9A-F]{32}$/);
});

test('GET gateways get the params in the query string; a signing gateway without a secret is a configuration error', () => {
  const g = HttpSmsSettings.parse({ url: 'https://sms.example.com/api?user=u', method: 'GET', params: { m: '{{to}}', c: '{{text}}' } });
  const r = buildSmsRequest(g, undefined, { to: '138', text: '余额 1', idempotencyKey: 'k' }, new Date());
  const u = new URL(r.url);
  assert.equal(u.searchParams.get('user'), 'u');
  assert.equal(u.searchParams.get('c'), '余额 1');
  assert.equal(r.body, undefined);
  assert.throws(() => buildSmsRequest(settings, undefined, { to: '1', text: 'x', idempotencyKey: 'k' }, new Date()), VendorError);
});

test('response mapping: success value, provider id, refusals are permanent, 5xx and 429 retryable', () => {
  assert.deepEqual(interpretSmsResponse(settings, 200, '{"code":"0","data":{"msgId":"m-9"}}', 'k'), { providerId: 'm-9' });
  assert.deepEqual(interpretSmsResponse(settings, 200, '{"code":0}', 'k'), { providerId: 'k' });
  const refused = (() => { try { interpretSmsResponse(settings, 200, '{"code":"E21","msg":"号码格式错误"}', 'k'); } catch (e) { return e as VendorError; } })();
  assert.ok(refused && !refused.retryable && /号码格式错误/.test(refused.message));
  for (const st of [500, 503, 429]) assert.throws(() => interpretSmsResponse(settings, st, '', 'k'), (e: VendorError) => e.retryable);
  assert.throws(() => interpretSmsResponse(settings, 400, '', 'k'), (e: VendorError) => !e.retryable);
});
