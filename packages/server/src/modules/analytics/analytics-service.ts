import ExcelJS from 'exceljs';
import type { Clock } from '../../platform/clock.ts';
import { toCsv } from '../../platform/csv.ts';
import { AppError } from '../../platform/errors.ts';
import type { AnalyticsFilter, AnalyticsRepository, Counts, SatisfactionBy } from './analytics-repository.ts';
import type { AnalyticsProjector } from './projector.ts';
import { ANALYTICS_TZ } from './pg-analytics-repository.ts';

/** The longest range a dashboard may ask for (the rollups are daily; a longer range is a report, not a dashboard). */
export const MAX_RANGE_DAYS = 400;

export type RangeQuery = { from?: string; to?: string; channel?: string; botId?: string };
export type Rates = { selfServiceRate: number | null; handoffRate: number | null; fallbackRate: number | null; clarifyRate: number | null };

const ratio = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
const avg = (sum: number, n: number, digits = 2) => (n > 0 ? Math.round((sum / n) * 10 ** digits) / 10 ** digits : null);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_DAY = 86_400_000;

/** Today's date in the tenants' zone. */
export function localDay(at: Date, tz = ANALYTICS_TZ): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * MS_DAY).toISOString().slice(0, 10);

export function rates(c: Counts): Rates {
  return {
    selfServiceRate: ratio(c.conversations - c.handedOff, c.conversations),
    handoffRate: ratio(c.handedOff, c.conversations),
    fallbackRate: ratio(c.fallback, c.conversations),
    clarifyRate: ratio(c.clarify, c.conversations),
  };
}

export type Table = { columns: { key: string; zh: string; en: string }[]; rows: Record<string, string | number | null>[] };
export const TABLES = ['overview', 'channels', 'hours', 'trends', 'entries', 'intents', 'satisfaction-bot', 'satisfaction-agent', 'satisfaction-group', 'agents', 'sla'] as const;
export type TableName = (typeof TABLES)[number];

const col = (key: string, zh: string, en: string) => ({ key, zh, en });
const RATE_COLS = [col('selfServiceRate', '机器人自助率', 'Self-service rate'), col('handoffRate', '转人工率', 'Hand-off rate'), col('fallbackRate', '兜底率', 'Fallback rate'), col('clarifyRate', '澄清率', 'Clarification rate')];

/** Dashboard figures, from the rollups only (docs/ANALYTICS.md). */
export class AnalyticsService {
  constructor(private d: { repo: AnalyticsRepository; projector: AnalyticsProjector; clock: Clock }) {}

  /** A validated filter: days in the tenants' zone, `to` inclusive; default the last 7 days. */
  filter(tenantId: string, q: RangeQuery): AnalyticsFilter {
    const to = q.to ?? localDay(this.d.clock.now());
    const from = q.from ?? addDays(to, -6);
    for (const [k, v] of [['from', from], ['to', to]]) {
      if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
        throw new AppError('validation_failed', `${k} must be a date YYYY-MM-DD`, { [k]: v });
      }
    }
    if (from > to) throw new AppError('validation_failed', 'from must not be after to', { from, to });
    if ((Date.parse(to) - Date.parse(from)) / MS_DAY >= MAX_RANGE_DAYS) throw new AppError('validation_failed', `a range spans at most ${MAX_RANGE_DAYS} days`, { from, to });
    return { tenantId, from, to, ...(q.channel ? { channel: q.channel } : {}), ...(q.botId ? { botId: q.botId } : {}) };
  }

  /** The range as instants (what the conversation search takes): local midnight of from .. local midnight after to. */
  instants(f: AnalyticsFilter) {
    return { fromAt: `${f.from}T00:00:00+08:00`, toAt: `${addDays(f.to, 1)}T00:00:00+08:00` };
  }

  async overview(f: AnalyticsFilter) {
    const [c, channels, lag] = await Promise.all([this.d.repo.totals(f), this.d.repo.channels(f.tenantId), this.d.repo.lag()]);
    return {
      range: { from: f.from, to: f.to, ...this.instants(f), timeZone: ANALYTICS_TZ },
      totals: { ...c, robotResolved: c.conversations - c.handedOff, ...rates(c), averageRating: avg(c.ratingSum, c.rated), satisfactionRate: ratio(c.satisfied, c.rated) },
      channels,
      pendingEvents: lag,
    };
  }

  async traffic(f: AnalyticsFilter) {
    const [hours, days] = await Promise.all([this.d.repo.channelHours(f), this.d.repo.channelDays(f)]);
    return { hours, days };
  }

  /** One row per day of the range (days without conversations included, with null rates). */
  async trends(f: AnalyticsFilter) {
    const rows = new Map((await this.d.repo.daily(f)).map((r) => [r.day, r]));
    const out = [];
    for (let day = f.from; day <= f.to; day = addDays(day, 1)) {
      const c = rows.get(day) ?? { day, conversations: 0, handedOff: 0, fallback: 0, clarify: 0, answered: 0, customerMessages: 0, rated: 0, ratingSum: 0, satisfied: 0 };
      out.push({ day, conversations: c.conversations, handedOff: c.handedOff, fallback: c.fallback, clarify: c.clarify, ...rates(c) });
    }
    return out;
  }

  top(f: AnalyticsFilter, kind: 'entry' | 'intent', limit: number) {
    return this.d.repo.top(f, kind, limit);
  }

  async satisfaction(f: AnalyticsFilter, by: SatisfactionBy) {
    const rows = await this.d.repo.satisfaction(f, by);
    return rows.map((r) => ({ key: r.key, label: r.label, rated: r.rated, averageRating: avg(r.ratingSum, r.rated), satisfactionRate: ratio(r.satisfied, r.rated) }));
  }

  async agents(f: AnalyticsFilter) {
    const rows = await this.d.repo.agents(f);
    return rows.map((r) => ({
      agentId: r.agentId, agentName: r.agentName, conversations: r.conversations, resolved: r.resolved, resolutionRate: ratio(r.resolved, r.conversations),
      averageFirstResponseMs: avg(r.firstResponseSum, r.firstResponseN, 0), averageHandleMs: avg(r.handleSum, r.handleN, 0),
      rated: r.rated, averageRating: avg(r.ratingSum, r.rated), satisfactionRate: ratio(r.satisfied, r.rated),
    }));
  }

  /** SLA attainment: met / (met + breached) of the targets that came due, per day and per priority. */
  async sla(f: AnalyticsFilter) {
    const rows = await this.d.repo.sla({ tenantId: f.tenantId, from: f.from, to: f.to });
    type Acc = { workOrders: number; resolved: number; responseMet: number; responseBreached: number; responsePending: number; resolutionMet: number; resolutionBreached: number; resolutionPending: number };
    const zero = (): Acc => ({ workOrders: 0, resolved: 0, responseMet: 0, responseBreached: 0, responsePending: 0, resolutionMet: 0, resolutionBreached: 0, resolutionPending: 0 });
    const add = (a: Acc, r: Acc) => {
      for (const k of Object.keys(a) as (keyof Acc)[]) a[k] += r[k];
    };
    const withRates = (a: Acc) => ({ ...a, responseAttainment: ratio(a.responseMet, a.responseMet + a.responseBreached), resolutionAttainment: ratio(a.resolutionMet, a.resolutionMet + a.resolutionBreached) });
    const days = new Map<string, Acc>();
    const priorities = new Map<string, Acc>();
    const total = zero();
    for (const r of rows) {
      if (!days.has(r.day)) days.set(r.day, zero());
      if (!priorities.has(r.priority)) priorities.set(r.priority, zero());
      add(days.get(r.day)!, r);
      add(priorities.get(r.priority)!, r);
      add(total, r);
    }
    return {
      total: withRates(total),
      days: [...days].map(([day, a]) => ({ day, ...withRates(a) })),
      priorities: ['urgent', 'high', 'normal', 'low'].filter((p) => priorities.has(p)).map((priority) => ({ priority, ...withRates(priorities.get(priority)!) })),
    };
  }

  /** Projects what is pending now (the dashboards' "refresh"); null when another node is projecting. */
  refresh() {
    return this.d.projector.runOnce();
  }

  /** One dashboard table as columns and rows (the exports). */
  async table(name: TableName, f: AnalyticsFilter): Promise<Table> {
    switch (name) {
      case 'overview': {
        const o = await this.overview(f);
        const t = o.totals;
        return {
          columns: [col('from', '开始日期', 'From'), col('to', '结束日期', 'To'), col('conversations', '会话数', 'Conversations'), col('robotResolved', '机器人自助', 'Robot self-service'),
            col('handedOff', '转人工', 'Handed off'), col('fallback', '兜底', 'Fallback'), col('clarify', '澄清', 'Clarification'), ...RATE_COLS,
            col('rated', '评价数', 'Ratings'), col('averageRating', '平均分', 'Average rating'), col('satisfactionRate', '满意率', 'Satisfaction rate')],
          rows: [{ from: f.from, to: f.to, ...t }],
        };
      }
      case 'channels': {
        const { days } = await this.traffic(f);
        return { columns: [col('day', '日期', 'Day'), col('channel', '渠道', 'Channel'), col('conversations', '会话数', 'Conversations')], rows: days };
      }
      case 'hours': {
        const { hours } = await this.traffic(f);
        return { columns: [col('channel', '渠道', 'Channel'), col('hour', '小时', 'Hour'), col('conversations', '会话数', 'Conversations')], rows: hours };
      }
      case 'trends':
        return {
          columns: [col('day', '日期', 'Day'), col('conversations', '会话数', 'Conversations'), col('handedOff', '转人工', 'Handed off'), col('fallback', '兜底', 'Fallback'),
            col('clarify', '澄清', 'Clarification'), ...RATE_COLS],
          rows: await this.trends(f),
        };
      case 'entries':
      case 'intents': {
        const rows = await this.top(f, name === 'entries' ? 'entry' : 'intent', 100);
        return {
          columns: [col('key', name === 'entries' ? '知识条目' : '意图', name === 'entries' ? 'Entry' : 'Intent'), col('label', '名称', 'Name'), col('hits', '命中次数', 'Hits'), col('conversations', '会话数', 'Conversations')],
          rows,
        };
      }
      case 'satisfaction-bot':
      case 'satisfaction-agent':
      case 'satisfaction-group': {
        const by = name.slice('satisfaction-'.length) as SatisfactionBy;
        const head = { bot: ['机器人', 'Bot'], agent: ['坐席', 'Agent'], group: ['技能组', 'Group'] }[by];
        return {
          columns: [col('key', head[0], head[1]), col('label', '名称', 'Name'), col('rated', '评价数', 'Ratings'), col('averageRating', '平均分', 'Average rating'), col('satisfactionRate', '满意率', 'Satisfaction rate')],
          rows: await this.satisfaction(f, by),
        };
      }
      case 'agents':
        return {
          columns: [col('agentId', '坐席 ID', 'Agent id'), col('agentName', '坐席', 'Agent'), col('conversations', '会话数', 'Conversations'), col('resolved', '已解决', 'Resolved'),
            col('resolutionRate', '解决率', 'Resolution rate'), col('averageFirstResponseMs', '平均首次响应 (毫秒)', 'Avg first response (ms)'),
            col('averageHandleMs', '平均处理时长 (毫秒)', 'Avg handle time (ms)'), col('rated', '评价数', 'Ratings'), col('averageRating', '平均分', 'Average rating')],
          rows: await this.agents(f),
        };
      case 'sla': {
        const s = await this.sla(f);
        return {
          columns: [col('day', '日期', 'Day'), col('workOrders', '工单数', 'Work orders'), col('resolved', '已解决', 'Resolved'), col('responseMet', '响应达标', 'Response met'),
            col('responseBreached', '响应超时', 'Response breached'), col('responseAttainment', '响应达标率', 'Response attainment'), col('resolutionMet', '解决达标', 'Resolution met'),
            col('resolutionBreached', '解决超时', 'Resolution breached'), col('resolutionAttainment', '解决达标率', 'Resolution attainment')],
          rows: s.days,
        };
      }
    }
  }

  async export(name: TableName, f: AnalyticsFilter, format: 'csv' | 'xlsx', lang: 'zh' | 'en'): Promise<{ filename: string; contentType: string; body: Buffer }> {
    const t = await this.table(name, f);
    const head = t.columns.map((c) => c[lang]);
    const values = t.rows.map((r) => t.columns.map((c) => r[c.key] ?? null));
    const base = `analytics-${name}-${f.from}_${f.to}${f.channel ? `-${f.channel}` : ''}`;
    if (format === 'csv') {
      // A byte-order mark so that Excel opens UTF-8 (Chinese) correctly.
      const text = '\uFEFF' + toCsv([head, ...values.map((v) => v.map((x) => (x === null ? '' : String(x))))]);
      return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from(text, 'utf8') };
    }
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(name);
    ws.addRow(head).font = { bold: true };
    for (const v of values) ws.addRow(v);
    ws.columns.forEach((c, i) => (c.width = Math.max(10, Math.min(40, head[i].length * 2 + 4))));
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    return { filename: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: buf };
  }
}
