import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentServerMessage, AssistSuggestion } from '@lingxi/contracts';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';
import type { App } from '../../app.ts';
import type { Unsubscribe } from '../../platform/coordination.ts';
import { AgentClient, customerAsksForPerson, makeAgent, putGroup } from '../service/service-test-kit.ts';
import { AssistService, agentChannel } from './assist-service.ts';

const chat = (app: App, body: object) => app.inject({ method: 'POST', url: '/api/v1/chat', payload: body });
type AssistFrame = Extract<AgentServerMessage, { type: 'assist' }>;

for (const variant of await bothDatabases()) {
  describe(`agent assist on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let token = '';
    let tenantId = '';
    let unsub: Unsubscribe | undefined;
    const inbox: AssistFrame[] = [];
    const AGENT = 'u_agent_li';

    before(async () => {
      token = await login(env.app);
      tenantId = (await env.deps.tenancy.findBotAnyTenant('demo'))!.tenantId;
      // What the agent's WebSocket (modules/service) listens to, on whichever node the agent is connected.
      unsub = await env.deps.coordination.subscribe(agentChannel(tenantId, AGENT), (m) => inbox.push(m as AssistFrame));
    });
    after(async () => unsub?.());

    const lastCustomerSeq = async (id: string) => (await env.deps.conversations.events(tenantId, id, { types: ['message.received'] })).at(-1)!.seq;
    async function waitFor(pred: (s: AssistSuggestion) => boolean, ms = 10_000): Promise<AssistSuggestion> {
      const end = Date.now() + ms;
      for (;;) {
        const hit = inbox.find((f) => f.type === 'assist' && pred(f.suggestion));
        if (hit) return hit.suggestion;
        if (Date.now() > end) throw new Error(`no matching assist frame; got ${JSON.stringify(inbox)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const getAssist = (id: string, auth = token) => env.app.inject({ method: 'GET', url: `/api/v1/agent/conversations/${id}/assist`, headers: auth ? { authorization: `Bearer ${auth}` } : {} });

    test('waiting for a person: kept, not sent; on assignment the agent gets it; each new message is pushed live', async () => {
      const start = (await chat(env.app, { bot: 'demo', text: '我要转人工' })).json();
      const id: string = start.sessionId;
      await chat(env.app, { bot: 'demo', sessionId: id, text: '我的信用卡丢了，你们太慢了！！！' });
      const waitingSeq = await lastCustomerSeq(id);
      // Before assignment there is nobody to tell, but the suggestion is there for whoever opens the conversation.
      let kept: AssistSuggestion | null = null;
      for (let i = 0; i < 100 && kept?.forSeq !== waitingSeq; i++) {
        kept = (await getAssist(id)).json().suggestion;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(kept?.forSeq, waitingSeq, JSON.stringify(kept));
      assert.equal(inbox.filter((f) => f.suggestion.conversationId === id).length, 0, 'nothing published before assignment');
      assert.equal(kept.angry, true);
      assert.ok(kept.answers.length >= 1 && kept.answers.length <= 3, JSON.stringify(kept.answers));
      assert.ok(kept.answers.some((a) => /挂失/.test(a.question + a.answer)), JSON.stringify(kept.answers));
      assert.ok(kept.intent, 'an intent for a clear question');

      // The assignment as modules/service writes it (its own routing is exercised in the next test).
      await env.deps.conversations.record(tenantId, id, [{ type: 'conversation.assigned', payload: { agentId: AGENT, agentName: '客服小李', group: 'cards', by: 'routing' } }], { status: 'agent' });
      const onAssign = await waitFor((s) => s.conversationId === id && s.forSeq === waitingSeq);
      assert.deepEqual(onAssign, kept);

      await chat(env.app, { bot: 'demo', sessionId: id, text: '我要投诉！卡号 6222 0212 3456 7894，手机 13812345678' });
      const seq = await lastCustomerSeq(id);
      const live = await waitFor((s) => s.conversationId === id && s.forSeq === seq);
      assert.deepEqual(live.pii.sort(), ['card', 'phone']);
      assert.equal(live.angry, true);
      assert.equal(live.sentiment, 'negative');
      assert.ok(!JSON.stringify(live).includes('6222'), 'the suggestion carries kinds of personal data, not the data');
      assert.equal((await getAssist(id)).json().suggestion.forSeq, seq, 'the latest is kept');

      await chat(env.app, { bot: 'demo', sessionId: id, text: 'How do I reset my online banking password?' });
      const s3 = await waitFor((s) => s.conversationId === id && s.forSeq > seq);
      assert.equal(s3.angry, false);
      assert.ok(s3.answers.some((a) => /password/i.test(a.question + a.answer)), JSON.stringify(s3.answers));
    });

    test('end to end: routed to an agent, the workbench socket gets the suggestion on assignment and for each message', async () => {
      await env.app.listen({ port: 0, host: '127.0.0.1' });
      const addr = env.app.server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const group = `assist-${variant.name}`;
      await putGroup(env.deps, tenantId, { id: group, isDefault: true });
      const agent = await makeAgent(env.app, env.deps, tenantId, `assist-agent-${variant.name}`, { groups: [group], displayName: '客服小赵' });
      const desk = await AgentClient.connect(base, agent.token);
      env.deps.service.start();
      try {
        const id = await customerAsksForPerson(env.app, '我的信用卡丢了，转人工');
        const first = await desk.next<AssistFrame>((m) => m.type === 'assist' && m.suggestion.conversationId === id, 10_000, 'assist on assignment');
        assert.equal(first.suggestion.forSeq, await lastCustomerSeq(id));
        assert.ok(first.suggestion.answers.some((a) => /挂失/.test(a.question)), JSON.stringify(first.suggestion.answers));

        await chat(env.app, { bot: 'demo', sessionId: id, text: '你们什么破银行，骗子！' });
        const seq = await lastCustomerSeq(id);
        const angry = await desk.next<AssistFrame>((m) => m.type === 'assist' && m.suggestion.forSeq === seq, 10_000, 'assist for the new message');
        assert.equal(angry.suggestion.angry, true);
        assert.equal(angry.suggestion.conversationId, id);
      } finally {
        await desk.close();
      }
    });

    test("the robot's conversations are left alone; on demand, any node computes from the log", async () => {
      const r = (await chat(env.app, { bot: 'demo', text: '转账限额是多少' })).json();
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(inbox.filter((f) => f.suggestion.conversationId === r.sessionId).length, 0);
      // A node that never saw the message (a fresh service, empty cache) computes it from the conversation's log.
      const other = new AssistService({ conversations: env.deps.conversations, tenancy: env.deps.tenancy, models: env.deps.models, coordination: env.deps.coordination, clock: env.deps.clock, logger: env.deps.logger });
      const s = await other.forConversation(tenantId, r.sessionId);
      assert.equal(s?.forSeq, await lastCustomerSeq(r.sessionId));
      assert.ok(s?.answers.some((a) => /限额/.test(a.question)), JSON.stringify(s?.answers));
    });

    test('the assist route needs a signed-in agent and stays within the tenant', async () => {
      const r = (await chat(env.app, { bot: 'demo', text: '你好' })).json();
      assert.equal((await getAssist(r.sessionId, '')).statusCode, 401);
      assert.equal((await getAssist('cv_doesnotexist000')).statusCode, 404);
      const other = await env.deps.tenancy.createTenant(`bank-a-${variant.name}`, '乙银行');
      const otherBot = await env.deps.tenancy.createBot(other.id, { slug: `bank-a-${variant.name}-bot`, name: '乙银行客服' });
      const theirs = await env.deps.conversations.start(other.id, otherBot.id, 'web');
      assert.equal((await getAssist(theirs.id)).statusCode, 404);
    });
  });
}
