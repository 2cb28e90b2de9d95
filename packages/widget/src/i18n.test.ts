import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_CHARS } from '../../contracts/src/chat.ts';
import { format, pickLang, strings } from './i18n.ts';
import { MAX_CHARS } from './widget.ts';

test('Chinese by default, English only when asked', () => {
  assert.equal(pickLang(undefined), 'zh-CN');
  assert.equal(pickLang('zh-CN'), 'zh-CN');
  assert.equal(pickLang('zh-Hant'), 'zh-CN');
  assert.equal(pickLang('en'), 'en');
  assert.equal(pickLang('en-GB'), 'en');
  assert.equal(pickLang('ent'), 'zh-CN');
});

test('both tables fill every string, and placeholders match', () => {
  const zh = strings('zh-CN');
  const en = strings('en');
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const k of Object.keys(zh) as (keyof typeof zh)[]) {
    assert.ok(zh[k] && en[k], k);
    assert.deepEqual(en[k].match(/\{\w+\}/g), zh[k].match(/\{\w+\}/g), `placeholders of ${k}`);
  }
  assert.equal(format(zh.tooLong, { max: 2000 }), '消息过长，请精简到 2000 字以内。');
});

test('the widget refuses exactly what the server would refuse', () => {
  assert.equal(MAX_CHARS, MAX_MESSAGE_CHARS);
});
