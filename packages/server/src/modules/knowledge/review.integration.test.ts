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
      await entry('operator', { externalId: 'ls-1', categoryId: root.id, question: '活期利率', answer: '0.1%', tags: ['利率'], status: 'published' });
      await entry('operator', { externalId: 'ls-2', categoryId: child.id, question: '定期利率', similar: ['三年定期 Rate'], answer: '1.5%', tags: ['利率', '定期'], validTo: '2020-01-01' });
      await entry('operator', { externalId: 'ls-3', categoryId: other.id, question: '房贷利率', answer: 'LPR', validFrom: '2099-01-01', status: 'published' });
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
      const c = await entry('operator', { question: '批量三', answer: 'C', status: 'published' });
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
  });
}
