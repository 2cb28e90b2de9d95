import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { bothDatabases } from '../../testing/databases.ts';
import type { Db } from '../../storage/db.ts';
import { EventBus, type DomainEvent } from '../../platform/event-bus.ts';
import { InMemoryCoordination } from '../../platform/coordination.ts';
import { AppError } from '../../platform/errors.ts';
import { PgAuditLog } from '../audit/audit-log.ts';
import { PgTenancyRepository } from '../tenancy/pg-tenancy-repository.ts';
import { TenancyService } from '../tenancy/tenancy-service.ts';
import { PgKnowledgeRepository } from './pg-knowledge-repository.ts';
import { KnowledgeService, type Actor } from './knowledge-service.ts';
import { isValidAt } from './knowledge-snapshot.ts';

const rejectsWith = async (p: Promise<unknown>, code: string, re?: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
};

const csv = (s: string) => Buffer.from(s, 'utf8');

for (const target of await bothDatabases()) {
  describe(`knowledge service (${target.name})`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let kb: KnowledgeService;
    let tenancy: TenancyService;
    let audit: PgAuditLog;
    let coordination: InMemoryCoordination;
    const events: DomainEvent[] = [];
    const published: unknown[] = [];
    let A: Actor;
    let B: Actor;
    let nextBot = 0;
    const newBot = async (p: Actor = A) => (await tenancy.createBot(p.tenantId, { slug: `kb-${target.name}-${++nextBot}`, name: 'bot' })).id;

    before(async () => {
      ({ db, close } = await target.open());
      audit = new PgAuditLog(db);
      tenancy = new TenancyService(new PgTenancyRepository(db), audit);
      coordination = new InMemoryCoordination();
      await coordination.subscribe('kb.published', (m) => published.push(m));
      const bus = new EventBus();
      bus.on('*', (e) => { events.push(e); });
      kb = new KnowledgeService({ db, repo: new PgKnowledgeRepository(db), tenancy, audit, clock: { now: () => new Date() }, coordination, events: bus });
      A = { tenantId: (await tenancy.createTenant(`a-${target.name}`, 'Bank A')).id, actor: 'user:a' };
      B = { tenantId: (await tenancy.createTenant(`b-${target.name}`, 'Bank B')).id, actor: 'user:b' };
    });
    after(async () => {
      await coordination.close();
      await close();
    });

    it('builds a category tree, moves without cycles, deletes only empty categories', async () => {
      const bot = await newBot();
      const cards = await kb.createCategory(A, bot, { name: '银行卡' });
      const loss = await kb.createCategory(A, bot, { name: '挂失', parentId: cards.id });
      const deep = await kb.createCategory(A, bot, { name: '临时挂失', parentId: loss.id });
      assert.equal(deep.path, '银行卡/挂失/临时挂失');
      await rejectsWith(kb.createCategory(A, bot, { name: '挂失', parentId: cards.id }), 'conflict');
      await rejectsWith(kb.createCategory(A, bot, { name: 'a/b' }), 'validation_failed');
      await rejectsWith(kb.moveCategory(A, bot, cards.id, deep.id), 'bad_request', /under itself/);
      await rejectsWith(kb.moveCategory(A, bot, cards.id, cards.id), 'bad_request');
      const moved = await kb.moveCategory(A, bot, deep.id, null);
      assert.equal(moved.path, '临时挂失');
      const renamed = await kb.renameCategory(A, bot, loss.id, '挂失与补卡');
      assert.equal(renamed.path, '银行卡/挂失与补卡');
      const tree = await kb.categoryTree(A.tenantId, bot);
      assert.deepEqual(tree.map((n) => [n.name, n.children.map((c) => c.name)]), [['银行卡', ['挂失与补卡']], ['临时挂失', []]]);

      await kb.createEntry(A, bot, { question: '卡丢了怎么办', answer: '请挂失', categoryId: loss.id });
      await rejectsWith(kb.deleteCategory(A, bot, cards.id), 'conflict', /sub-categories/);
      await rejectsWith(kb.deleteCategory(A, bot, loss.id), 'conflict', /entries/);
      await kb.deleteCategory(A, bot, deep.id);
      assert.equal((await kb.listCategories(A.tenantId, bot)).length, 2);
    });

    it('validates entries, sanitises HTML, generates external ids, archives on delete', async () => {
      const bot = await newBot();
      const e = await kb.createEntry(A, bot, {
        question: '  信用卡年费多少  ',
        similar: ['信用卡年费', '年费怎么收', '年费怎么收', '', '信用卡年费多少'],
        answer: '普卡首年免年费。',
        answerHtml: '<p onclick="x()">普卡<b>首年免</b>年费<script>alert(1)</script><a href="javascript:alert(1)">详情</a></p>',
        channelAnswers: { sms: '普卡首年免年费' },
        tags: ['信用卡', '年费', '信用卡'],
        validFrom: '2025-01-01',
        validTo: '2025-12-31',
      });
      assert.match(e.externalId, /^kb-[0-9a-z]{8}$/);
      assert.equal(e.question, '信用卡年费多少');
      assert.deepEqual(e.similar, ['信用卡年费', '年费怎么收']);
      assert.deepEqual(e.tags, ['信用卡', '年费']);
      assert.equal(e.answerHtml, '<p>普卡<b>首年免</b>年费<a rel="noopener noreferrer nofollow" target="_blank">详情</a></p>');
      assert.equal(e.status, 'draft');
      // Dates without an offset are China Standard Time; a date alone as valid_to is the end of that day.
      assert.equal(e.validFrom!.toISOString(), '2024-12-31T16:00:00.000Z');
      assert.equal(e.validTo!.toISOString(), '2025-12-31T15:59:59.999Z');

      await rejectsWith(kb.createEntry(A, bot, { question: '', answer: 'x' }), 'validation_failed');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q'.repeat(501), answer: 'x' }), 'validation_failed');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a'.repeat(20_001) }), 'validation_failed');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a', similar: Array.from({ length: 201 }, (_, i) => `s${i}`) }), 'validation_failed');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a', validFrom: '2025-02-01', validTo: '2025-01-01' }), 'validation_failed', /before/);
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a', validFrom: '2025-02-30' }), 'validation_failed');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a', channelAnswers: { fax: 'x' } as any }), 'validation_failed');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a', externalId: e.externalId }), 'conflict');
      await rejectsWith(kb.createEntry(A, bot, { question: 'q', answer: 'a', categoryId: 'kbc_nope' }), 'bad_request');

      const u = await kb.updateEntry(A, bot, e.externalId, { answer: '普卡首年免年费，次年刷卡6次免年费。', validTo: null, status: 'published' });
      assert.equal(u.answer, '普卡首年免年费，次年刷卡6次免年费。');
      assert.equal(u.validTo, null);
      assert.equal(u.validFrom!.toISOString(), '2024-12-31T16:00:00.000Z');
      assert.deepEqual(u.similar, ['信用卡年费', '年费怎么收']);
      await rejectsWith(kb.updateEntry(A, bot, e.id, { validTo: '2024-01-01' }), 'validation_failed');

      const archived = await kb.deleteEntry(A, bot, e.id);
      assert.equal(archived.status, 'archived');
      assert.equal((await kb.listEntries(A.tenantId, bot)).total, 0);
      assert.equal((await kb.listEntries(A.tenantId, bot, { status: 'archived' })).total, 1);
      const acts = (await audit.list(A.tenantId)).map((x) => x.action);
      for (const a of ['kb.entry.create', 'kb.entry.update', 'kb.entry.archive']) assert.ok(acts.includes(a), a);
    });

    it('lists with search, filters, validity and paging', async () => {
      const bot = await newBot();
      const cards = await kb.createCategory(A, bot, { name: '卡' });
      const credit = await kb.createCategory(A, bot, { name: '信用卡', parentId: cards.id });
      await kb.createEntry(A, bot, { externalId: 'e1', question: '怎么挂失', similar: ['卡丢了'], answer: '拨打95588', categoryId: cards.id, tags: ['挂失'], status: 'published' });
      await kb.createEntry(A, bot, { externalId: 'e2', question: '年费多少', answer: '100% 免年费', categoryId: credit.id, tags: ['年费'] });
      await kb.createEntry(A, bot, { externalId: 'e3', question: '过期活动', answer: '已结束', validTo: '2020-01-01' });
      for (let i = 0; i < 5; i++) await kb.createEntry(A, bot, { question: `问题${i}`, answer: '答案' });
      const ids = async (q: Parameters<KnowledgeService['listEntries']>[2]) => (await kb.listEntries(A.tenantId, bot, q)).items.map((e) => e.externalId);
      assert.deepEqual(await ids({ q: '卡丢' }), ['e1']); // similar question text
      assert.deepEqual(await ids({ q: '95588' }), ['e1']); // answer text
      assert.deepEqual(await ids({ q: '100%' }), ['e2']); // LIKE metacharacters are literal
      assert.deepEqual(await ids({ q: '%' }), ['e2']);
      assert.deepEqual(await ids({ category: cards.id }), ['e1', 'e2']); // includes sub-categories
      assert.deepEqual(await ids({ category: credit.id }), ['e2']);
      assert.deepEqual(await ids({ tag: '年费' }), ['e2']);
      assert.deepEqual(await ids({ status: 'published' }), ['e1']);
      assert.equal((await ids({ validAt: new Date() })).includes('e3'), false);
      const p2 = await kb.listEntries(A.tenantId, bot, { page: 2, pageSize: 3 });
      assert.equal(p2.total, 8);
      assert.equal(p2.items.length, 3);
      assert.equal((await kb.listEntries(A.tenantId, bot, { page: 3, pageSize: 3 })).items.length, 2);
      const e1 = await kb.getEntry(A.tenantId, bot, 'e1');
      assert.equal(e1.category, '卡');
    });

    it('publishes immutable versions, notifies, rolls back linearly and restores the working copy', async () => {
      const bot = await newBot();
      await kb.createSynonym(A, bot, ['信用卡', '贷记卡']);
      await rejectsWith(kb.createSynonym(A, bot, ['信用卡', '信用卡']), 'validation_failed', /2 different/);
      const c = await kb.createCategory(A, bot, { name: '卡' });
      const sub = await kb.createCategory(A, bot, { name: '借记卡', parentId: c.id });
      await kb.createEntry(A, bot, { externalId: 'a', question: '挂失', answer: 'v1', status: 'published', categoryId: sub.id, related: ['b', 'missing'] });
      await kb.createEntry(A, bot, { externalId: 'b', question: '补卡', answer: 'b', status: 'published' });
      await kb.createEntry(A, bot, { externalId: 'd', question: '草稿', answer: 'd' });
      published.length = 0;
      const v1 = await kb.publish(A, bot, 'first');
      assert.deepEqual(v1, { version: 1, entryCount: 2 });
      const s1 = (await kb.getPublishedSnapshot(A.tenantId, bot))!;
      assert.equal(s1.version, 1);
      assert.deepEqual(s1.entries.map((e) => e.id).sort(), ['a', 'b']);
      const ea = s1.entries.find((e) => e.id === 'a')!;
      assert.equal(ea.category, '卡/借记卡');
      assert.deepEqual(ea.related, ['b']);
      assert.deepEqual(s1.synonyms, [['信用卡', '贷记卡']]);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(published, [{ tenantId: A.tenantId, botId: bot, version: 1 }]);
      assert.ok(events.some((e) => e.type === 'knowledge.published' && e.botId === bot && e.version === 1));

      // v2: a changed, b archived, c added.
      await kb.updateEntry(A, bot, 'a', { answer: 'v2' });
      await kb.archiveEntry(A, bot, 'b');
      await kb.createEntry(A, bot, { externalId: 'c', question: '新问题', answer: 'c', status: 'published' });
      assert.equal((await kb.publish(A, bot)).version, 2);
      assert.deepEqual(await kb.diffVersions(A.tenantId, bot, 1, 2), { from: 1, to: 2, added: ['c'], removed: ['b'], changed: ['a'], synonymsChanged: false });
      // Version 1 is unchanged by later edits.
      const again1 = await kb.getVersion(A.tenantId, bot, 1);
      assert.equal(again1.snapshot.entries.find((e) => e.id === 'a')!.answer, 'v1');

      const syns = await kb.listSynonyms(A.tenantId, bot);
      await kb.updateSynonym(A, bot, syns[0].id, ['信用卡', '贷记卡', '卡']);
      const rb = await kb.rollback(A, bot, 1, 'oops');
      assert.deepEqual(rb, { version: 3, entryCount: 2, restoredFrom: 1 });
      const list = await kb.listVersions(A.tenantId, bot);
      assert.equal(list.current, 3);
      assert.deepEqual(list.items.map((v) => [v.version, v.entryCount]), [[3, 2], [2, 2], [1, 2]]);
      const s3 = (await kb.getPublishedSnapshot(A.tenantId, bot))!;
      assert.equal(s3.version, 3);
      assert.deepEqual(diffSnapshotsIgnoringVersion(s3, s1), true);
      // Working copy: a back to v1 and published, b revived, c (published, not in v1) demoted to draft, d still draft.
      const wc = await kb.listEntries(A.tenantId, bot, { pageSize: 50 });
      const st = Object.fromEntries(wc.items.map((e) => [e.externalId, [e.status, e.answer]]));
      assert.deepEqual(st, { a: ['published', 'v1'], b: ['published', 'b'], c: ['draft', 'c'], d: ['draft', 'd'] });
      assert.equal((await kb.getEntry(A.tenantId, bot, 'a')).category, '卡/借记卡');
      assert.deepEqual((await kb.listSynonyms(A.tenantId, bot)).map((s) => s.words), [['信用卡', '贷记卡']]);
      // Publishing now reproduces v1's content.
      await kb.publish(A, bot);
      assert.deepEqual((await kb.diffVersions(A.tenantId, bot, 1, 4)), { from: 1, to: 4, added: [], removed: [], changed: [], synonymsChanged: false });
      await rejectsWith(kb.rollback(A, bot, 99), 'not_found');
      await rejectsWith(kb.getVersion(A.tenantId, bot, 99), 'not_found');
      const acts = (await audit.list(A.tenantId)).map((x) => x.action);
      assert.ok(acts.includes('kb.publish') && acts.includes('kb.rollback'));
    });

    it('keeps validity in the snapshot so the robot can skip expired entries', async () => {
      const bot = await newBot();
      await kb.createEntry(A, bot, { externalId: 'old', question: '旧活动', answer: 'x', status: 'published', validTo: '2020-01-31' });
      await kb.createEntry(A, bot, { externalId: 'future', question: '新活动', answer: 'y', status: 'published', validFrom: '2999-01-01 09:00' });
      await kb.publish(A, bot);
      const s = (await kb.getPublishedSnapshot(A.tenantId, bot))!;
      const old = s.entries.find((e) => e.id === 'old')!;
      assert.equal(isValidAt(old, new Date('2020-01-31T15:00:00Z')), true); // 23:00 in Beijing on the last day
      assert.equal(isValidAt(old, new Date('2020-01-31T16:00:00Z')), false);
      const fut = s.entries.find((e) => e.id === 'future')!;
      assert.equal(fut.validFrom, '2999-01-01T01:00:00.000Z');
      assert.equal(isValidAt(fut, new Date()), false);
    });

    it('imports CSV all-or-nothing with a report of every bad row', async () => {
      const bot = await newBot();
      const bad = csv(
        'id,category,question,similar_questions,answer,tags,valid_from,valid_to,status\r\n' +
          'x1,卡/挂失,怎么挂失,"卡丢了\n卡被偷了",拨打95588,挂失,,,\r\n' +
          'x2,,,,没有问题,,,,\r\n' +
          'x3,,有问题,,,,,,\r\n' +
          'x1,,重复,,a,,,,\r\n' +
          'x4,,日期,,a,,2025-13-01,,\r\n' +
          'x5,,日期反了,,a,,2025-02-01,2025-01-01,\r\n' +
          `x6,,长,,${'a'.repeat(20_001)},,,,\r\n` +
          'x7,,状态,,a,,,,live\r\n',
      );
      const r = await kb.importEntries(A, bot, { buffer: bad, format: 'csv' });
      assert.equal(r.ok, false);
      assert.equal(r.imported, 0);
      const got = r.errors.map((e) => [e.row, e.column]);
      assert.deepEqual(got, [[3, 'question'], [4, 'answer'], [5, 'id'], [6, 'valid_from'], [7, 'valid_to'], [8, 'answer'], [9, 'status']]);
      assert.match(r.errors[2].message, /duplicate id x1 \(also on row 2\)/);
      assert.equal((await kb.listEntries(A.tenantId, bot)).total, 0, 'nothing imported');
      assert.equal((await kb.listCategories(A.tenantId, bot)).length, 0, 'no category created');

      const good = csv(
        '\ufeff编号,分类,标准问,相似问,答案,标签,生效时间,失效时间\n' +
          'x1,卡/挂失,怎么挂失,"卡丢了\n卡被偷了",拨打95588,"挂失、紧急",2025/1/1,2025-12-31\n' +
          ',卡,"含""引号""的问题",,答案,,,\n',
      );
      const dry = await kb.importEntries(A, bot, { buffer: good, format: 'csv', dryRun: true });
      assert.deepEqual(dry, { ok: true, dryRun: true, imported: 2, created: 2, updated: 0, errors: [], errorCount: 0 });
      assert.equal((await kb.listEntries(A.tenantId, bot)).total, 0, 'dry run writes nothing');
      const ok = await kb.importEntries(A, bot, { buffer: good, format: 'csv' });
      assert.equal(ok.ok, true);
      assert.equal(ok.created, 2);
      const x1 = await kb.getEntry(A.tenantId, bot, 'x1');
      assert.equal(x1.status, 'published');
      assert.equal(x1.category, '卡/挂失');
      assert.deepEqual(x1.similar, ['卡丢了', '卡被偷了']);
      assert.deepEqual(x1.tags, ['挂失', '紧急']);
      const items = (await kb.listEntries(A.tenantId, bot, { q: '引号' })).items;
      assert.equal(items[0].question, '含"引号"的问题');
      assert.match(items[0].externalId, /^kb-/);
      // Re-import updates by id.
      const again = await kb.importEntries(A, bot, { buffer: csv('id,question,answer\nx1,怎么挂失,新答案\n'), format: 'csv' });
      assert.deepEqual([again.created, again.updated], [0, 1]);
      assert.equal((await kb.getEntry(A.tenantId, bot, 'x1')).answer, '新答案');
      assert.equal((await kb.listCategories(A.tenantId, bot)).length, 2);
      assert.ok((await audit.list(A.tenantId, { action: 'kb.import' })).length >= 2);

      const missingCol = await kb.importEntries(A, bot, { buffer: csv('id,question\n1,a\n'), format: 'csv' });
      assert.equal(missingCol.ok, false);
      assert.match(missingCol.errors[0].message, /missing column answer/);
      const notXlsx = await kb.importEntries(A, bot, { buffer: csv('id,question,answer\n'), format: 'xlsx' });
      assert.equal(notXlsx.ok, false);
      assert.match(notXlsx.errors[0].message, /not an .xlsx/);
    });

    it('round-trips CSV and XLSX exports into a fresh bot', async () => {
      const src = await newBot();
      const cat = await kb.createCategory(A, src, { name: '理财' });
      const sub = await kb.createCategory(A, src, { name: '基金', parentId: cat.id });
      await kb.createEntry(A, src, {
        externalId: 'f-1', question: '基金怎么赎回', similar: ['赎回基金', '基金, 卖出'], answer: '=SUM(A1) 不是公式\n第二行', categoryId: sub.id,
        answerHtml: '<p>在<strong>App</strong>操作</p>', channelAnswers: { sms: '短信版', voice: '语音版' }, tags: ['基金', '赎回'],
        related: ['f-2'], validFrom: '2025-01-01', validTo: '2025-06-30 18:30', status: 'published',
      });
      await kb.createEntry(A, src, { externalId: 'f-2', question: '-号开头的问题', answer: ' 前后空格被修剪 ', validFrom: '2025-03-01T08:15:30.123Z' });
      await kb.createEntry(A, src, { externalId: 'f-3', question: '归档的不导出', answer: 'x' });
      await kb.archiveEntry(A, src, 'f-3');
      const comparable = async (bot: string) =>
        (await kb.listEntries(A.tenantId, bot, { pageSize: 100 })).items
          .map((e) => ({
            id: e.externalId, category: e.category, question: e.question, similar: e.similar, answer: e.answer, answerHtml: e.answerHtml,
            channelAnswers: e.channelAnswers, tags: e.tags, related: e.related, validFrom: e.validFrom?.toISOString() ?? null,
            validTo: e.validTo?.toISOString() ?? null, status: e.status,
          }))
          .sort((a, b) => a.id.localeCompare(b.id));
      const expected = await comparable(src);
      assert.equal(expected.length, 2);
      for (const format of ['csv', 'xlsx'] as const) {
        const buf = await kb.exportEntries(A, src, format);
        const dst = await newBot();
        const r = await kb.importEntries(A, dst, { buffer: buf, format });
        assert.equal(r.ok, true, JSON.stringify(r.errors));
        assert.deepEqual(await comparable(dst), expected, format);
      }
      // The xlsx is a real workbook with the documented header.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await kb.exportEntries(A, src, 'xlsx')) as any);
      const header = (wb.worksheets[0].getRow(1).values as unknown[]).slice(1);
      assert.deepEqual(header.slice(0, 8), ['id', 'category', 'question', 'similar_questions', 'answer', 'tags', 'valid_from', 'valid_to']);
      assert.equal(wb.worksheets[0].getRow(2).getCell(7).value, '2025-01-01');
    });

    it('imports a hand-made xlsx with Chinese headers, date cells and rich text', async () => {
      const bot = await newBot();
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('FAQ');
      ws.addRow(['编号', '分类', '标准问', '相似问', '答案', '标签', '生效时间', '失效时间', '备注']);
      ws.addRow([1001, '存款/定期', '定期存款利率', '定期利率\r\n存一年利息多少', { richText: [{ text: '一年期' }, { text: '1.5%' }] }, '存款,利率', new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2025, 11, 31)), '内部备注']);
      ws.addRow([]);
      ws.addRow(['1002', '', '没有答案', '', '', '', '', '', '']);
      const bad = await kb.importEntries(A, bot, { buffer: Buffer.from(await wb.xlsx.writeBuffer()), format: 'xlsx' });
      assert.equal(bad.ok, false);
      assert.deepEqual(bad.errors.map((e) => [e.row, e.column]), [[4, 'answer']]);
      ws.spliceRows(4, 1);
      const ok = await kb.importEntries(A, bot, { buffer: Buffer.from(await wb.xlsx.writeBuffer()), format: 'xlsx' });
      assert.equal(ok.ok, true, JSON.stringify(ok.errors));
      const e = await kb.getEntry(A.tenantId, bot, '1001');
      assert.equal(e.answer, '一年期1.5%');
      assert.deepEqual(e.similar, ['定期利率', '存一年利息多少']);
      assert.equal(e.validFrom!.toISOString(), '2024-12-31T16:00:00.000Z');
      assert.equal(e.validTo!.toISOString(), '2025-12-31T15:59:59.999Z');
      assert.equal(e.category, '存款/定期');
    });

    it('seeds demo-shaped entries and synonyms as published, refusing invalid ones', async () => {
      const bot = await newBot();
      const n = await kb.seedEntries(A.tenantId, bot, [
        { id: 'd1', category: 'Cards/Debit cards', question: 'Lost card?', similar: ['I lost my card'], answer: 'Call us', answerHtml: '<p>Call <b>us</b></p>', tags: ['card'], related: ['d2'] },
        { id: 'd2', category: 'Cards', question: 'New card?', similar: [], answer: 'Visit a branch' },
      ], 'system');
      assert.equal(n, 2);
      assert.equal(await kb.seedSynonyms(A.tenantId, bot, [['card', 'debit card'], ['card', 'debit card']], 'system'), 1);
      await kb.publish({ tenantId: A.tenantId, actor: 'system' }, bot);
      const s = (await kb.getPublishedSnapshot(A.tenantId, bot))!;
      assert.deepEqual(s.entries.map((e) => [e.id, e.category]), [['d1', 'Cards/Debit cards'], ['d2', 'Cards']]);
      await rejectsWith(kb.seedEntries(A.tenantId, bot, [{ id: 'd3', question: '', answer: 'x' }, { id: 'd3', question: 'q', answer: 'x' }], 'system'), 'validation_failed', /duplicate id/);
    });

    it('keeps tenants apart: another tenant gets "not found" for everything', async () => {
      const bot = await newBot(A);
      const e = await kb.createEntry(A, bot, { externalId: 'secret', question: '内部问题', answer: '内部答案', status: 'published' });
      await kb.publish(A, bot);
      const nf = (p: Promise<unknown>) => rejectsWith(p, 'not_found');
      await nf(kb.listEntries(B.tenantId, bot));
      await nf(kb.getEntry(B.tenantId, bot, e.id));
      await nf(kb.updateEntry(B, bot, e.id, { answer: 'pwned' }));
      await nf(kb.archiveEntry(B, bot, e.id));
      await nf(kb.createEntry(B, bot, { question: 'q', answer: 'a' }));
      await nf(kb.createCategory(B, bot, { name: 'x' }));
      await nf(kb.publish(B, bot));
      await nf(kb.rollback(B, bot, 1));
      await nf(kb.listVersions(B.tenantId, bot));
      await nf(kb.getVersion(B.tenantId, bot, 1));
      await nf(kb.exportEntries(B, bot, 'csv'));
      await nf(kb.importEntries(B, bot, { buffer: csv('id,question,answer\nsecret,x,y\n'), format: 'csv' }));
      await nf(kb.seedEntries(B.tenantId, bot, [{ id: 'z', question: 'q', answer: 'a' }], 'x'));
      assert.equal(await kb.getPublishedSnapshot(B.tenantId, bot), null);
      // B's own bot with the same external id does not touch A's entry.
      const bBot = await newBot(B);
      const r = await kb.importEntries(B, bBot, { buffer: csv('id,question,answer\nsecret,x,y\n'), format: 'csv' });
      assert.deepEqual([r.ok, r.created], [true, 1]);
      assert.equal((await kb.getEntry(A.tenantId, bot, 'secret')).answer, '内部答案');
      assert.equal((await kb.listVersions(A.tenantId, bot)).items.length, 1);
    });
  });
}

function diffSnapshotsIgnoringVersion(a: { entries: unknown[]; synonyms: unknown[] }, b: { entries: unknown[]; synonyms: unknown[] }) {
  assert.deepEqual(a.entries, b.entries);
  assert.deepEqual(a.synonyms, b.synonyms);
  return true;
}
