import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCoreApp, type CoreApp } from '../../../../demo-core/src/app.ts';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import { freePort } from '../../testing/ports.ts';
import { createLogger } from '../../platform/logger.ts';
import { ConnectorService, SECRET_MASK } from './connector-service.ts';
import { PgConnectorRepository } from './pg-connector-repository.ts';

const SECRET = 'super-secret-header-value-42';
const HMAC_SECRET = 'hmac-secret-value-0123456789';

/** A small valid connector definition (without id: the path gives it). */
const coreB = (over: Record<string, unknown> = {}) => ({
  name: 'Core B', baseUrl: 'http://127.0.0.1:9/api',
  auth: { type: 'header', name: 'X-Api-Key', value: SECRET },
  operations: { balance: { method: 'GET', path: '/accounts/{accountId}/balance', map: { balance: 'balance' } } },
  ...over,
});

for (const variant of await bothDatabases()) {
  describe(`connectors as tenant data (${variant.name})`, () => {
    const env = useDemoApp(variant);
    let admin: string;
    let operator: string;
    let agent: string;
    let otherAdmin: string;
    let tenantId: string;
    let core: CoreApp;
    let coreUrl: string;

    before(async () => {
      admin = await login(env.app);
      tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
      await env.deps.auth.createUser(tenantId, { username: 'kb-operator', password: 'operator-password-1', roles: ['knowledge_operator'] });
      await env.deps.auth.createUser(tenantId, { username: 'agent-1', password: 'agent-password-1', roles: ['agent'] });
      operator = await login(env.app, 'kb-operator', 'operator-password-1', 'demo');
      agent = await login(env.app, 'agent-1', 'agent-password-1', 'demo');
      const other = await env.deps.tenancy.createTenant('other-bank', '另一家银行');
      await env.deps.auth.createUser(other.id, { username: 'other-admin', password: 'other-admin-password', roles: ['admin'] });
      otherAdmin = await login(env.app, 'other-admin', 'other-admin-password', 'other-bank');
      core = await buildCoreApp({ apiKey: 'live-core-key' });
      const port = await freePort();
      await core.listen({ host: '127.0.0.1', port });
      coreUrl = `http://127.0.0.1:${port}`;
    });
    after(async () => {
      await core?.close();
    });

    const api = (token: string, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });

    test('the demo tenant is seeded with the demo-core connector, its key masked', async () => {
      const r = await api(admin, 'GET', '/api/v1/connectors');
      assert.equal(r.statusCode, 200, r.body);
      const demo = r.json().items.find((c: { id: string }) => c.id === 'demo-core');
      assert.ok(demo, 'demo-core is seeded');
      assert.equal(demo.baseUrl, env.deps.config.LINGXI_DEMO_CORE_URL);
      assert.deepEqual(demo.definition.auth, { type: 'header', name: 'X-Api-Key', value: SECRET_MASK });
      assert.ok(demo.operations.includes('customerByPhone') && demo.operations.includes('reportLoss'));
      assert.ok(!r.body.includes(env.deps.config.LINGXI_DEMO_CORE_API_KEY), 'the API key never leaves the server');
      assert.ok((await env.deps.connectors.operations(tenantId))['demo-core'].includes('balance'));
    });

    test('create, read, replace, delete: the secret is stored encrypted and never returned', async () => {
      const created = await api(admin, 'PUT', '/api/v1/connectors/core-b', coreB());
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().revision, 1);
      assert.equal(created.json().definition.auth.value, SECRET_MASK);
      assert.equal(created.json().definition.timeoutMs, 5000, 'defaults applied');
      assert.ok(!created.body.includes(SECRET));

      // The raw row: no secret in the definition; the sealed column decrypts to it.
      const [row] = await env.deps.db.query(`SELECT definition::text AS def, secrets_enc FROM connectors WHERE tenant_id = $1 AND id = 'core-b'`, [tenantId]);
      assert.ok(!row.def.includes(SECRET), 'definition without the secret');
      assert.ok(!row.secrets_enc.includes(SECRET), 'secret not in clear');
      assert.deepEqual(JSON.parse(env.deps.cipher.decrypt(row.secrets_enc)), { value: SECRET });

      const got = await api(operator, 'GET', '/api/v1/connectors/core-b');
      assert.equal(got.statusCode, 200);
      assert.ok(!got.body.includes(SECRET));

      // Round trip of what GET returned (mask included) keeps the stored secret; the revision grows.
      const edited = { ...got.json().definition, name: 'Core B (renamed)' };
      const replaced = await api(admin, 'PUT', '/api/v1/connectors/core-b', edited);
      assert.equal(replaced.statusCode, 200, replaced.body);
      assert.equal(replaced.json().revision, 2);
      assert.equal(replaced.json().name, 'Core B (renamed)');
      const [row2] = await env.deps.db.query(`SELECT secrets_enc FROM connectors WHERE tenant_id = $1 AND id = 'core-b'`, [tenantId]);
      assert.deepEqual(JSON.parse(env.deps.cipher.decrypt(row2.secrets_enc)), { value: SECRET });

      // HMAC: the secret is sealed the same way; a masked secret with none stored of that kind is refused.
      const noHmac = await api(admin, 'PUT', '/api/v1/connectors/core-b', coreB({ auth: { type: 'hmac', secret: SECRET_MASK } }));
      assert.equal(noHmac.statusCode, 400);
      assert.match(noHmac.json().error.details.problems.join('\n'), /auth\.secret: the secret is required/);
      const hmac = await api(admin, 'PUT', '/api/v1/connectors/core-b', coreB({ auth: { type: 'hmac', secret: HMAC_SECRET } }));
      assert.equal(hmac.statusCode, 200, hmac.body);
      assert.equal(hmac.json().definition.auth.secret, SECRET_MASK);
      assert.ok(!hmac.body.includes(HMAC_SECRET));

      // Audited, without the secret.
      const audit = await env.deps.audit.list(tenantId, { limit: 50 });
      const mine = audit.filter((a) => a.target === 'core-b');
      assert.deepEqual(mine.map((a) => a.action).reverse(), ['connector.create', 'connector.update', 'connector.update']);
      assert.ok(!JSON.stringify(mine).includes(SECRET) && !JSON.stringify(mine).includes(HMAC_SECRET));

      assert.equal((await api(admin, 'DELETE', '/api/v1/connectors/core-b')).statusCode, 204);
      assert.equal((await api(admin, 'GET', '/api/v1/connectors/core-b')).statusCode, 404);
      assert.equal((await api(admin, 'DELETE', '/api/v1/connectors/core-b')).statusCode, 404);
      assert.equal((await env.deps.audit.list(tenantId, { action: 'connector.delete' }))[0]?.target, 'core-b');
    });

    test('an invalid connector is refused with every problem listed, and nothing is stored', async () => {
      const r = await api(admin, 'PUT', '/api/v1/connectors/broken', {
        name: 'Broken', baseUrl: 'ftp://core.example/api', auth: { type: 'none' },
        operations: {
          lookup: { method: 'GET', path: '/customers/{customerId', body: { x: 1 } },
          search: { method: 'GET', path: '/search?q={q}' },
        },
      });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().error.code, 'validation_failed');
      const problems: string[] = r.json().error.details.problems;
      assert.ok(problems.some((p) => /baseUrl: only http and https/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /operations\.lookup\.path: unbalanced braces/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /operations\.lookup\.body: GET requests carry no body/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /operations\.search\.path: put query parameters in "query"/.test(p)), problems.join('\n'));
      assert.equal((await api(admin, 'GET', '/api/v1/connectors/broken')).statusCode, 404);

      const schema = await api(admin, 'PUT', '/api/v1/connectors/broken', { name: 'x', operations: {} });
      assert.equal(schema.statusCode, 400);
      assert.ok(schema.json().error.details.problems.some((p: string) => p.startsWith('baseUrl:')));
      const mismatch = await api(admin, 'PUT', '/api/v1/connectors/core-c', { ...coreB(), id: 'core-d' });
      assert.equal(mismatch.statusCode, 400);
      assert.match(mismatch.json().error.message, /differs from the path/);
    });

    test('roles and tenants: flow authors read, only admins write; another tenant sees nothing', async () => {
      assert.equal((await api(operator, 'GET', '/api/v1/connectors')).statusCode, 200);
      assert.equal((await api(operator, 'PUT', '/api/v1/connectors/core-x', coreB())).statusCode, 403);
      assert.equal((await api(operator, 'DELETE', '/api/v1/connectors/demo-core')).statusCode, 403);
      assert.equal((await api(agent, 'GET', '/api/v1/connectors')).statusCode, 403);
      assert.equal((await env.app.inject({ url: '/api/v1/connectors' })).statusCode, 401);

      assert.equal((await api(otherAdmin, 'GET', '/api/v1/connectors/demo-core')).statusCode, 404);
      assert.deepEqual((await api(otherAdmin, 'GET', '/api/v1/connectors')).json().items, []);
      assert.equal((await api(otherAdmin, 'DELETE', '/api/v1/connectors/demo-core')).statusCode, 404);
      // The same id in another tenant is another connector.
      assert.equal((await api(otherAdmin, 'PUT', '/api/v1/connectors/demo-core', coreB({ name: 'Their core' }))).statusCode, 201);
      assert.equal((await api(admin, 'GET', '/api/v1/connectors/demo-core')).json().name, '演示核心系统 (demo core banking)');
    });

    test('runtime: flows call the live core through callForFlow; instances are cached per revision', async () => {
      const c = env.deps.connectors;
      assert.deepEqual(await c.callForFlow(tenantId, { connector: 'nope', operation: 'x' }, {}), { ok: false, error: 'unknown_connector' });

      // Point the seeded connector at the live core (the stored key is kept when the secret is left out).
      const cur = (await api(admin, 'GET', '/api/v1/connectors/demo-core')).json().definition;
      const put = await api(admin, 'PUT', '/api/v1/connectors/demo-core', { ...cur, baseUrl: coreUrl, auth: { type: 'header', name: 'X-Api-Key', value: 'live-core-key' } });
      assert.equal(put.statusCode, 200, put.body);
      const customer = core.coreStore.data.customers[0];
      const who = await c.callForFlow(tenantId, { connector: 'demo-core', operation: 'customerByPhone' }, { phone: customer.mobile });
      assert.deepEqual(who, { ok: true, vars: { customerId: customer.id, customerName: customer.name, customerMobile: customer.mobile, customerLevel: customer.level } });
      const a = await c.connectorFor(tenantId, 'demo-core');
      assert.equal(await c.connectorFor(tenantId, 'demo-core'), a, 'same instance while the definition is unchanged');
      const err = await c.callForFlow(tenantId, { connector: 'demo-core', operation: 'balance' }, { accountId: 'NO-SUCH' });
      assert.deepEqual(err, { ok: false, error: 'http_error', status: 400 });

      // A wrong key is the core's 401 (http_error); after the change a new instance is built.
      await api(admin, 'PUT', '/api/v1/connectors/demo-core', { ...cur, baseUrl: coreUrl, auth: { type: 'header', name: 'X-Api-Key', value: 'wrong-key' } });
      assert.notEqual(await c.connectorFor(tenantId, 'demo-core'), a);
      assert.deepEqual(await c.callForFlow(tenantId, { connector: 'demo-core', operation: 'customerByPhone' }, { phone: customer.mobile }), { ok: false, error: 'http_error', status: 401 });
      await api(admin, 'PUT', '/api/v1/connectors/demo-core', { ...cur, baseUrl: coreUrl, auth: { type: 'header', name: 'X-Api-Key', value: 'live-core-key' } });
    });

    test('runtime: the circuit breaker persists across calls; a fresh requestId is the idempotency key unless given', async () => {
      const c = env.deps.connectors;
      const closedPort = await freePort();
      const put = await api(admin, 'PUT', '/api/v1/connectors/flaky', coreB({
        baseUrl: `http://127.0.0.1:${closedPort}`, retries: { max: 0 }, circuitBreaker: { failureThreshold: 2, openMs: 60_000 },
      }));
      assert.equal(put.statusCode, 201, put.body);
      const call = () => c.callForFlow(tenantId, { connector: 'flaky', operation: 'balance' }, { accountId: 'A1' });
      assert.deepEqual(await call(), { ok: false, error: 'unavailable' });
      assert.deepEqual(await call(), { ok: false, error: 'unavailable' });
      assert.deepEqual(await call(), { ok: false, error: 'circuit_open' }, 'the third call finds the circuit the first two opened');

      // requestId: a connector service over the same table with a recording fetch.
      const seen: string[] = [];
      const fetchSpy = (async (_url: string | URL | Request, init?: RequestInit) => {
        seen.push(String((init?.headers as Record<string, string>)['idempotency-key']));
        return new Response(JSON.stringify({ caseNo: 'LC1', status: 'reported', reportedAt: '2025-03-15T00:00:00Z' }), { status: 200 });
      }) as typeof fetch;
      const spy = new ConnectorService({
        repo: new PgConnectorRepository(env.deps.db), cipher: env.deps.cipher, audit: env.deps.audit, clock: env.deps.clock,
        logger: createLogger('silent'), fetch: fetchSpy,
      });
      const effect = { connector: 'demo-core', operation: 'reportLoss' };
      assert.equal((await spy.callForFlow(tenantId, effect, { cardNo: '6222020000000001', customerId: 'C0001' })).ok, true);
      assert.equal((await spy.callForFlow(tenantId, effect, { cardNo: '6222020000000001', customerId: 'C0001' })).ok, true);
      assert.equal((await spy.callForFlow(tenantId, effect, { cardNo: '6222020000000001', customerId: 'C0001', requestId: 'mine-1' })).ok, true);
      assert.match(seen[0], /^req_/);
      assert.notEqual(seen[0], seen[1], 'a fresh request id per call');
      assert.equal(seen[2], 'mine-1');
    });
  });
}
