import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorDefinition, operationInputs, readJsonPath, renderBody, renderString, validateConnector } from './connector-definition.ts';
import { demoCoreConnector } from './demo-core-connector.ts';

test('JSON path reads dots and indexes, own properties only', () => {
  const body = { a: { b: [{ c: 1 }, { c: null }] }, '金额': 5 };
  assert.equal(readJsonPath(body, 'a.b[0].c'), 1);
  assert.equal(readJsonPath(body, 'a.b[1].c'), null);
  assert.equal(readJsonPath(body, 'a.b[2].c'), undefined);
  assert.equal(readJsonPath(body, '金额'), 5);
  assert.equal(readJsonPath(body, '$'), body);
  assert.equal(readJsonPath(body, 'a.constructor'), undefined);
  assert.equal(readJsonPath(body, 'a.b.length'), undefined);
  assert.equal(readJsonPath('text', 'length'), undefined);
});

test('templates: URL-encoded path values, typed body values, missing variables', () => {
  assert.equal(renderString('/cards/{cardNo}/x', { cardNo: 'a/b c' }, encodeURIComponent), '/cards/a%2Fb%20c/x');
  assert.deepEqual(renderBody({ n: '{amount}', s: '卡号{cardNo}', list: ['{flag}'] }, { amount: 12.5, cardNo: 1234, flag: true }), { n: 12.5, s: '卡号1234', list: [true] });
  assert.throws(() => renderString('/x/{id}', {}), /\{id\} has no value/);
  assert.throws(() => renderString('/x/{id}', { id: { nested: 1 } }), /has no value/);
  assert.throws(() => renderString('/x/{toString}', {}), /has no value/);
  assert.deepEqual(operationInputs(ConnectorDefinition.parse(demoCoreConnector('http://h', 'k')).operations.reportLoss).sort(), ['cardNo', 'customerId', 'requestId']);
});

test('validateConnector lists problems; the demo definition is clean', () => {
  assert.deepEqual(validateConnector(demoCoreConnector('http://127.0.0.1:3100', 'k')), []);
  const parsed = ConnectorDefinition.parse(demoCoreConnector('http://h', 'k'));
  assert.equal(parsed.timeoutMs, 5000);
  assert.deepEqual(parsed.retries.onStatuses, [502, 503, 504]);

  const bad = {
    id: 'core', name: 'Core', baseUrl: 'ftp://user:pw@core?x=1', timeoutMs: 1000,
    operations: {
      a: { method: 'GET', path: '/a/{acct}/{bad-name}', query: { q: '{from' }, body: { x: 1 }, map: {} },
      b: { method: 'POST', path: '/b?x=1', map: { v: 'data..x' } },
    },
  };
  const p = validateConnector(bad, { variables: ['from'] });
  assert.ok(p.some((x) => x.includes('operations.b.map.v')), p.join('\n'));
  const p2 = validateConnector({ ...bad, operations: { a: bad.operations.a, b: { method: 'POST', path: '/b?x=1', map: {} } } }, { variables: ['from'] });
  for (const want of [/only http and https/, /credentials belong in auth/, /query or fragment/, /unknown placeholder \{acct\}/, /"\{bad-name\}" is not a valid placeholder/, /query\.q: unbalanced braces/, /GET requests carry no body/, /operations\.b\.path: put query parameters/]) {
    assert.ok(p2.some((x) => want.test(x)), `${want} in:\n${p2.join('\n')}`);
  }
  assert.ok(validateConnector({ id: 'x', name: 'x', baseUrl: 'not a url', operations: { a: { method: 'GET', path: '/a' } } }).some((x) => /not an absolute URL/.test(x)));
  assert.ok(validateConnector({ id: 'X!', name: 'x', baseUrl: 'http://h', auth: { type: 'hmac', secret: 'short' }, operations: {} }).length >= 2);
});
