import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { login, useDemoApp } from '../../testing/app.ts';

type Hit = { conversationId: string; outcome: string; rating: number | null; customer: { id: string; name: string | null; phone: string | null } | null; firstQuestion: string; agents: { id: string; name: string }[] };

for (const variant of await bothDatabases()) {
  describe(`conversation search on ${variant.name}`, () => {
    const env = useDemoApp(variant);
    let admin = '';
    let adminId = '';
    let inspector = '';
    let adminB = '';
    let tenantId = '';
    const c: Record<'word' | 'handoff' | 'fallback' | 'other', string> = { word: '', handoff: '', fallback: '', other: '' };
    let entryId = '';
    let answerText = '';
    let contactId = '';
    const ours = () => new Set(Object.values(c));

    const get = (url: string, token = admin) => env.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    const chat = async (body: Record<string, unknown>) => {
      const r = await env.app.inject({ method: 'POST', url: '/api/v1/chat', payload: body });
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as { sessionId: string; replies: { type: string; entryId?: string }[] };
    };
    /** Ids found by a search, restricted to this suite's conversations (the demo seed may add others). */
    const found = async (qs: string, token = admin) => {
      const r = await get(`/api/v1/conversations/search?${qs}`, token);
      assert.equal(r.statusCode, 200, r.body);
      return (r.json().items as Hit[]).map((h) => h.conversationId).filter((id) => ours().has(id)).sort();
    };
    const ids = (...xs: string[]) => xs.sort();

    before(async () => {
      admin = await login(env.app);
      const me = (await get('/api/v1/auth/me')).json();
      adminId = me.userId;
      tenantId = (await env.deps.db.query(`SELECT id FROM tenants WHERE slug = 'demo'`))[0].id;
      await env.deps.auth.createUser(tenantId, { username: 'inspector1', password: 'inspector-password-1', roles: ['inspector'] });
      inspector = await login(env.app, 'inspector1', 'inspector-password-1', 'demo');
      const t = await env.deps.tenancy.createTenant('bank-b', '乙银行');
      await env.deps.auth.createUser(t.id, { username: 'admin', password: 'bank-b-password', roles: ['admin'] });
      await env.deps.tenancy.createBot(t.id, { slug: 'bank-b-bot', name: '乙银行客服', isPublic: true });
      adminB = await login(env.app, 'admin', 'bank-b-password', 'bank-b');

      // A knowledge answer carrying a distinctive word, on the web channel.
      const a = await chat({ bot: 'demo', text: '信用卡丢了怎么挂失 zebrafox', channel: 'web' });
      c.word = a.sessionId;
      assert.equal(a.replies[0].type, 'answer');
      entryId = a.replies[0].entryId!;
      answerText = (a.replies[0] as { text?: string }).text ?? '';
      // A hand-off; afterwards the customer gives a phone number; an agent (the admin) is assigned.
      const h = await chat({ bot: 'demo', text: '转人工' });
      c.handoff = h.sessionId;
      assert.equal(h.replies.at(-1)!.type, 'handoff', JSON.stringify(h));
      await chat({ bot: 'demo', sessionId: c.handoff, text: '我的手机号是13812345678，请回电' });
      await env.deps.conversations.record(tenantId, c.handoff, [{ type: 'conversation.assigned', payload: { agentId: adminId, agentName: '管理员' } }]);
      contactId = await env.deps.contacts.resolve(tenantId, { kind: 'phone', value: '138 1234 5678', displayName: '张三丰' });
      await env.deps.contacts.setConversationContact(tenantId, c.handoff, contactId);
      // Not understood, then rated 2.
      const f = await chat({ bot: 'demo', text: 'qwxzv plorbix grunfeld' });
      c.fallback = f.sessionId;
      assert.equal(f.replies[0].type, 'fallback', JSON.stringify(f));
      const rated = await env.app.inject({ method: 'POST', url: '/api/v1/chat/rating', payload: { bot: 'demo', sessionId: c.fallback, score: 2 } });
      assert.equal(rated.statusCode, 200, rated.body);
      // Another bank's customer uses the same word.
      c.other = (await chat({ bot: 'bank-b-bot', text: 'zebrafox 你好吗' })).sessionId;
      await env.deps.conversationIndex.idle();
    });

    test('full text: a distinctive word, a word prefix, Chinese words; all words must occur', async () => {
      assert.deepEqual(await found('q=zebrafox'), [c.word]);
      assert.deepEqual(await found('q=ZEBRAF'), [c.word]);
      assert.deepEqual(await found(`q=${encodeURIComponent('挂失 zebrafox')}`), [c.word]);
      assert.deepEqual(await found(`q=${encodeURIComponent('挂失 nothingsuch')}`), []);
      // The robot's answer text is searched too: a bigram of the knowledge answer that the customer did not type.
      const question = '信用卡丢了怎么挂失';
      const chars = [...answerText];
      const bigram = chars.map((ch, i) => ch + (chars[i + 1] ?? '')).find((b) => /^[\u4e00-\u9fff]{2}$/.test(b) && !question.includes(b[0]) && !question.includes(b[1]))!;
      assert.ok(bigram, answerText);
      assert.ok((await found(`q=${encodeURIComponent(bigram)}`)).includes(c.word), bigram);
      assert.deepEqual(await found(`q=${encodeURIComponent(bigram)}&outcome=handoff`), []);
    });

    test('outcome: handoff, fallback, robot', async () => {
      assert.deepEqual(await found('outcome=handoff'), [c.handoff]);
      assert.deepEqual(await found('outcome=fallback'), [c.fallback]);
      assert.deepEqual(await found('outcome=robot'), ids(c.word, c.fallback));
    });

    test('customer by contact id, name, and phone however written; shown masked', async () => {
      assert.deepEqual(await found(`customer=${contactId}`), [c.handoff]);
      assert.deepEqual(await found(`customer=${encodeURIComponent('张三')}`), [c.handoff]);
      assert.deepEqual(await found(`customer=${encodeURIComponent('+86 138-1234-5678')}`), [c.handoff]);
      assert.deepEqual(await found('customer=13900000000'), []);
      const hit = ((await get(`/api/v1/conversations/search?customer=13812345678`)).json().items as Hit[])[0];
      assert.deepEqual(hit.customer, { id: contactId, name: '张**', phone: '138****5678' });
      assert.equal(hit.firstQuestion, '转人工');
      assert.doesNotMatch((await get('/api/v1/conversations/search?pageSize=100')).body, /13812345678|张三丰/);
    });

    test('agent, intent, rating, channel, bot, date range', async () => {
      assert.deepEqual(await found(`agent=${adminId}`), [c.handoff]);
      const agentHit = ((await get(`/api/v1/conversations/search?agent=${adminId}`)).json().items as Hit[])[0];
      assert.deepEqual(agentHit.agents.map((a) => a.id), [adminId]);
      assert.deepEqual(await found(`intent=${entryId}`), [c.word]);
      assert.deepEqual(await found('rating=2'), [c.fallback]);
      assert.deepEqual(await found('rating=5'), []);
      assert.deepEqual(await found('channel=web'), [c.word]);
      assert.deepEqual(await found('bot=demo'), ids(c.word, c.handoff, c.fallback));
      const future = new Date(Date.now() + 3600_000).toISOString();
      const past = new Date(Date.now() - 3600_000).toISOString();
      assert.deepEqual(await found(`from=${past}&to=${future}&outcome=handoff`), [c.handoff]);
      assert.deepEqual(await found(`from=${future}`), []);
      assert.deepEqual(await found(`to=${past}`), []);
      // Filters combine.
      assert.deepEqual(await found('q=zebrafox&outcome=handoff'), []);
    });

    test('paging, newest first, total', async () => {
      const r1 = (await get('/api/v1/conversations/search?bot=demo&pageSize=2&page=1')).json();
      const r2 = (await get('/api/v1/conversations/search?bot=demo&pageSize=2&page=2')).json();
      assert.ok(r1.total >= 3);
      assert.equal(r1.items.length, 2);
      const all = [...r1.items, ...r2.items] as (Hit & { startedAt: string })[];
      assert.equal(new Set(all.map((h) => h.conversationId)).size, all.length);
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].startedAt >= all[i].startedAt);
    });

    test('bad input is refused with 400', async () => {
      for (const qs of ['rating=9', 'outcome=bogus', 'from=not-a-date', 'pageSize=1000', `from=${new Date().toISOString()}&to=${new Date(Date.now() - 1000).toISOString()}`]) {
        assert.equal((await get(`/api/v1/conversations/search?${qs}`)).statusCode, 400, qs);
      }
    });

    test('tenant isolation: another bank finds only its own conversations and cannot read ours', async () => {
      const r = (await get('/api/v1/conversations/search?q=zebrafox', adminB)).json();
      assert.deepEqual(r.items.map((h: Hit) => h.conversationId), [c.other]);
      assert.equal((await get(`/api/v1/conversations/${c.word}/transcript`, adminB)).statusCode, 404);
      assert.deepEqual(await found(`customer=${contactId}`, adminB), []);
    });

    test('transcript: masked by default; unmasked for pii:view only, and each unmasked view is audited', async () => {
      const masked = await get(`/api/v1/conversations/${c.handoff}/transcript`);
      assert.equal(masked.statusCode, 200, masked.body);
      const m = masked.json();
      assert.equal(m.masked, true);
      assert.doesNotMatch(masked.body, /13812345678|张三丰/);
      assert.match(masked.body, /138\*\*\*\*5678/);
      assert.equal(m.customer.displayName, '张**');
      assert.equal(m.summary.outcome, 'handoff');
      const types = m.events.map((e: { type: string }) => e.type);
      for (const t of ['conversation.started', 'message.received', 'nlu.understood', 'reply.sent', 'conversation.handoff', 'conversation.assigned']) assert.ok(types.includes(t), t);
      const audits = async () => (await get('/api/v1/audit-log?action=conversation.view_unmasked')).json().items.filter((a: { target: string }) => a.target === c.handoff);
      assert.equal((await audits()).length, 0);

      const clear = await get(`/api/v1/conversations/${c.handoff}/transcript?unmask=1`);
      assert.equal(clear.statusCode, 200);
      assert.equal(clear.json().masked, false);
      assert.match(clear.body, /13812345678/);
      assert.equal(clear.json().customer.displayName, '张三丰');
      const rows = await audits();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].actor, `user:${adminId}`);

      assert.equal((await get(`/api/v1/conversations/${c.handoff}/transcript?unmask=1`, inspector)).statusCode, 403);
      const insp = await get(`/api/v1/conversations/${c.handoff}/transcript`, inspector);
      assert.equal(insp.statusCode, 200);
      assert.doesNotMatch(insp.body, /13812345678/);
      assert.equal((await audits()).length, 1);
    });

    test('robot decisions in the transcript carry intent and score', async () => {
      const t = (await get(`/api/v1/conversations/${c.word}/transcript`)).json();
      const d = t.events.find((e: { type: string }) => e.type === 'nlu.understood');
      assert.equal(d.payload.decision, 'answer');
      assert.equal(d.payload.entryId, entryId);
      assert.equal(typeof d.payload.score, 'number');
      const f = (await get(`/api/v1/conversations/${c.fallback}/transcript`)).json();
      assert.equal(f.summary.rating, 2);
      assert.ok(f.events.some((e: { type: string; payload: { score?: number } }) => e.type === 'conversation.rated' && e.payload.score === 2));
    });

    test('conversations written straight into the tables (bulk loads) are indexed by the backfill', async () => {
      const botId = (await env.deps.tenancy.getBot(tenantId, 'demo')).id;
      await env.deps.db.query(`INSERT INTO conversations(id, tenant_id, bot_id, channel, last_seq) VALUES ('cv_bulk1', $1, $2, 'app', 2)`, [tenantId, botId]);
      await env.deps.db.query(
        `INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload) VALUES ('cv_bulk1', 1, $1, 'message.received', '{"text":"quokkabulk 理财"}'),
         ('cv_bulk1', 2, $1, 'nlu.understood', '{"decision":"fallback"}')`,
        [tenantId],
      );
      const bulk = async () => ((await get('/api/v1/conversations/search?q=quokkabulk')).json().items as Hit[]).map((h) => h.conversationId);
      assert.deepEqual(await bulk(), []);
      assert.ok((await env.deps.conversationIndex.backfill()) >= 1);
      assert.deepEqual(await bulk(), ['cv_bulk1']);
      assert.equal(((await get('/api/v1/conversations/search?q=quokkabulk&outcome=fallback')).json().items as Hit[]).length, 1);
      assert.equal(await env.deps.conversationIndex.backfill(), 0);
      // Later events continue the row: new words are found, the earlier ones still are.
      await env.deps.conversations.record(tenantId, 'cv_bulk1', [{ type: 'agent.message', payload: { agentId: adminId, reply: { type: 'text', text: 'wombatreply 您好' } } }]);
      await env.deps.conversationIndex.idle();
      assert.deepEqual(((await get('/api/v1/conversations/search?q=wombatreply')).json().items as Hit[]).map((h) => h.conversationId), ['cv_bulk1']);
      assert.deepEqual(await bulk(), ['cv_bulk1']);
      const row = (await get(`/api/v1/conversations/search?q=quokkabulk&agent=${adminId}`)).json().items as (Hit & { messages: number })[];
      assert.equal(row[0]?.messages, 2);
    });

    test('catch-up sweep: a conversation no indexer saw gets its row; a row behind its log is brought up to date', async () => {
      const botId = (await env.deps.tenancy.getBot(tenantId, 'demo')).id;
      const hits = async (qs: string) => ((await get(`/api/v1/conversations/search?${qs}`)).json().items as (Hit & { messages: number })[]);
      // Written while no indexer listened (a process that died before its flush): straight into the tables, no event on the bus.
      await env.deps.db.query(`INSERT INTO conversations(id, tenant_id, bot_id, channel, last_seq) VALUES ('cv_sweep1', $1, $2, 'web', 1)`, [tenantId, botId]);
      await env.deps.db.query(
        `INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload) VALUES ('cv_sweep1', 1, $1, 'message.received', '{"text":"okapimissed 开户"}')`,
        [tenantId],
      );
      assert.deepEqual((await hits('q=okapimissed')).map((h) => h.conversationId), []);
      await env.deps.conversationIndex.sweep({ full: true });
      assert.deepEqual((await hits('q=okapimissed')).map((h) => h.conversationId), ['cv_sweep1']);
      assert.deepEqual((await hits('q=okapimissed&outcome=handoff')).map((h) => h.conversationId), []);
      // Events appended after the row was indexed, again with no listener told: the row is behind (indexed_seq 1 < last_seq 3).
      await env.deps.db.query(`UPDATE conversations SET last_seq = 3, updated_at = now() WHERE id = 'cv_sweep1'`);
      await env.deps.db.query(
        `INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload) VALUES
           ('cv_sweep1', 2, $1, 'conversation.handoff', '{"reason":"customer_request"}'),
           ('cv_sweep1', 3, $1, 'agent.message', $2)`,
        [tenantId, JSON.stringify({ agentId: adminId, reply: { type: 'text', text: 'narwhallate 您好' } })],
      );
      assert.deepEqual((await hits('q=narwhallate')).map((h) => h.conversationId), []);
      // A recent sweep (its window set by the whole one before) finds it by its new events and continues the row.
      await env.deps.conversationIndex.sweep();
      assert.deepEqual((await hits('q=narwhallate')).map((h) => h.conversationId), ['cv_sweep1']);
      const row = await hits('q=okapimissed&outcome=handoff');
      assert.deepEqual(row.map((h) => h.conversationId), ['cv_sweep1']);
      assert.equal(row[0].messages, 2);
      assert.deepEqual(row[0].agents.map((a) => a.id), [adminId]);
      const [{ indexed_seq }] = await env.deps.db.query(`SELECT indexed_seq FROM conversation_search WHERE conversation_id = 'cv_sweep1'`);
      assert.equal(indexed_seq, 3);
      // Nothing is left missing or behind.
      assert.equal(await env.deps.conversationIndex.sweep({ full: true }), 0);
    });

    test('contact candidates by phone, masked; a merge moves the conversations to the survivor', async () => {
      const other = await env.deps.contacts.resolve(tenantId, { kind: 'email', value: 'zsf@example.com', displayName: '张三丰' });
      await env.deps.contacts.setConversationContact(tenantId, c.fallback, other);
      const list = (await get(`/api/v1/contacts?q=${encodeURIComponent('张三')}`)).json().items as { id: string; identities: { value: string }[]; conversations: number }[];
      assert.deepEqual(list.map((x) => x.id).sort(), [contactId, other].sort());
      assert.doesNotMatch(JSON.stringify(list), /13812345678|zsf@example/);
      assert.deepEqual((await get('/api/v1/contacts?q=13812345678')).json().items.map((x: { id: string }) => x.id), [contactId]);
      assert.equal((await get('/api/v1/contacts?q=13812345678', adminB)).json().items.length, 0);
      assert.equal((await env.app.inject({ method: 'POST', url: `/api/v1/contacts/${contactId}/merge`, payload: { from: other }, headers: { authorization: `Bearer ${inspector}` } })).statusCode, 403);
      const merged = await env.app.inject({ method: 'POST', url: `/api/v1/contacts/${contactId}/merge`, payload: { from: other }, headers: { authorization: `Bearer ${admin}` } });
      assert.equal(merged.statusCode, 200, merged.body);
      assert.deepEqual(await found(`customer=${contactId}`), ids(c.handoff, c.fallback));
      // The merged contact's e-mail now finds the survivor's conversations.
      assert.deepEqual(await found('customer=zsf%40example.com'), ids(c.handoff, c.fallback));
    });
  });
}
