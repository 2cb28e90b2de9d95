import ExcelJS from 'exceljs';
import { toCsv } from '../../platform/csv.ts';
import type { Principal } from '../auth/roles.ts';
import type { AuditLog, AuditQuery, AuditRecord } from './audit-log.ts';

/** An audit record as the console shows it: the actor's user name next to the raw actor (`user:<id>`, `apikey:<id>`). */
export type AuditView = AuditRecord & { actorName?: string };

/** Most rows one export holds; a wider range must be narrowed (the screen says so). */
export const EXPORT_MAX_ROWS = 10_000;

const HEAD = { zh: ['时间', '操作人', '操作人账号', '操作', '对象', '详情'], en: ['Time', 'Actor', 'Actor account', 'Action', 'Target', 'Details'] };

/** The audit log screen: filtered search with the actors' names, and CSV / Excel export (itself audited). */
export class AuditService {
  constructor(private d: { audit: AuditLog; userNames(tenantId: string): Promise<Map<string, string>> }) {}

  async search(p: Principal, q: AuditQuery): Promise<{ items: AuditView[]; total: number }> {
    const r = await this.d.audit.search(p.tenantId, q);
    return { items: await this.named(p.tenantId, r.items), total: r.total };
  }

  async export(p: Principal, q: AuditQuery, format: 'csv' | 'xlsx', lang: 'zh' | 'en'): Promise<{ body: Buffer; contentType: string; rows: number; truncated: boolean }> {
    const r = await this.d.audit.search(p.tenantId, { ...q, limit: EXPORT_MAX_ROWS, offset: 0 });
    const items = await this.named(p.tenantId, r.items);
    // Recorded before the file is produced, so that a failed download still leaves a trace of the attempt.
    await this.d.audit.record({
      tenantId: p.tenantId, actor: p.actor, action: 'audit.export',
      details: { format, rows: items.length, total: r.total, filters: { actor: q.actor, action: q.action, target: q.target, from: q.from?.toISOString(), to: q.to?.toISOString() } },
    });
    const rows = items.map((e) => [e.at.toISOString(), e.actor, e.actorName ?? '', e.action, e.target ?? '', JSON.stringify(e.details ?? {})]);
    const truncated = r.total > items.length;
    if (format === 'csv') {
      // A byte-order mark so that Excel opens UTF-8 (Chinese) correctly.
      return { body: Buffer.from('\uFEFF' + toCsv([HEAD[lang], ...rows]), 'utf8'), contentType: 'text/csv; charset=utf-8', rows: rows.length, truncated };
    }
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(lang === 'zh' ? '审计日志' : 'Audit log');
    ws.addRow(HEAD[lang]).font = { bold: true };
    for (const row of rows) ws.addRow(row);
    [22, 24, 16, 28, 28, 80].forEach((w, i) => (ws.getColumn(i + 1).width = w));
    return { body: Buffer.from(await wb.xlsx.writeBuffer()), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', rows: rows.length, truncated };
  }

  private async named(tenantId: string, items: AuditRecord[]): Promise<AuditView[]> {
    if (!items.some((e) => e.actor.startsWith('user:'))) return items;
    const names = await this.d.userNames(tenantId);
    return items.map((e) => (e.actor.startsWith('user:') ? { ...e, actorName: names.get(e.actor.slice(5)) } : e));
  }
}
