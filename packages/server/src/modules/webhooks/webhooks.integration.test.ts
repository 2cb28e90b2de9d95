import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp, login } from '../../testing/app.ts';
import { fakeVendor, json } from './test-harness.ts';
import { verifyWebhookSignature } from './events.ts';
import { PgWebhookRepository } from './pg-webhook-repository.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import type { App } from '../../app.ts';
import type { Deps } from '../../compose.ts';

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Retries after ~1, 2, 4… ms instead of 30 s; receivers on 127.0.0.1. */
const FAST_PRIVATE = { LINGXI_WEBHOOK_BASE_BACKOFF_MS: '1', LINGXI_WEBHOOK_ALLOW_PRIVATE: 'true' };

for (const variant of await bothDatabases()) {
  describe(`outgoing webhooks on ${variant.name}`, () => {
    // The composed service and dispatcher (not started: the tests run its passes), with fast retries and the
    // receivers on 127.0.0.1 allowed.
    const env = useDemoApp(variant, { env: FAST_PRIVATE });
    let token: string;
    let secret = '';
    // The receiver fails the first two attempts of every event, then accepts; it checks every signature.
    const attemptsByEvent = new Map<string, number>();
    const accepted: string[] = [];
    const badSignatures: string[] = [];
    let receiver: Awaited<ReturnType<typeof fakeVendor>>;

    before(async () => {
      receiver = await fakeVendor((r, res) => {
        if (!verifyWebhookSignature(secret, r.body, r.headers['x-lingxi-signature'] as string, Math.floor(Date.now() / 1000))) {
          badSignatures.push(r.body);
          return json(res, 401, { error: 'bad signature' });
        }
        const evt = JSON.parse(r.body);
        const n = (attemptsByEvent.get(evt.id) ?? 0) + 1;
        attemptsByEvent.set(evt.id, n);
        if (n <= 2) return json(res, 503, { error: 'try later' });
        accepted.push(evt.id);
        json(res, 200, { ok: true });
      });
      token = await login(env.app);
    });
    after(async () => {
      await receiver?.close();
    });

    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    /** The composed dispatcher (compose.ts), configured by FAST_PRIVATE; not started, so each test runs its passes. */
    const dispatcher = () => env.deps.webhookDispatcher;
    /** The webhook tables, for claiming directly as another node would. */
    const repo = () => new PgWebhookRepository(env.deps.db);

    let subId = '';
    test('an admin subscribes a URL; a generated secret is shown once and never again', async () => {
      const r = await api('POST', '/api/v1/webhooks', { url: `${receiver.url}/hooks`, events: ['conversation.created', 'conversation.handed_off'] });
      assert.equal(r.statusCode, 201, r.body);
      secret = r.json().secret;
      assert.match(secret, /^whsec_/);
      subId = r.json().subscription.id;
      const list = await api('GET', '/api/v1/webhooks');
      assert.equal(list.statusCode, 200);
      assert.ok(!list.body.includes(secret) && !list.body.includes('secret'), list.body);
      assert.ok(!(await api('GET', `/api/v1/webhooks/${subId}`)).body.includes(secret));
    });

    test('bad subscriptions are refused: unknown event type, a URL with credentials; nothing is stored', async () => {
      assert.equal((await api('POST', '/api/v1/webhooks', { url: `${receiver.url}/x`, events: ['conversation.exploded'] })).statusCode, 400);
      assert.equal((await api('POST', '/api/v1/webhooks', { url: 'http://user:pw@example.com/x', events: ['conversation.created'] })).statusCode, 400);
      assert.equal((await api('GET', '/api/v1/webhooks')).json().items.length, 1);
    });

    test('a hand-off is delivered, signed, retried after two failures, and never delivered again after success', async () => {
      const chat = await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', text: '转人工' } });
      assert.equal(chat.statusCode, 200, chat.body);
      const conversationId = chat.json().sessionId;
      await until(async () => (await api('GET', `/api/v1/webhooks/${subId}/deliveries`)).json().items.length === 2);
      for (let i = 0; i < 50 && accepted.length < 2; i++) {
        await dispatcher().runOnce();
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(accepted.length, 2, `accepted ${accepted.length}`);
      assert.deepEqual(badSignatures, []);
      // More passes send nothing: both deliveries are settled.
      const before = receiver.received.length;
      for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 50)); await dispatcher().runOnce(); }
      assert.equal(receiver.received.length, before);
      assert.equal(receiver.received.length, 6, 'two events x (2 failures + 1 success)');

      const log = (await api('GET', `/api/v1/webhooks/${subId}/deliveries`)).json().items;
      assert.equal(log.length, 2);
      for (const d of log) {
        assert.equal(d.status, 'succeeded');
        assert.equal(d.attempts, 3);
        assert.equal(d.lastStatus, 200);
        assert.equal(d.payload.data.conversationId, conversationId);
      }
      const types = log.map((d: { eventType: string }) => d.eventType).sort();
      assert.deepEqual(types, ['conversation.created', 'conversation.handed_off']);
      const handoff = log.find((d: { eventType: string }) => d.eventType === 'conversation.handed_off');
      assert.equal(handoff.payload.data.reason, 'customer_request');
      const hdr = receiver.received.at(-1)!.headers;
      assert.ok(hdr['x-lingxi-event'] && hdr['x-lingxi-event-id'] && hdr['x-lingxi-delivery']);
    });

    test('redeliver sends the same event id once more', async () => {
      const [d] = (await api('GET', `/api/v1/webhooks/${subId}/deliveries`)).json().items;
      attemptsByEvent.set(d.eventId, 10); // the receiver accepts it at once now
      const r = await api('POST', `/api/v1/webhooks/deliveries/${d.id}/redeliver`);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().status, 'pending');
      const n = receiver.received.length;
      await dispatcher().runOnce();
      assert.equal(receiver.received.length, n + 1);
      assert.equal(JSON.parse(receiver.received.at(-1)!.body).id, d.eventId);
      assert.equal((await api('POST', '/api/v1/webhooks/deliveries/whd_nope/redeliver')).statusCode, 404);
    });

    test('a receiver that keeps failing ends as failed after the attempt budget (10 attempts)', async () => {
      const dead = await fakeVendor((_r, res) => json(res, 500, {}));
      try {
        const s = (await api('POST', '/api/v1/webhooks', { url: `${dead.url}/x`, events: ['conversation.closed'], secret: 'a-secret-of-enough-length' })).json().subscription;
        const tid = await tenantId();
        await env.deps.webhooks.publish(tid, 'conversation.closed', { conversationId: 'cv_x', botId: 'b', channel: 'api', closedBy: 'agent', reason: null, at: new Date().toISOString() });
        const status = async () => (await api('GET', `/api/v1/webhooks/${s.id}/deliveries`)).json().items[0]?.status;
        await until(async () => { await dispatcher().runOnce(); return (await status()) === 'failed'; }, 15_000);
        const [d] = (await api('GET', `/api/v1/webhooks/${s.id}/deliveries`)).json().items;
        assert.equal(d.status, 'failed');
        assert.equal(d.attempts, 10);
        assert.equal(d.lastStatus, 500);
        assert.equal(dead.received.length, 10);
        // A failed delivery is not tried again.
        for (let i = 0; i < 3; i++) { await dispatcher().runOnce(); await new Promise((r) => setTimeout(r, 20)); }
        assert.equal(dead.received.length, 10);
        assert.equal((await api('DELETE', `/api/v1/webhooks/${s.id}`)).statusCode, 204);
      } finally {
        await dead.close();
      }
    });

    test('two dispatchers claiming at once never get the same delivery', async () => {
      const tid = await tenantId();
      for (let i = 0; i < 6; i++) await env.deps.webhooks.publish(tid, 'conversation.created', { conversationId: `cv_${i}`, botId: 'b', channel: 'api', startedAt: new Date().toISOString() });
      const [a, b] = await Promise.all([repo().claimDue(4, 60_000), repo().claimDue(4, 60_000)]);
      const ids = [...a, ...b].map((d) => d.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.length >= 4);
    });

    test('two dispatchers running at once send each due delivery once', async () => {
      const seen: string[] = [];
      const sink = await fakeVendor((r, res) => { seen.push(r.headers['x-lingxi-delivery'] as string); json(res, 200, {}); });
      try {
        const s = (await api('POST', '/api/v1/webhooks', { url: `${sink.url}/x`, events: ['conversation.rated'], secret: 'a-secret-of-enough-length' })).json().subscription;
        const tid = await tenantId();
        for (let i = 0; i < 6; i++) await env.deps.webhooks.publish(tid, 'conversation.rated', { conversationId: `cv_r${i}`, botId: 'b', channel: 'api', score: 5, comment: null, at: new Date().toISOString() });
        // A second node's dispatcher on the same database, racing the composed one.
        const other = new WebhookDispatcher({ repo: repo(), cipher: env.deps.cipher, clock: env.deps.clock, logger: env.deps.logger }, { allowPrivateNetworks: true });
        await Promise.all([dispatcher().runOnce(), other.runOnce(), dispatcher().runOnce(), other.runOnce()]);
        assert.equal(seen.length, 6, `sent ${seen.length}`);
        assert.equal(new Set(seen).size, 6);
        const log = (await api('GET', `/api/v1/webhooks/${s.id}/deliveries`)).json().items;
        assert.equal(log.length, 6);
        for (const d of log) assert.deepEqual([d.status, d.attempts], ['succeeded', 1]);
      } finally {
        await sink.close();
      }
    });

    async function tenantId() {
      return (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
    }
  });

  describe(`webhook targets on ${variant.name}, default settings`, () => {
    const env = useDemoApp(variant);

    test('private and loopback targets are refused unless the installation allows them', async () => {
      assert.equal(env.deps.config.LINGXI_WEBHOOK_ALLOW_PRIVATE, false);
      const token = await login(env.app);
      const create = (url: string) => env.app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { url, events: ['conversation.created'] }, headers: { authorization: `Bearer ${token}` } });
      for (const url of ['http://169.254.169.254/latest', 'http://127.0.0.1:9/x', 'http://localhost/x', 'http://10.0.0.8/x']) {
        const r = await create(url);
        assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
        assert.match(r.body, /private/);
      }
      assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: { authorization: `Bearer ${token}` } })).json().items.length, 0);
    });
  });
}
