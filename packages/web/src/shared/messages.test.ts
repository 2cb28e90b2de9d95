import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en, zh, type MessageKey } from './messages.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every English string has the same placeholders as its Chinese original, and none is empty', () => {
  for (const key of Object.keys(zh) as MessageKey[]) {
    assert.ok(en[key]?.trim(), `en is missing ${key}`);
    assert.deepEqual(placeholders(en[key]), placeholders(zh[key]), `placeholders differ for ${key}`);
  }
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
});
