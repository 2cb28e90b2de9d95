import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeHref } from './sanitize.ts';

// The DOM walk itself runs in a real browser (e2e/sanitize.spec.ts): Node has no HTML parser to test it honestly.

test('only absolute http(s) links keep their href', () => {
  assert.equal(safeHref('https://bank.example/rates'), 'https://bank.example/rates');
  assert.equal(safeHref('  http://bank.example  '), 'http://bank.example/');
  for (const bad of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '/relative/path',
    '//evil.example/x',
    '',
    null,
  ]) {
    assert.equal(safeHref(bad), null, String(bad));
  }
});
