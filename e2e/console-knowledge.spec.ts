/**
 * The knowledge console end to end against the real server and the demo bank: the admin creates an entry in the
 * editor (pasting similar questions, checking them against the model) and submits it; a reviewer (a second user
 * with the supervisor role, created through the users API: four-eyes forbids the admin approving their own
 * submission) rejects it with a reason, the admin reads it and submits again, the reviewer approves, the admin
 * publishes. Then an .xlsx with an error row is previewed (the error shows, nothing is written), fixed, imported and
 * published; the diff shows the imported entries; a rollback to the version before the import publishes a new
 * version and turns the imported entries back into drafts. Last, a knowledge operator (no kb:review) may not publish
 * directly, and their edit of a published entry turns it into a draft whose editor says the published answer stays live.
 * Screenshots: e2e/screenshots/console-knowledge-*.png (1366×768, the list also at 1920×1080).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { browserTestOptions, launchBrowser, newPage, screenshot } from './lib/browser.ts';
import type { RunningServer } from './lib/server.ts';
import { apiToken, fillSignIn, startAppServer } from './lib/app.ts';

const ADMIN_PASSWORD = 'e2e-admin-password';
const REVIEWER_PASSWORD = 'reviewer-e2e-password';
const OPERATOR_PASSWORD = 'operator-e2e-password';
const KB = '/api/v1/bots/demo/knowledge';

async function xlsx(rows: (string | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('知识');
  ws.addRow(['编号', '分类', '标准问', '相似问', '答案', '标签']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('knowledge console', browserTestOptions(), () => {
  let server: RunningServer | undefined;
  let base = '';
  let browser: Browser;
  let page: Page;
  let adminToken = '';
  const pageErrors: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'kb-e2e-'));

  const apiAs = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const signIn = async (p: Page, path: string, username: string, password: string) => {
    await p.goto(`${base}/workbench${path}`);
    await fillSignIn(p, username, password);
  };
  const closeDrawer = async (p: Page) => {
    await p.locator('.ant-drawer-close').click();
    await p.locator('.ant-drawer-content').waitFor({ state: 'hidden' });
  };
  const versions = async () => (await apiAs(adminToken, 'GET', `${KB}/versions`)).json as { current: number; items: { version: number; entryCount: number }[] };
  const findEntry = async (q: string) => (await apiAs(adminToken, 'GET', `${KB}/entries?q=${encodeURIComponent(q)}&pageSize=50`)).json as { total: number; items: { externalId: string; status: string; question: string }[] };

  before(async () => {
    server = await startAppServer({ LINGXI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    base = server.url;
    adminToken = await apiToken(base, 'admin', ADMIN_PASSWORD);
    const created = await apiAs(adminToken, 'POST', '/api/v1/users', { username: 'reviewer1', displayName: '审核员', password: REVIEWER_PASSWORD, roles: ['supervisor'] });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (e) => pageErrors.push(`admin: ${e}`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('edit, review, publish, import with preview, diff and roll back', { timeout: 240_000 }, async () => {
    const v0 = await versions();
    assert.ok(v0.current >= 1, 'the demo bank publishes its knowledge at first start');

    // ---- list
    await signIn(page, '/knowledge', 'admin', ADMIN_PASSWORD);
    await page.getByTestId('kb-total').waitFor();
    const total0 = Number((await page.getByTestId('kb-total').innerText()).replace(/\D/g, ''));
    assert.ok(total0 > 10, `demo entries listed (${total0})`);
    await page.locator('.ant-menu-submenu-title', { hasText: '知识库' }).waitFor();
    await screenshot(page, 'console-knowledge-01-list');

    // ---- create through the editor
    await page.getByTestId('kb-new').click();
    const editor = page.locator('.ant-drawer-content');
    await page.getByTestId('kb-question').fill('外币汇款到境外要多少手续费');
    await page.getByTestId('kb-similar-paste').fill('境外汇款手续费\n汇款到国外收费吗\n\n境外汇款手续费\n信用卡年费怎么收');
    await page.getByTestId('kb-similar-add').click();
    assert.equal(await page.getByTestId('kb-similar-row').count(), 3, 'one per line, blank lines and duplicates dropped');
    await page.getByTestId('kb-answer').click();
    await page.keyboard.type('境外汇款手续费为汇款金额的 0.1%，最低 50 元。');
    await page.getByTestId('kb-save').click();
    await editor.locator('.ant-drawer-title', { hasText: '编辑知识条目' }).waitFor();
    const created = (await findEntry('外币汇款到境外要多少手续费')).items[0];
    assert.equal(created.status, 'draft');

    await page.getByTestId('kb-check-confusion').click();
    await page.getByTestId('kb-confusion-summary').waitFor();
    // The model prefers the demo's annual-fee entry for the pasted "信用卡年费怎么收" (and the demo's overseas-remittance
    // entry for "境外汇款手续费": a real overlap the operator should see).
    const feeRow = page.locator('[data-testid="kb-similar-row"]', { hasText: '信用卡年费怎么收' });
    assert.match(await feeRow.getAttribute('class') ?? '', /confused/);
    assert.match(await feeRow.innerText(), /模型更倾向：信用卡年费怎么收？能免吗？/);
    await screenshot(page, 'console-knowledge-02-editor');

    // ---- submit; the admin cannot approve their own submission
    await page.getByTestId('kb-submit').click();
    await editor.locator('[data-status="submitted"]').waitFor();
    assert.equal(await page.getByTestId('kb-approve').isDisabled(), true, 'four-eyes');
    await page.getByTestId('kb-tab-review').click();
    await page.getByTestId('kb-timeline').waitFor();
    assert.match(await page.getByTestId('kb-timeline').innerText(), /提交审核/);
    await closeDrawer(page);

    // ---- the reviewer (own session) rejects with a reason; the admin reads it and submits again; the reviewer approves
    const reviewer = await newPage(browser, { viewport: { width: 1366, height: 768 } });
    reviewer.on('pageerror', (e) => pageErrors.push(`reviewer: ${e}`));
    await signIn(reviewer, '/knowledge', 'reviewer1', REVIEWER_PASSWORD);
    await reviewer.getByTestId('kb-search').fill('外币汇款到境外');
    await reviewer.getByTestId('kb-search').press('Enter');
    const reviewerRow = reviewer.getByTestId('kb-row-question').filter({ hasText: '外币汇款到境外要多少手续费' });
    await reviewerRow.click();
    assert.equal(await reviewer.getByTestId('kb-new').count(), 0, 'a reviewer does not create entries');
    await reviewer.getByTestId('kb-tab-review').click();
    assert.equal(await reviewer.getByTestId('kb-reject').isDisabled(), true, 'a rejection needs a reason');
    await reviewer.getByTestId('kb-comment').fill('请补充最低收费标准的适用币种');
    await reviewer.getByTestId('kb-reject').click();
    await reviewer.locator('.ant-drawer-content [data-status="draft"]').waitFor();
    await closeDrawer(reviewer);

    await page.getByTestId('kb-row-question').filter({ hasText: '外币汇款到境外要多少手续费' }).click();
    await page.getByTestId('kb-tab-review').click();
    await page.getByTestId('kb-timeline').waitFor();
    assert.match(await page.getByTestId('kb-timeline').innerText(), /驳回[\s\S]*请补充最低收费标准的适用币种/);
    await page.getByTestId('kb-submit').click();
    await page.locator('.ant-drawer-content [data-status="submitted"]').waitFor();
    await closeDrawer(page);

    await reviewerRow.click();
    await reviewer.getByTestId('kb-approve').click();
    await reviewer.locator('.ant-drawer-content [data-status="approved"]').waitFor();
    await reviewer.getByTestId('kb-tab-review').click();
    assert.match(await reviewer.getByTestId('kb-timeline').innerText(), /提交审核[\s\S]*驳回[\s\S]*提交审核[\s\S]*审核通过/);
    await reviewer.context().close();
    assert.equal((await findEntry('外币汇款到境外要多少手续费')).items[0].status, 'approved');

    // ---- publish
    await page.locator('.ant-menu-item', { hasText: '版本发布' }).click();
    await page.getByTestId('kb-publish-note').fill('新增外币汇款');
    await page.getByTestId('kb-publish').click();
    // Publishing trains the new version's model before it answers: give a busy machine time.
    await page.locator('[data-testid="kb-versions"] tr', { hasText: '新增外币汇款' }).waitFor({ timeout: 60_000 });
    const v1 = await versions();
    assert.equal(v1.current, v0.current + 1);
    assert.equal(v1.items[0].entryCount, v0.items[0].entryCount + 1, 'the approved entry is in the new version');
    assert.equal((await findEntry('外币汇款到境外要多少手续费')).items[0].status, 'published');

    // ---- import: an error row → preview shows it, nothing written; then the fixed file imports
    const bad = join(dir, 'bad.xlsx');
    writeFileSync(bad, await xlsx([
      ['fx-1', '外汇/跨境理财通', '跨境理财通额度是多少', '理财通每人能投多少\n跨境理财通额度', '南向通每人 300 万元人民币', '外汇'],
      ['fx-2', '外汇/跨境理财通', '跨境理财通需要什么材料', '', '', '外汇'],
      ['fx-3', '外汇/跨境理财通', '怎么开通跨境理财通', '跨境理财通开户', '可通过手机银行办理', ''],
    ]));
    await page.locator('.ant-menu-item', { hasText: '导入导出' }).click();
    await page.locator('[data-testid="kb-import-upload"] input[type=file]').setInputFiles(bad);
    await page.getByTestId('kb-import-failed').waitFor();
    const errRows = await page.locator('[data-testid="kb-import-errors"] tbody tr').allInnerTexts();
    assert.equal(errRows.length, 1);
    assert.match(errRows[0], /^3\s+answer\s+answer is missing/);
    assert.equal(await page.getByTestId('kb-import-run').isDisabled(), true);
    await screenshot(page, 'console-knowledge-03-import-preview');
    assert.equal((await findEntry('跨境理财通')).total, 0, 'nothing written by the preview');

    const good = join(dir, 'good.xlsx');
    writeFileSync(good, await xlsx([
      ['fx-1', '外汇/跨境理财通', '跨境理财通额度是多少', '理财通每人能投多少\n跨境理财通额度', '南向通每人 300 万元人民币', '外汇'],
      ['fx-2', '外汇/跨境理财通', '跨境理财通需要什么材料', '', '本人有效身份证件和港澳账户', '外汇'],
      ['fx-3', '外汇/跨境理财通', '怎么开通跨境理财通', '跨境理财通开户', '可通过手机银行办理', ''],
    ]));
    await page.locator('[data-testid="kb-import-upload"] input[type=file]').setInputFiles(good);
    await page.getByTestId('kb-import-ok').waitFor();
    assert.match(await page.getByTestId('kb-import-ok').innerText(), /共 3 条，新增 3/);
    await page.getByTestId('kb-import-run').click();
    await page.getByTestId('kb-import-done').waitFor();
    assert.equal((await findEntry('跨境理财通')).total, 3);

    // ---- publish again, diff the two versions
    await page.locator('.ant-menu-item', { hasText: '版本发布' }).click();
    await page.getByTestId('kb-publish').click();
    await page.locator('[data-testid="kb-versions"] tr', { hasText: `v${v1.current + 1}` }).waitFor({ timeout: 60_000 });
    const v2 = await versions();
    assert.equal(v2.items[0].entryCount, v1.items[0].entryCount + 3);
    await page.getByTestId('kb-diff-summary').waitFor();
    assert.match(await page.getByTestId('kb-diff-summary').innerText(), new RegExp(`v${v1.current} → v${v2.current}：新增 3 · 删除 0 · 修改 0`));
    assert.equal(await page.locator('[data-testid="kb-diff-table"] tbody tr').count(), 3);
    await screenshot(page, 'console-knowledge-04-versions-diff');

    // ---- roll back to the version before the import
    await page.getByTestId(`kb-rollback-${v1.current}`).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /确\s*定/ }).click();
    await page.locator('[data-testid="kb-versions"] tr', { hasText: `回滚到 v${v1.current}` }).or(page.locator('[data-testid="kb-versions"] tr', { hasText: `rollback to version ${v1.current}` })).first().waitFor({ timeout: 60_000 });
    const v3 = await versions();
    assert.equal(v3.current, v2.current + 1, 'a rollback publishes a new version');
    assert.equal(v3.items[0].entryCount, v1.items[0].entryCount);
    const rows = await page.locator('[data-testid="kb-versions"] tbody tr').first().innerText();
    assert.match(rows, new RegExp(`v${v3.current}[\\s\\S]*当前`));

    // The entry list shows the imported entries back as drafts, the reviewed one still published.
    await page.locator('.ant-menu-item', { hasText: '知识条目' }).click();
    await page.getByTestId('kb-search').fill('跨境理财通');
    await page.getByTestId('kb-search').press('Enter');
    await page.locator('[data-testid="kb-total"]', { hasText: '共 3 条' }).waitFor();
    assert.equal(await page.locator('.ant-table-tbody [data-status="draft"]').count(), 3);
    assert.equal((await findEntry('外币汇款到境外要多少手续费')).items[0].status, 'published');

    // The main screen at 1920×1080 too.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('kb-search').fill('');
    await page.getByTestId('kb-search').press('Enter');
    await page.locator('[data-testid="kb-total"]', { hasText: `共 ${total0 + 4} 条` }).waitFor();
    await screenshot(page, 'console-knowledge-05-list-1920');

    // English at 1366×768: the longer labels still fit.
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.locator('.ant-segmented-item', { hasText: 'EN' }).click();
    await page.locator('[data-testid="kb-total"]', { hasText: `${total0 + 4} entries` }).waitFor();
    await page.getByTestId('kb-row-question').filter({ hasText: '外币汇款到境外要多少手续费' }).click();
    await page.locator('.ant-drawer-title', { hasText: 'Edit entry' }).waitFor();
    await screenshot(page, 'console-knowledge-06-editor-en');
    assert.equal(await page.getByTestId('kb-editor-pending-live').count(), 0, 'a published entry without a pending edit has no notice');
    await closeDrawer(page);

    // A knowledge operator (no kb:review) edits that published entry: it goes back to draft, the robot keeps serving
    // the reviewed answer, and the editor says so.
    const op = await apiAs(adminToken, 'POST', '/api/v1/users', { username: 'operator1', displayName: '知识运营', password: OPERATOR_PASSWORD, roles: ['knowledge_operator'] });
    assert.equal(op.status, 201, JSON.stringify(op.json));
    const opToken = await apiToken(base, 'operator1', OPERATOR_PASSWORD);
    const reviewed = (await findEntry('外币汇款到境外要多少手续费')).items[0];
    assert.equal((await apiAs(opToken, 'POST', `${KB}/entries`, { question: '运营直接发布的条目', answer: '不应上线', status: 'published' })).status, 403);
    const edited = await apiAs(opToken, 'PATCH', `${KB}/entries/${reviewed.externalId}`, { answer: '待审核的新答案' });
    assert.equal(edited.status, 200, JSON.stringify(edited.json));
    assert.equal(edited.json.status, 'draft');
    await page.getByTestId('kb-row-question').filter({ hasText: '外币汇款到境外要多少手续费' }).click();
    await page.locator('[data-testid="kb-editor-pending-live"]', { hasText: 'The published version stays live until this edit is approved and published' }).waitFor();
    await screenshot(page, 'console-knowledge-07-pending-edit-en');

    assert.deepEqual(pageErrors, [], 'no script errors');
  });
});
