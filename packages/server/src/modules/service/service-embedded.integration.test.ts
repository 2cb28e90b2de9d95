/**
 * The human service in the embedded default (`npm start`: PGlite and the in-memory coordination port): a hand-off
 * reaches an agent's workbench, they talk, the agent closes. The same code as the PostgreSQL + Redis suites.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentServerMessage } from '@lingxi/contracts';
import { freshPglite } from '../../testing/databases.ts';
import { demoApp, login, type DemoEnv } from '../../testing/app.ts';
import { AgentClient, customerAsksForPerson } from './service-test-kit.ts';

describe('human service, embedded (PGlite + in-memory coordination)', () => {
  let env: DemoEnv;
  let base: string;
  let agent: AgentClient | undefined;

  before(async () => {
    env = await demoApp(await freshPglite(), { env: { LINGXI_SERVICE_SWEEP_MS: '100' } });
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = env.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    env.deps.service.start();
  });
  after(async () => {
    await agent?.close();
    await env?.close();
  });

  test('the demo agent gets a hand-off of the general queue, replies, and closes', async () => {
    const token = await login(env.app, 'agent1', 'agent-demo-password');
    agent = await AgentClient.connect(base, token);
    const welcome = await agent.next<Extract<AgentServerMessage, { type: 'welcome' }>>((m) => m.type === 'welcome');
    assert.equal(welcome.agent.presence, 'online');
    const id = await customerAsksForPerson(env.app);
    const assigned = await agent.next<Extract<AgentServerMessage, { type: 'assigned' }>>((m) => m.type === 'assigned' && m.conversation.id === id, 5000, 'assigned');
    assert.equal(assigned.conversation.group, 'general');
    const r = await env.app.inject({ method: 'POST', url: `/api/v1/agent/conversations/${id}/messages`, headers: { authorization: `Bearer ${token}` }, payload: { text: '您好，我是客服小王。' } });
    assert.equal(r.statusCode, 200, r.body);
    const next = (await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', sessionId: id, text: '谢谢' } })).json();
    // The robot does not answer while an agent serves; an HTTP client gets the agent's replies since its last message.
    assert.deepEqual(next.replies, [{ type: 'agent', text: '您好，我是客服小王。', agentName: '客服小王' }]);
    await agent.next((m) => m.type === 'event' && m.conversationId === id && m.kind === 'customer' && m.text === '谢谢', 3000, 'forwarded');
    const close = await env.app.inject({ method: 'POST', url: `/api/v1/agent/conversations/${id}/close`, headers: { authorization: `Bearer ${token}` }, payload: {} });
    assert.equal(close.statusCode, 204);
    const tenantId = (await env.deps.tenancy.findTenantBySlug('demo'))!.id;
    assert.equal((await env.deps.conversations.get(tenantId, id)).status, 'closed');
    const types = (await env.deps.conversations.events(tenantId, id)).map((e) => e.type);
    assert.deepEqual(types.filter((t) => t.startsWith('conversation.') || t === 'agent.message'),
      ['conversation.started', 'conversation.handoff', 'conversation.queued', 'conversation.assigned', 'agent.message', 'conversation.closed']);
    const spec = (await env.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/api/v1/agent/conversations/{id}/accept', '/api/v1/supervisor/queues', '/api/v1/service/groups/{id}']) assert.ok(spec.paths[path], `${path} documented`);
  });
});
