import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { loadConfig } from '../../config.ts';
import { compose, type Deps } from '../../compose.ts';
import { buildApp, type App } from '../../app.ts';
import { createLogger } from '../../platform/logger.ts';

for (const target of await bothDatabases()) {
  describe(`knowledge review, list, bulk, tree and confusion (${target.name})`, () => {
    let app: App;
    let deps: Deps;
    let closeDb: () => Promise<void>;
    let tenantId = '';
    const tok: Record<'admin' | 'operator' | 'operator2' | 'supervisor' | 'agent', string> = { admin: '', operator: '', operator2: '', supervisor: '', agent: '' };
    const base = '/api/v1/bots/review-a/knowledge';

    const req = (who: keyof typeof tok, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      app.inject({ method, url, payload: payload as any, headers: { authorization: `Bearer ${tok[who]}` } });
    const entry = async (who: keyof typeof tok, body: Record<string, unknown>) => {
      const r = await req(who, 'POST', `${base}/entries`, body);
      assert.equal(r.statusCode, 201, r.body);
      return r.json();
    };
    const status = async (id: string) => (await req('admin', 'GET', `${base}/entries/${id}`)).json().status;

    before(async () => {
      const { db, close } = await target.open();
      closeDb = close;
      deps = await compose(loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_DEMO: 'false' } as NodeJS.ProcessEnv), { db, logger: createLogger('silent') });
      app = await buildApp(deps);
      await app.ready();
      tenantId = (await deps.tenancy.createTenant('bank-r', 'Bank R')).id;
      const mk = async (username: string, roles: any[]) => {
        await deps.auth.createUser(tenantId, { username, password: 'password-123', roles });
        return (await deps.auth.login(username, 'password-123', tenantId)).token;
      };
      tok.admin = await mk('admin-r', ['admin']);
      tok.operator = await mk('operator-r', ['knowledge_operator']);
      tok.operator2 = await mk('operator-r2', ['knowledge_operator']);
      tok.supervisor = await mk('supervisor-r', ['supervisor']);
      tok.agent = await mk('agent-r', ['agent']);
      await deps.tenancy.createBot(tenantId, { slug: 'review-a', name: 'A' });
    });
    after(async () => {
      await app?.close();
      await deps?.close();
      await closeDb?.().catch(() => {});
    });

    it('runs draft → submitted → approved → published by role, four-eyes, with a comment timeline and audit', async () => {
      const e = await entry('operator', { externalId: 'rv-1', question: '信用卡年费多少', similar: ['年费怎么收'], answer: '首年免年费' });
      assert.equal(e.status, 'draft');
      assert.equal((await req('operator', 'POST', `${base}/entries`, { question: 'x', answer: 'y', status: 'approved' })).statusCode, 400, 'approved only through the workflow');

      // Approving a draft is refused; an operator has no kb:review at all.
      assert.equal((await req('supervisor', 'POST', `${base}/entries/rv-1/approve`, {})).statusCode, 409);
      const sub = await req('operator', 'POST', `${base}/entries/rv-1/submit`, { comment: '请审核' });
      assert.equal(sub.statusCode, 200, sub.body);
      assert.equal(sub.json().status, 'submitted');
      assert.ok(sub.json().submittedBy.startsWith('user:'));
      assert.equal((await req('operator', 'POST', `${base}/entries/rv-1/approve`, {})).statusCode, 403, 'operators cannot review');
      assert.equal((await req('agent', 'POST', `${base}/entries/rv-1/submit`, {})).statusCode, 403);

      // Reject needs a comment; it returns the entry to draft.
      assert.equal((await req('supervisor', 'POST', `${base}/entries/rv-1/reject`, { comment: '' })).statusCode, 400);
      const rej = await req('supervisor', 'POST', `${base}/entries/rv-1/reject`, { comment: '答案缺少收费标准' });
      assert.equal(rej.statusCode, 200, rej.body);
      assert.equal(rej.json().status, 'draft');

      // Editing, submitting again (by the admin this time): the admin may not approve their own submission.
      assert.equal((await req('operator', 'PATCH', `${base}/entries/rv-1`, { answer: '首年免年费，次年刷卡 6 次免年费' })).json().status, 'draft');
      assert.equal((await req('admin', 'POST', `${base}/entries/rv-1/submit`, {})).statusCode, 200);
      const own = await req('admin', 'POST', `${base}/entries/rv-1/approve`, {});
      assert.equal(own.statusCode, 403);
      assert.match(own.json().error.message, /four-eyes/);

      // An edit while submitted sends it back to draft; submit again, the supervisor approves.
      assert.equal((await req('operator', 'PATCH', `${base}/entries/rv-1`, { tags: ['年费'] })).json().status, 'draft');
      assert.equal((await req('operator', 'POST', `${base}/entries/rv-1/submit`, {})).statusCode, 200);
      const ok = await req('supervisor', 'POST', `${base}/entries/rv-1/approve`, { comment: '同意' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().status, 'approved');
      assert.equal((await req('operator', 'POST', `${base}/entries/rv-1/comments`, { text: '谢谢' })).statusCode, 201);

      // A draft is not published; the approved entry is, and becomes published.
      await entry('operator', { externalId: 'rv-draft', question: '草稿问题', answer: '草稿答案' });
      const pub = await req('operator', 'POST', `${base}/publish`, { note: 'review' });
      assert.equal(pub.statusCode, 200, pub.body);
      assert.equal(pub.json().entryCount, 1);
      const v = (await req('admin', 'GET', `${base}/versions/${pub.json().version}`)).json();
      assert.deepEqual(v.snapshot.entries.map((x: any) => x.id), ['rv-1']);
      const detail = (await req('admin', 'GET', `${base}/entries/rv-1`)).json();
      assert.equal(detail.status, 'published');
      assert.deepEqual(detail.comments.map((c: any) => c.action), ['submit', 'reject', 'submit', 'submit', 'approve', 'comment', 'publish']);
      assert.equal(detail.comments[0].text, '请审核');
      assert.equal(detail.comments[1].text, '答案缺少收费标准');
      assert.equal(detail.comments[1].authorName, 'supervisor-r');
      assert.equal(detail.comments[6].text, `v${pub.json().version}`);

      const audit = await deps.audit.list(tenantId, { limit: 200 });
      const actions = audit.filter((a) => a.target === detail.id).map((a) => a.action);
      for (const a of ['kb.entry.submit', 'kb.entry.reject', 'kb.entry.approve', 'kb.entry.comment']) assert.ok(actions.includes(a), a);
      const pa = audit.find((a) => a.action === 'kb.publish');
      assert.deepEqual((pa!.details as any).approvedPublished, ['rv-1']);
    });

    it('lists with text search, category subtree, status, tag, validity, sorting and paging', async () => {
      const root = (await req('operator', 'POST', `${base}/categories`, { name: '存款' })).json();
      const child = (await req('operator', 'POST', `${base}/categories`, { name: '定期', parentId: root.id })).json();
      const other = (await req('operator', 'POST', `${base}/categories`, { name: '贷款' })).json();
      await entry('admin', { externalId: 'ls-1', categoryId: root.id, question: '活期利率', answer: '0.1%', tags: ['利率'], status: 'published' });
      await entry('operator', { externalId: 'ls-2', categoryId: child.id, question: '定期利率', similar: ['三年定期 Rate'], answer: '1.5%', tags: ['利率', '定期'], validTo: '2020-01-01' });
      await entry('admin', { externalId: 'ls-3', categoryId: other.id, question: '房贷利率', answer: 'LPR', validFrom: '2099-01-01', status: 'published' });
      await entry('operator', { externalId: 'ls-4', categoryId: child.id, question: '大额存单', answer: '20 万起', tags: ['定期'] });
      const list = async (q: Record<string, string>) => {
        const r = await req('admin', 'GET', `${base}/entries?${new URLSearchParams(q)}`);
        assert.equal(r.statusCode, 200, r.body);
        return r.json();
      };
      const ids = (r: any) => r.items.map((x: any) => x.externalId);
      assert.deepEqual(ids(await list({ category: root.id })), ['ls-1', 'ls-2', 'ls-4'], 'subtree');
      assert.deepEqual(ids(await list({ category: child.id })), ['ls-2', 'ls-4']);
      assert.deepEqual(ids(await list({ q: 'rate' })), ['ls-2'], 'case-insensitive, similar questions searched');
      assert.deepEqual(ids(await list({ q: '利率', category: root.id, status: 'published' })), ['ls-1']);
      assert.deepEqual(ids(await list({ tag: '定期' })), ['ls-2', 'ls-4']);
      assert.deepEqual(ids(await list({ validity: 'expired' })), ['ls-2']);
      assert.deepEqual(ids(await list({ validity: 'future' })), ['ls-3']);
      assert.ok(!ids(await list({ validity: 'valid', pageSize: '200' })).some((x: string) => x === 'ls-2' || x === 'ls-3'));
      const byQuestion = ids(await list({ q: '利率', sort: 'question', order: 'asc' }));
      const sorted = ['活期利率', '定期利率', '房贷利率'].sort();
      const qOf: Record<string, string> = { 'ls-1': '活期利率', 'ls-2': '定期利率', 'ls-3': '房贷利率' };
      assert.deepEqual(byQuestion.map((x: string) => qOf[x]), sorted);
      const desc = ids(await list({ q: '利率', sort: 'question', order: 'desc' }));
      assert.deepEqual(desc, [...byQuestion].reverse());
      const p2 = await list({ category: root.id, pageSize: '2', page: '2' });
      assert.equal(p2.total, 3);
      assert.deepEqual(ids(p2), ['ls-4']);
      assert.equal((await req('admin', 'GET', `${base}/entries?validity=soon`)).statusCode, 400);
    });

    it('applies bulk actions all or nothing, checks permissions, and audits them', async () => {
      const cat = (await req('operator', 'POST', `${base}/categories`, { name: '批量' })).json();
      const a = await entry('operator', { question: '批量一', answer: 'A' });
      const b = await entry('operator', { question: '批量二', answer: 'B' });
      const c = await entry('admin', { question: '批量三', answer: 'C', status: 'published' });
      const bulk = (who: keyof typeof tok, body: unknown) => req(who, 'POST', `${base}/entries/bulk`, body);

      // c is published, so it cannot be submitted: nothing changes.
      const bad = await bulk('operator', { ids: [a.id, b.id, c.id], action: 'submit' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.details.problems.length, 1);
      assert.equal(bad.json().error.details.problems[0].id, c.id);
      assert.equal(await status(a.id), 'draft');
      assert.equal((await bulk('operator', { ids: [a.id, 'kbe_nope'], action: 'archive' })).statusCode, 400);
      assert.equal(await status(a.id), 'draft');

      const sub = await bulk('operator', { ids: [a.id, b.id], action: 'submit' });
      assert.equal(sub.statusCode, 200, sub.body);
      assert.deepEqual(sub.json(), { action: 'submit', count: 2, changed: 2 });
      // The review state stays in the console: an export (re-importable) writes entries under review as drafts.
      const csv = (await req('operator', 'GET', `${base}/export?format=csv`)).body;
      const line = csv.split('\n').find((l) => l.includes('批量一'))!;
      assert.match(line, /,draft(,|$)/);
      assert.ok(!csv.includes('submitted'));
      assert.equal((await bulk('operator', { ids: [a.id, b.id], action: 'approve' })).statusCode, 403, 'approve needs kb:review');
      assert.equal((await bulk('supervisor', { ids: [a.id], action: 'archive' })).statusCode, 403, 'a reviewer cannot archive');
      // The reviewer approves both at once.
      assert.equal((await bulk('supervisor', { ids: [a.id, b.id], action: 'approve' })).json().changed, 2);
      assert.equal(await status(b.id), 'approved');

      assert.equal((await bulk('operator', { ids: [a.id, c.id], action: 'move', categoryId: cat.id })).json().changed, 2);
      assert.equal((await req('admin', 'GET', `${base}/entries/${c.id}`)).json().categoryId, cat.id);
      assert.equal((await bulk('operator', { ids: [a.id], action: 'move', categoryId: 'kbc_missing' })).statusCode, 400);
      assert.equal((await bulk('operator', { ids: [a.id, c.id], action: 'addTag', tag: '批量' })).json().changed, 2);
      assert.equal((await bulk('operator', { ids: [a.id, c.id], action: 'addTag', tag: '批量' })).json().changed, 0, 'no duplicate tags');
      assert.deepEqual((await req('admin', 'GET', `${base}/entries/${c.id}`)).json().tags, ['批量']);
      assert.equal((await bulk('operator', { ids: [a.id, b.id, c.id], action: 'archive' })).json().changed, 3);
      assert.equal(await status(c.id), 'archived');

      const audit = await deps.audit.list(tenantId, { limit: 500 });
      const moved = audit.find((x) => x.action === 'kb.bulk.move');
      assert.deepEqual((moved!.details as any).ids, [a.id, c.id]);
      assert.ok(audit.some((x) => x.action === 'kb.bulk.archive'));
    });

    it('moves and reorders categories in the tree, refusing cycles', async () => {
      const mk = async (name: string, parentId?: string) => (await req('operator', 'POST', `${base}/categories`, { name, parentId })).json();
      const top = await mk('树');
      const x = await mk('甲', top.id);
      const y = await mk('乙', top.id);
      const z = await mk('丙', top.id);
      const move = (id: string, parentId: string | null, position: number) => req('operator', 'POST', `${base}/categories/${id}/move`, { parentId, position });

      const r = await move(z.id, top.id, 0);
      assert.equal(r.statusCode, 200, r.body);
      const node = r.json().items.find((n: any) => n.id === top.id);
      assert.deepEqual(node.children.map((c: any) => c.name), ['丙', '甲', '乙']);
      assert.deepEqual(node.children.map((c: any) => c.sort), [0, 1, 2]);

      const under = await move(y.id, x.id, 5);
      assert.equal(under.statusCode, 200);
      const cats = (await req('admin', 'GET', `${base}/categories`)).json().items;
      assert.equal(cats.find((c: any) => c.id === y.id).path, '树/甲/乙');

      assert.equal((await move(top.id, y.id, 0)).statusCode, 400, 'under its own grandchild');
      assert.equal((await move(x.id, x.id, 0)).statusCode, 400, 'under itself');
      assert.equal((await move(x.id, 'kbc_none', 0)).statusCode, 400);
      assert.equal((await move(x.id, null, 0)).statusCode, 200, 'to top level');
      const roots = (await move(x.id, null, 0)).json().items;
      assert.equal(roots[0].id, x.id);
      assert.equal((await req('agent', 'POST', `${base}/categories/${x.id}/move`, { parentId: null, position: 0 })).statusCode, 403);
    });

    it("shows which similar questions the bot's model confuses with other entries", async () => {
      await deps.tenancy.createBot(tenantId, { slug: 'conf', name: 'C' });
      const cb = '/api/v1/bots/conf/knowledge';
      const post = (url: string, body: unknown) => req('admin', 'POST', `${cb}${url}`, body);
      assert.equal((await post('/confusion', { questions: ['信用卡挂失'] })).statusCode, 409, 'nothing published yet');
      await post('/entries', { externalId: 'card-loss', question: '信用卡丢了怎么挂失', similar: ['卡丢了怎么办', '挂失信用卡'], answer: '致电挂失', status: 'published' });
      await post('/entries', { externalId: 'card-fee', question: '信用卡年费怎么收', similar: ['年费多少钱', '免年费条件'], answer: '首年免年费', status: 'published' });
      await post('/entries', { externalId: 'transfer', question: '怎么转账到他行', similar: ['跨行转账', '转账手续费'], answer: '手机银行转账', status: 'published' });
      assert.equal((await post('/publish', {})).statusCode, 200);

      // A new draft whose similar questions include one that belongs to card-loss.
      const draft = (await post('/entries', { externalId: 'card-new', question: '申请新信用卡', similar: ['信用卡丢了怎么挂失', '怎么办一张信用卡'], answer: '线上申请' })).json();
      const r = await post('/confusion', { entryId: draft.id });
      assert.equal(r.statusCode, 200, r.body);
      const rep = r.json();
      assert.equal(rep.entryId, 'card-new');
      assert.equal(rep.items.length, 3);
      const lost = rep.items.find((i: any) => i.question === '信用卡丢了怎么挂失');
      assert.equal(lost.matches[0].id, 'card-loss');
      assert.equal(lost.matches[0].title, '信用卡丢了怎么挂失');
      assert.equal(lost.confused, true);
      assert.ok(rep.confusedCount >= 1);

      // A published entry's own questions match itself.
      const self = (await post('/confusion', { entryId: 'card-fee' })).json();
      assert.equal(self.items[0].matches[0].id, 'card-fee');
      assert.equal(self.items[0].self, true);
      assert.equal(self.items[0].confused, false);
      // Free questions (the editor's unsaved similar questions) against an entry.
      const free = (await post('/confusion', { entryId: 'card-fee', questions: ['跨行转账要手续费吗'] })).json();
      assert.equal(free.items[0].matches[0].id, 'transfer');
      assert.equal(free.items[0].confused, true);
      assert.equal((await post('/confusion', {})).statusCode, 400);
    });

    it('lets only a reviewer (kb:review) put content live without review', async () => {
      const refused = await req('operator', 'POST', `${base}/entries`, { externalId: 'dl-1', question: '直接发布的问题', answer: 'x', status: 'published' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.json().error.message, /kb:review.*submit it for review/);
      assert.equal((await req('operator', 'GET', `${base}/entries/dl-1`)).statusCode, 404, 'nothing created');
      const d1 = await entry('operator', { externalId: 'dl-1', question: '直接发布的问题', answer: 'x' });
      assert.equal(d1.status, 'draft');
      assert.equal((await req('operator', 'PATCH', `${base}/entries/dl-1`, { status: 'published' })).statusCode, 403);
      assert.equal((await req('operator', 'PATCH', `${base}/entries/dl-1`, { answer: 'y', status: 'published' })).statusCode, 403);
      assert.equal(await status('dl-1'), 'draft');

      // The admin holds kb:review: creates published, publishes a draft by patching, edits a published entry in place.
      const pub = await entry('admin', { externalId: 'dl-2', question: '管理员直接发布', answer: 'y', status: 'published' });
      assert.equal(pub.status, 'published');
      assert.equal((await req('admin', 'PATCH', `${base}/entries/dl-1`, { status: 'published' })).json().status, 'published');
      assert.equal((await req('admin', 'PATCH', `${base}/entries/dl-2`, { answer: 'y2' })).json().status, 'published');

      // The operator's edit of a published entry is a draft to submit; a draft stays a draft.
      assert.equal((await req('operator', 'PATCH', `${base}/entries/dl-1`, { tags: ['改'] })).json().status, 'draft');
      assert.equal((await req('operator', 'PATCH', `${base}/entries/dl-1`, { answer: 'z' })).json().status, 'draft');
      const audit = await deps.audit.list(tenantId, { limit: 500 });
      const demotion = audit.find((a) => a.action === 'kb.entry.update' && a.target === d1.id && (a.details as any).to === 'draft');
      assert.equal((demotion?.details as any)?.from, 'published', 'the audit records the return to draft');

      // Bulk edits too: the operator's move of a published entry makes it a draft, the admin's does not.
      const cat = (await req('admin', 'POST', `${base}/categories`, { name: '直接发布' })).json();
      const mine = await entry('admin', { externalId: 'dl-3', question: '批量移动的已发布条目', answer: 'w', status: 'published' });
      const bulk = (who: keyof typeof tok, body: unknown) => req(who, 'POST', `${base}/entries/bulk`, body);
      assert.equal((await bulk('admin', { ids: [mine.id, pub.id], action: 'move', categoryId: cat.id })).json().changed, 2);
      assert.deepEqual([await status(mine.id), await status(pub.id)], ['published', 'published']);
      assert.equal((await bulk('operator', { ids: [mine.id], action: 'move', categoryId: cat.id })).statusCode, 200);
      assert.equal(await status(mine.id), 'published', 'moved to the category it is in: not an edit');
      assert.equal((await bulk('operator', { ids: [mine.id, pub.id], action: 'addTag', tag: '批量' })).json().changed, 2);
      assert.deepEqual([await status(mine.id), await status(pub.id)], ['draft', 'draft']);
      assert.equal((await bulk('operator', { ids: [mine.id], action: 'approve' })).statusCode, 403);
    });

    it('keeps the published answer live while its edit is in review, and publishes the edit once approved', async () => {
      await deps.tenancy.createBot(tenantId, { slug: 'review-live', name: 'L', isPublic: true });
      const lb = '/api/v1/bots/review-live/knowledge';
      const call = (who: keyof typeof tok, method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => req(who, method, `${lb}${url}`, body);
      const detail = async (id: string) => (await call('operator', 'GET', `/entries/${id}`)).json();
      const publish = async () => {
        const r = await call('operator', 'POST', '/publish', {});
        assert.equal(r.statusCode, 200, r.body);
        return (await call('operator', 'GET', `/versions/${r.json().version}`)).json().snapshot.entries as { id: string; answer: string }[];
      };
      const answerOf = async (text: string) => {
        const r = (await app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'review-live', text } })).json();
        assert.equal(r.replies[0].type, 'answer', JSON.stringify(r));
        return r.replies[0].text as string;
      };
      const before = '首年免年费';
      const after = '首年免年费，次年刷卡 6 次免年费';
      await call('admin', 'POST', '/entries', { externalId: 'fee', question: '信用卡年费多少钱', similar: ['年费怎么收', '免年费条件'], answer: before, status: 'published' });
      await call('admin', 'POST', '/entries', { externalId: 'loss', question: '信用卡丢了怎么挂失', similar: ['卡丢了怎么办', '挂失信用卡'], answer: '致电挂失', status: 'published' });
      await call('admin', 'POST', '/entries', { externalId: 'transfer', question: '怎么转账到他行', similar: ['跨行转账', '转账手续费'], answer: '手机银行转账', status: 'published' });
      assert.equal((await detail('fee')).live, false, 'nothing published yet');
      await publish();
      assert.deepEqual([(await detail('fee')).status, (await detail('fee')).live], ['published', true]);

      // The operator edits the live answer: a draft, while the robot keeps answering with the published one.
      const edited = await call('operator', 'PATCH', '/entries/fee', { answer: after });
      assert.equal(edited.json().status, 'draft');
      assert.deepEqual([(await detail('fee')).status, (await detail('fee')).live], ['draft', true]);
      assert.equal((await call('operator', 'POST', '/entries', { externalId: 'new', question: '新条目', answer: '新' })).statusCode, 201);
      assert.equal((await detail('new')).live, false);
      let live = await publish();
      assert.deepEqual(live.map((e) => e.id), ['fee', 'loss', 'transfer'], 'in working-copy order; the new draft is not published');
      assert.equal(live.find((e) => e.id === 'fee')!.answer, before);
      assert.equal(await answerOf('信用卡年费多少钱'), before);

      // Submitted: still the published answer. Approved by the supervisor: the next publish takes the edit live.
      assert.equal((await call('operator', 'POST', '/entries/fee/submit', {})).statusCode, 200);
      live = await publish();
      assert.equal(live.find((e) => e.id === 'fee')!.answer, before);
      assert.equal((await call('supervisor', 'POST', '/entries/fee/approve', {})).statusCode, 200);
      live = await publish();
      assert.equal(live.find((e) => e.id === 'fee')!.answer, after);
      assert.deepEqual([(await detail('fee')).status, (await detail('fee')).live], ['published', true]);
      assert.equal(await answerOf('信用卡年费多少钱'), after);

      // Archiving still takes an entry offline at the next publish.
      assert.equal((await call('operator', 'PATCH', '/entries/transfer', { answer: '柜台转账' })).json().status, 'draft');
      await req('operator', 'DELETE', `${lb}/entries/transfer`);
      assert.deepEqual((await publish()).map((e) => e.id), ['fee', 'loss']);
      assert.equal((await detail('transfer')).live, false);
    });

    it('does not carry entries a rollback took out of the published version', async () => {
      await deps.tenancy.createBot(tenantId, { slug: 'review-rb', name: 'R' });
      const rb = '/api/v1/bots/review-rb/knowledge';
      const call = (who: keyof typeof tok, method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => req(who, method, `${rb}${url}`, body);
      const publish = async () => {
        const r = await call('operator', 'POST', '/publish', {});
        assert.equal(r.statusCode, 200, r.body);
        return r.json().version as number;
      };
      const ids = async (v: number) => (await call('operator', 'GET', `/versions/${v}`)).json().snapshot.entries.map((e: any) => e.id);
      await call('admin', 'POST', '/entries', { externalId: 'a', question: '第一条', answer: 'a', status: 'published' });
      const v1 = await publish();
      await call('admin', 'POST', '/entries', { externalId: 'b', question: '第二条', answer: 'b', status: 'published' });
      await call('admin', 'POST', '/entries', { externalId: 'c', question: '第三条', answer: 'c', status: 'published' });
      await publish();
      // c's edit is pending (a draft) when the rollback to v1 comes; b is published and gets demoted by it.
      assert.equal((await call('operator', 'PATCH', '/entries/c', { answer: 'c2' })).json().status, 'draft');
      const back = await call('operator', 'POST', '/rollback', { version: v1 });
      assert.equal(back.statusCode, 200, back.body);
      assert.deepEqual(await ids(back.json().version), ['a']);
      assert.equal((await call('operator', 'GET', '/entries/b')).json().status, 'draft');
      assert.deepEqual(await ids(await publish()), ['a'], 'neither the demoted nor the pending entry comes back');
      for (const id of ['b', 'c']) assert.equal((await call('operator', 'GET', `/entries/${id}`)).json().live, false, id);
    });

    it('imports drafts for an operator, refuses published rows, and keeps the admin default', async () => {
      const upload = (who: keyof typeof tok, csv: string, dryRun = false) => app.inject({
        method: 'POST', url: `${base}/import?format=csv${dryRun ? '&dryRun=true' : ''}`, payload: csv,
        headers: { authorization: `Bearer ${tok[who]}`, 'content-type': 'text/csv' },
      });
      await entry('admin', { externalId: 'im-1', question: '导入前已发布', answer: '旧答案', status: 'published' });
      const ok = await upload('operator', 'id,question,answer,status\nim-1,导入前已发布,新答案,\nim-2,导入的新条目,答案二,\n');
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual([ok.json().created, ok.json().updated], [1, 1]);
      assert.deepEqual([await status('im-1'), await status('im-2')], ['draft', 'draft'], 'an overwritten published entry becomes a draft');

      const file = 'id,question,answer,status\nim-3,问题三,答案三,\nim-4,问题四,答案四,已发布\n';
      const dry = (await upload('operator', file, true)).json();
      assert.equal(dry.ok, false);
      assert.deepEqual(dry.errors.map((e: any) => [e.row, e.column]), [[3, 'status']]);
      assert.match(dry.errors[0].message, /kb:review/);
      const refused = await upload('operator', file);
      assert.equal(refused.statusCode, 400);
      assert.equal((await req('admin', 'GET', `${base}/entries/im-3`)).statusCode, 404, 'nothing written');
      assert.equal((await upload('admin', file)).statusCode, 200);
      assert.deepEqual([await status('im-3'), await status('im-4')], ['published', 'published']);
    });
  });
}
