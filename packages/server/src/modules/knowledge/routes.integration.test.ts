import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { bothDatabases } from '../../testing/databases.ts';
import { loadConfig } from '../../config.ts';
import { compose, type Deps } from '../../compose.ts';
import { buildApp, type App } from '../../app.ts';
import { createLogger } from '../../platform/logger.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

for (const target of await bothDatabases()) {
  describe(`knowledge routes (${target.name})`, () => {
    let app: App;
    let deps: Deps;
    let closeDb: () => Promise<void>;
    const tok: Record<'admin' | 'operator' | 'agent' | 'other', string> = { admin: '', operator: '', agent: '', other: '' };
    let bot: string;

    const req = (who: keyof typeof tok | null, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method, url, payload: payload as any,
        headers: { ...(who ? { authorization: `Bearer ${tok[who]}` } : {}), ...headers },
      });

    before(async () => {
      const { db, close } = await target.open();
      closeDb = close;
      deps = await compose(loadConfig({ LINGXI_LOG_LEVEL: 'silent', LINGXI_DEMO: 'false' } as NodeJS.ProcessEnv), { db, logger: createLogger('silent') });
      app = await buildApp(deps);
      await app.ready();
      const a = await deps.tenancy.createTenant('bank-a', 'Bank A');
      const b = await deps.tenancy.createTenant('bank-b', 'Bank B');
      const mk = async (tenantId: string, username: string, roles: any[]) => {
        await deps.auth.createUser(tenantId, { username, password: 'password-123', roles });
        return (await deps.auth.login(username, 'password-123', tenantId)).token;
      };
      tok.admin = await mk(a.id, 'admin-a', ['admin']);
      tok.operator = await mk(a.id, 'operator-a', ['knowledge_operator']);
      tok.agent = await mk(a.id, 'agent-a', ['agent']);
      tok.other = await mk(b.id, 'admin-b', ['admin']);
      bot = (await deps.tenancy.createBot(a.id, { slug: 'routes-a', name: 'A' })).id;
    });
    after(async () => {
      await app?.close();
      await deps?.close(); // closes the database too
      await closeDb?.().catch(() => {}); // PGlite refuses a second close; PostgreSQL's drop still runs
    });

    it('manages categories, entries and synonyms, and publishes and rolls back over HTTP', async () => {
      const base = `/api/v1/bots/routes-a/knowledge`;
      const cat = await req('operator', 'POST', `${base}/categories`, { name: '银行卡' });
      assert.equal(cat.statusCode, 201, cat.body);
      const sub = await req('operator', 'POST', `${base}/categories`, { name: '挂失', parentId: cat.json().id });
      assert.equal(sub.json().path, '银行卡/挂失');

      // Entries are created and edited as published by the admin: an operator's would need review (review.integration.test.ts).
      const created = await req('admin', 'POST', `${base}/entries`, {
        externalId: 'card-loss', categoryId: sub.json().id, question: '银行卡丢了怎么办', similar: ['卡丢了', '怎么挂失'],
        answer: '请立即挂失', answerHtml: '<p>请<b>立即</b>挂失<img src=x onerror=alert(1)></p>', channelAnswers: { sms: '请挂失' },
        tags: ['挂失'], validFrom: '2025-01-01', status: 'published',
      });
      assert.equal(created.statusCode, 201, created.body);
      const e = created.json();
      assert.equal(e.category, '银行卡/挂失');
      assert.equal(e.answerHtml, '<p>请<b>立即</b>挂失</p>');
      assert.equal(e.validFrom, '2024-12-31T16:00:00.000Z');

      const list = await req('agent', 'GET', `${base}/entries?q=${encodeURIComponent('卡丢')}&page=1&pageSize=10`);
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(list.json().total, 1);
      assert.equal((await req('agent', 'GET', `${base}/entries?validAt=2024-06-01`)).json().total, 0);
      assert.equal((await req('agent', 'GET', `${base}/entries?validAt=2025-06-01`)).json().total, 1);
      assert.equal((await req('agent', 'GET', `${base}/entries?validAt=yesterday`)).statusCode, 400);

      const patched = await req('admin', 'PATCH', `${base}/entries/card-loss`, { answer: '请立即致电挂失' });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().answer, '请立即致电挂失');
      assert.equal((await req('agent', 'GET', `${base}/entries/${e.id}`)).json().externalId, 'card-loss');

      const syn = await req('operator', 'POST', `${base}/synonyms`, { words: ['挂失', '冻结'] });
      assert.equal(syn.statusCode, 201);
      assert.equal((await req('operator', 'PUT', `${base}/synonyms/${syn.json().id}`, { words: ['挂失', '冻结', '止付'] })).json().words.length, 3);
      assert.equal((await req('operator', 'POST', `${base}/synonyms`, { words: ['只有一个'] })).statusCode, 400);

      const v1 = await req('operator', 'POST', `${base}/publish`, { note: '首次发布' });
      assert.equal(v1.statusCode, 200, v1.body);
      assert.equal(v1.json().version, 1);
      await req('admin', 'PATCH', `${base}/entries/card-loss`, { answer: '第二版答案' });
      assert.equal((await req('operator', 'POST', `${base}/publish`)).json().version, 2);
      const diff = await req('agent', 'GET', `${base}/versions/1/diff/2`);
      assert.deepEqual(diff.json(), { from: 1, to: 2, added: [], removed: [], changed: ['card-loss'], synonymsChanged: false, flows: { added: [], removed: [], changed: [] } });
      const rb = await req('operator', 'POST', `${base}/rollback`, { version: 1 });
      assert.deepEqual(rb.json(), { version: 3, entryCount: 1, restoredFrom: 1 });
      const versions = (await req('agent', 'GET', `${base}/versions`)).json();
      assert.equal(versions.current, 3);
      assert.deepEqual(versions.items.map((v: any) => v.version), [3, 2, 1]);
      const v3 = (await req('agent', 'GET', `${base}/versions/3`)).json();
      assert.equal(v3.snapshot.entries[0].answer, '请立即致电挂失');
      assert.equal((await req('agent', 'GET', `${base}/versions/9`)).statusCode, 404);
      assert.equal((await req('agent', 'GET', `${base}/entries/card-loss`)).json().answer, '请立即致电挂失');

      // Delete = archive; a category with entries cannot be deleted.
      assert.equal((await req('operator', 'DELETE', `${base}/categories/${sub.json().id}`)).statusCode, 409);
      assert.equal((await req('operator', 'DELETE', `${base}/entries/card-loss`)).json().status, 'archived');
      assert.equal((await req('operator', 'DELETE', `${base}/categories/${sub.json().id}`)).statusCode, 204);
    });

    it('enforces permissions and validates input', async () => {
      const base = `/api/v1/bots/${bot}/knowledge`;
      assert.equal((await req(null, 'GET', `${base}/entries`)).statusCode, 401);
      assert.equal((await req('agent', 'POST', `${base}/entries`, { question: 'q', answer: 'a' })).statusCode, 403);
      assert.equal((await req('agent', 'POST', `${base}/publish`, {})).statusCode, 403);
      assert.equal((await req('agent', 'POST', `${base}/import`, 'id,question,answer\n1,q,a\n', { 'content-type': 'text/csv' })).statusCode, 403);
      const long = await req('operator', 'POST', `${base}/entries`, { question: 'x'.repeat(501), answer: 'a' });
      assert.equal(long.statusCode, 400);
      assert.equal(long.json().error.code, 'validation_failed');
      const dates = await req('operator', 'POST', `${base}/entries`, { question: 'q', answer: 'a', validFrom: '2025-02-01', validTo: '2025-01-01' });
      assert.equal(dates.statusCode, 400);
      assert.match(dates.json().error.message, /before/);
      const badJson = await app.inject({ method: 'POST', url: `${base}/entries`, payload: '{"question":', headers: { authorization: `Bearer ${tok.operator}`, 'content-type': 'application/json' } });
      assert.equal(badJson.statusCode, 400);
      assert.equal((await req('operator', 'GET', `${base}/entries?pageSize=1000`)).statusCode, 400);
    });

    it('imports CSV and XLSX bodies (dry run, all-or-nothing) and exports attachments', async () => {
      const b2 = (await deps.tenancy.createBot((await deps.tenancy.findTenantBySlug('bank-a'))!.id, { slug: 'routes-import', name: 'I' })).id;
      const base = `/api/v1/bots/${b2}/knowledge`;
      const good = '\ufeffid,category,question,similar_questions,answer,tags\r\nq1,理财/基金,基金怎么买,"买基金\n申购基金",在App购买,"基金、理财"\r\nq2,,转账限额,,每日50万,\r\n';
      const dry = await req('operator', 'POST', `${base}/import?dryRun=true`, good, { 'content-type': 'text/csv; charset=utf-8' });
      assert.equal(dry.statusCode, 200, dry.body);
      assert.deepEqual([dry.json().ok, dry.json().created], [true, 2]);
      assert.equal((await req('operator', 'GET', `${base}/entries`)).json().total, 0);

      const bad = good + 'q3,,,,没有问题,\r\nq1,,重复,,x,\r\n';
      const r = await req('operator', 'POST', `${base}/import`, bad, { 'content-type': 'text/csv' });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().ok, false);
      assert.equal(r.json().error.code, 'validation_failed');
      assert.deepEqual(r.json().errors.map((e: any) => [e.row, e.column]), [[4, 'question'], [5, 'id']]);
      assert.equal((await req('operator', 'GET', `${base}/entries`)).json().total, 0, 'nothing imported');

      const ok = await req('operator', 'POST', `${base}/import`, good, { 'content-type': 'text/csv' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await req('operator', 'GET', `${base}/entries`)).json().total, 2);

      const csv = await req('agent', 'GET', `${base}/export?format=csv`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /^attachment; filename="knowledge-routes-import-\d{4}-\d{2}-\d{2}\.csv"$/);
      assert.match(csv.body, /^\ufeffid,category,question,similar_questions,answer,tags,valid_from,valid_to/);
      const xlsx = await req('agent', 'GET', `${base}/export?format=xlsx`);
      assert.equal(xlsx.headers['content-type'], XLSX);
      assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');

      // The xlsx export goes back in through the xlsx content type, into another bot.
      const b3 = (await deps.tenancy.createBot((await deps.tenancy.findTenantBySlug('bank-a'))!.id, { slug: 'routes-import-2', name: 'I2' })).id;
      const back = await app.inject({ method: 'POST', url: `/api/v1/bots/${b3}/knowledge/import`, payload: xlsx.rawPayload, headers: { authorization: `Bearer ${tok.operator}`, 'content-type': XLSX } });
      assert.equal(back.statusCode, 200, back.body);
      assert.equal(back.json().created, 2);
      const q1 = (await req('agent', 'GET', `/api/v1/bots/${b3}/knowledge/entries/q1`)).json();
      assert.deepEqual([q1.category, q1.similar, q1.tags], ['理财/基金', ['买基金', '申购基金'], ['基金', '理财']]);

      // A workbook hand-made in Excel, sent as octet-stream with ?format=xlsx.
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('s').addRows([['标准问', '答案'], ['开户要带什么', '身份证']]);
      const own = await app.inject({ method: 'POST', url: `${base}/import?format=xlsx`, payload: Buffer.from(await wb.xlsx.writeBuffer()), headers: { authorization: `Bearer ${tok.operator}`, 'content-type': 'application/octet-stream' } });
      assert.equal(own.statusCode, 200, own.body);

      assert.equal((await req('operator', 'POST', `${base}/import`, 'garbage', { 'content-type': XLSX })).statusCode, 400);
      assert.equal((await req('operator', 'POST', `${base}/import`, 'a,b', { 'content-type': 'application/octet-stream' })).statusCode, 400);
      assert.equal((await req('operator', 'POST', `${base}/import`, 'a', { 'content-type': 'image/png' })).statusCode, 415);
      const huge = await app.inject({ method: 'POST', url: `${base}/import`, payload: Buffer.alloc(11 * 1024 * 1024, 0x61), headers: { authorization: `Bearer ${tok.operator}`, 'content-type': 'text/csv' } });
      assert.equal(huge.statusCode, 413);
    });

    it('answers another tenant with 404 for every knowledge route of this bot', async () => {
      const base = `/api/v1/bots/${bot}/knowledge`;
      const calls: [string, string, unknown?, Record<string, string>?][] = [
        ['GET', `${base}/entries`], ['GET', `${base}/categories`], ['GET', `${base}/synonyms`], ['GET', `${base}/versions`],
        ['GET', `${base}/versions/1`], ['GET', `${base}/export?format=csv`], ['POST', `${base}/entries`, { question: 'q', answer: 'a' }],
        ['PATCH', `${base}/entries/card-loss`, { answer: 'x' }], ['POST', `${base}/publish`, {}], ['POST', `${base}/rollback`, { version: 1 }],
        ['POST', `${base}/import`, 'id,question,answer\ncard-loss,x,y\n', { 'content-type': 'text/csv' }],
        ['GET', `/api/v1/bots/routes-a/knowledge/entries/card-loss`],
      ];
      for (const [m, url, body, h] of calls) {
        const r = await req('other', m as any, url, body, h);
        assert.equal(r.statusCode, 404, `${m} ${url}: ${r.statusCode} ${r.body}`);
      }
      const still = await req('admin', 'GET', `${base}/entries/card-loss`);
      assert.equal(still.json().answer, '请立即致电挂失');
    });

    it('documents the knowledge API in OpenAPI', async () => {
      const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const paths = Object.keys(spec.paths).filter((p) => p.includes('/knowledge/'));
      for (const p of ['/entries', '/entries/{id}', '/categories', '/synonyms', '/publish', '/versions', '/versions/{a}/diff/{b}', '/rollback', '/import', '/export']) {
        assert.ok(paths.includes(`/api/v1/bots/{bot}/knowledge${p}`), p);
      }
      assert.deepEqual(spec.paths['/api/v1/bots/{bot}/knowledge/entries'].post.tags, ['knowledge']);
    });
  });
}
