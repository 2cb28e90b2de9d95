import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { login } from '../../testing/app.ts';
import { makeGuards } from '../../http/auth.ts';
import { appWith, fakeVendor, json } from './test-harness.ts';
import { verifyWebhookSignature } from './events.ts';
import { PgWebhookRepository } from './pg-webhook-repository.ts';
import { WebhookService } from './webhook-service.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { webhookRoutes } from './routes.ts';
import type { App } from '../../app.ts';
import type { Deps } from '../../compose.ts';

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

for (const variant of await bothDatabases()) {
  describe(`outgoing webhooks on ${variant.name}`, () => {
    let env: { app: App; deps: Deps; close(): Promise<void> };
    let closeDb: () => Promise<void>;
    let service: WebhookService;
    let dispatcher: WebhookDispatcher;
    let repo: PgWebhookRepository;
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
      const { db, close } = await variant.open();
      closeDb = close;
      env = await appWith(db, async (deps, app) => {
        repo = new PgWebhookRepository(deps.db);
        service = new WebhookService({ repo, cipher: deps.cipher, audit: deps.audit, clock: deps.clock, logger: deps.logger, allowPrivateNetworks: true });
        service.listen(deps.events);
        dispatcher = new WebhookDispatcher({ repo, cipher: deps.cipher, clock: deps.clock, logger: deps.logger }, { baseBackoffMs: 20, maxBackoffMs: 40, timeoutMs: 2000, allowPrivateNetworks: true });
        await app.register(webhookRoutes(service, makeGuards(deps.auth)));
      });
      token = await login(env.app);
    });
    after(async () => {
      service?.stop();
      await dispatcher?.stop();
      await env?.close();
      await closeDb?.();
      await receiver?.close();
    });

    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });

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
      await until(async () => (await repo.listDeliveries(await tenantId(), { limit: 10 })).length === 2);
      for (let i = 0; i < 50 && accepted.length < 2; i++) {
        await dispatcher.runOnce();
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(accepted.length, 2, `accepted ${accepted.length}`);
      assert.deepEqual(badSignatures, []);
      // More passes send nothing: both deliveries are settled.
      const before = receiver.received.length;
      for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 50)); await dispatcher.runOnce(); }
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
      await dispatcher.runOnce();
      assert.equal(receiver.received.length, n + 1);
      assert.equal(JSON.parse(receiver.received.at(-1)!.body).id, d.eventId);
      assert.equal((await api('POST', '/api/v1/webhooks/deliveries/whd_nope/redeliver')).statusCode, 404);
    });

    test('a receiver that keeps failing ends as failed after the attempt budget', async () => {
      const dead = await fakeVendor((_r, res) => json(res, 500, {}));
      try {
        const s = (await api('POST', '/api/v1/webhooks', { url: `${dead.url}/x`, events: ['conversation.created'], secret: 'a-secret-of-enough-length' })).json().subscription;
        const tid = await tenantId();
        await service.publish(tid, 'conversation.created', { conversationId: 'cv_x', botId: 'b', channel: 'api', startedAt: new Date().toISOString() });
        const strict = new WebhookDispatcher({ repo, cipher: env.deps.cipher, clock: env.deps.clock, logger: env.deps.logger }, { baseBackoffMs: 1, maxBackoffMs: 2, maxAttempts: 3, allowPrivateNetworks: true });
        for (let i = 0; i < 20; i++) { await strict.runOnce(); await new Promise((r) => setTimeout(r, 10)); }
        const [d] = (await api('GET', `/api/v1/webhooks/${s.id}/deliveries`)).json().items;
        assert.equal(d.status, 'failed');
        assert.equal(d.attempts, 3);
        assert.equal(d.lastStatus, 500);
        assert.equal(dead.received.length, 3);
      } finally {
        await dead.close();
      }
    });

    test('two dispatchers claiming at once never get the same delivery', async () => {
      const tid = await tenantId();
      for (let i = 0; i < 6; i++) await service.publish(tid, 'conversation.created', { conversationId: `cv_${i}`, botId: 'b', channel: 'api', startedAt: new Date().toISOString() });
      const [a, b] = await Promise.all([repo.claimDue(4, 60_000), repo.claimDue(4, 60_000)]);
      const ids = [...a, ...b].map((d) => d.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.length >= 4);
    });

    test('a private target is refused unless the installation allows it', async () => {
      const strict = new WebhookService({ repo, cipher: env.deps.cipher, audit: env.deps.audit, clock: env.deps.clock, logger: env.deps.logger });
      await assert.rejects(strict.create({ tenantId: await tenantId(), actor: 't' }, { url: 'http://169.254.169.254/latest', events: ['conversation.created'] }), /private/);
    });

    async function tenantId() {
      return (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
    }
  });
}
