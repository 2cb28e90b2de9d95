import type { Db, Queryable, Row } from '../../storage/db.ts';
import type {
  AgentRow, AnalyticsFilter, AnalyticsRepository, BatchResult, ChannelDay, ChannelHour, Counts, DayCounts, HitRow, SatisfactionBy,
  SatisfactionRow, SlaRow,
} from './analytics-repository.ts';

/** The tenants' time zone for days and hours (banks in mainland China; one zone for all tenants for now). */
export const ANALYTICS_TZ = 'Asia/Shanghai';
const CHECKPOINT = 'conversations';

const num = (v: unknown) => Number(v ?? 0);
const dayText = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/**
 * One conversation's fact row from its whole log. Agent = the last `conversation.assigned` (who served in the end);
 * first response = first assignment -> the first `agent.message`; handle = first assignment -> `conversation.closed`;
 * resolved = closed by an agent. $1: the conversation ids, $2: the time zone.
 */
const FACTS_SQL = `
INSERT INTO analytics_conversations AS f (conversation_id, tenant_id, bot_id, channel, started_at, day, hour, customer_messages,
  handed_off, had_fallback, had_clarify, answered, agent_id, agent_name, group_id, rating, first_response_ms, handle_ms, resolved,
  first_entry_id, first_intent, last_event_at)
SELECT c.id, c.tenant_id, c.bot_id, c.channel, c.created_at,
  (c.created_at AT TIME ZONE $2)::date, extract(hour FROM c.created_at AT TIME ZONE $2)::smallint,
  count(*) FILTER (WHERE e.type = 'message.received'),
  coalesce(bool_or(e.type = 'conversation.handoff'), false),
  coalesce(bool_or(e.type = 'nlu.understood' AND e.payload->>'decision' = 'fallback'), false),
  coalesce(bool_or(e.type = 'nlu.understood' AND e.payload->>'decision' = 'clarify'), false),
  coalesce(bool_or(e.type = 'nlu.understood' AND e.payload->>'decision' = 'answer'), false),
  (array_agg(e.payload->>'agentId' ORDER BY e.seq DESC) FILTER (WHERE e.type = 'conversation.assigned'))[1],
  (array_agg(e.payload->>'agentName' ORDER BY e.seq DESC) FILTER (WHERE e.type = 'conversation.assigned'))[1],
  (array_agg(e.payload->>'group' ORDER BY e.seq DESC) FILTER (WHERE e.type = 'conversation.assigned'))[1],
  (array_agg((e.payload->>'score')::smallint ORDER BY e.seq DESC) FILTER (WHERE e.type = 'conversation.rated'))[1],
  greatest(0, (extract(epoch FROM min(e.created_at) FILTER (WHERE e.type = 'agent.message')
    - min(e.created_at) FILTER (WHERE e.type = 'conversation.assigned')) * 1000)::bigint),
  greatest(0, (extract(epoch FROM max(e.created_at) FILTER (WHERE e.type = 'conversation.closed')
    - min(e.created_at) FILTER (WHERE e.type = 'conversation.assigned')) * 1000)::bigint),
  coalesce(bool_or(e.type = 'conversation.closed' AND e.payload->>'by' = 'agent'), false)
    AND bool_or(e.type = 'conversation.assigned'),
  (array_agg(e.payload->>'entryId' ORDER BY e.seq)
    FILTER (WHERE e.type = 'nlu.understood' AND e.payload->>'decision' = 'answer' AND e.payload ? 'entryId'))[1],
  (array_agg(CASE WHEN e.payload ? 'flowId' THEN 'flow:' || (e.payload->>'flowId') ELSE e.payload->>'decision' END ORDER BY e.seq)
    FILTER (WHERE e.type = 'nlu.understood'))[1],
  max(e.created_at)
FROM conversations c JOIN conversation_events e ON e.conversation_id = c.id
WHERE c.id = ANY($1::text[])
GROUP BY c.id
ON CONFLICT (conversation_id) DO UPDATE SET
  customer_messages = EXCLUDED.customer_messages, handed_off = EXCLUDED.handed_off, had_fallback = EXCLUDED.had_fallback,
  had_clarify = EXCLUDED.had_clarify, answered = EXCLUDED.answered, agent_id = EXCLUDED.agent_id, agent_name = EXCLUDED.agent_name,
  group_id = EXCLUDED.group_id, rating = EXCLUDED.rating, first_response_ms = EXCLUDED.first_response_ms, handle_ms = EXCLUDED.handle_ms,
  resolved = EXCLUDED.resolved, first_entry_id = EXCLUDED.first_entry_id, first_intent = EXCLUDED.first_intent,
  last_event_at = EXCLUDED.last_event_at`;

/** Entries answered (kind entry) and intents understood (kind intent: `flow:<id>` or the robot's decision), per turn. */
const HITS_SQL = `
INSERT INTO analytics_conversation_hits (conversation_id, kind, key, tenant_id, bot_id, channel, day, hits)
SELECT f.conversation_id, k.kind, k.key, f.tenant_id, f.bot_id, f.channel, f.day, count(*)
FROM analytics_conversations f
JOIN conversation_events e ON e.conversation_id = f.conversation_id AND e.type = 'nlu.understood'
CROSS JOIN LATERAL (VALUES
  ('entry', CASE WHEN e.payload->>'decision' = 'answer' THEN e.payload->>'entryId' END),
  ('intent', CASE WHEN e.payload ? 'flowId' THEN 'flow:' || (e.payload->>'flowId') ELSE e.payload->>'decision' END)
) AS k(kind, key)
WHERE f.conversation_id = ANY($1::text[]) AND k.key IS NOT NULL
GROUP BY f.conversation_id, k.kind, k.key, f.tenant_id, f.bot_id, f.channel, f.day`;

const COUNT_COLUMNS = `count(*), count(*) FILTER (WHERE handed_off), count(*) FILTER (WHERE had_fallback), count(*) FILTER (WHERE had_clarify),
  count(*) FILTER (WHERE answered), coalesce(sum(customer_messages), 0), count(rating), coalesce(sum(rating), 0), count(*) FILTER (WHERE rating >= 4)`;

/** The dirty days as a relation d(t, dy). */
const DIRTY = `(SELECT tenant_id AS t, day AS dy FROM analytics_dirty_days)`;

const ROLLUP_SQL = [
  `DELETE FROM analytics_hourly x USING ${DIRTY} d WHERE x.tenant_id = d.t AND x.day = d.dy`,
  `INSERT INTO analytics_hourly (tenant_id, day, hour, bot_id, channel, conversations, handed_off, fallback, clarify, answered,
     customer_messages, rated, rating_sum, satisfied)
   SELECT f.tenant_id, f.day, f.hour, f.bot_id, f.channel, ${COUNT_COLUMNS}
   FROM analytics_conversations f JOIN ${DIRTY} d ON f.tenant_id = d.t AND f.day = d.dy
   GROUP BY f.tenant_id, f.day, f.hour, f.bot_id, f.channel`,
  `DELETE FROM analytics_daily x USING ${DIRTY} d WHERE x.tenant_id = d.t AND x.day = d.dy`,
  `INSERT INTO analytics_daily (tenant_id, day, bot_id, channel, conversations, handed_off, fallback, clarify, answered,
     customer_messages, rated, rating_sum, satisfied)
   SELECT h.tenant_id, h.day, h.bot_id, h.channel, sum(conversations), sum(handed_off), sum(fallback), sum(clarify), sum(answered),
     sum(customer_messages), sum(rated), sum(rating_sum), sum(satisfied)
   FROM analytics_hourly h JOIN ${DIRTY} d ON h.tenant_id = d.t AND h.day = d.dy
   GROUP BY h.tenant_id, h.day, h.bot_id, h.channel`,
  `DELETE FROM analytics_hits_daily x USING ${DIRTY} d WHERE x.tenant_id = d.t AND x.day = d.dy`,
  `INSERT INTO analytics_hits_daily (tenant_id, day, bot_id, channel, kind, key, hits, conversations)
   SELECT h.tenant_id, h.day, h.bot_id, h.channel, h.kind, h.key, sum(h.hits), count(*)
   FROM analytics_conversation_hits h JOIN ${DIRTY} d ON h.tenant_id = d.t AND h.day = d.dy
   GROUP BY h.tenant_id, h.day, h.bot_id, h.channel, h.kind, h.key`,
  // The same over all channels (channel ''): the unfiltered top lists read these, a fraction of the rows.
  `INSERT INTO analytics_hits_daily (tenant_id, day, bot_id, channel, kind, key, hits, conversations)
   SELECT h.tenant_id, h.day, h.bot_id, '', h.kind, h.key, sum(h.hits), count(*)
   FROM analytics_conversation_hits h JOIN ${DIRTY} d ON h.tenant_id = d.t AND h.day = d.dy
   GROUP BY h.tenant_id, h.day, h.bot_id, h.kind, h.key`,
  `DELETE FROM analytics_agent_daily x USING ${DIRTY} d WHERE x.tenant_id = d.t AND x.day = d.dy`,
  `INSERT INTO analytics_agent_daily (tenant_id, day, channel, agent_id, group_id, agent_name, conversations, resolved,
     first_response_n, first_response_sum, handle_n, handle_sum, rated, rating_sum, satisfied)
   SELECT f.tenant_id, f.day, f.channel, f.agent_id, coalesce(f.group_id, ''), max(f.agent_name), count(*), count(*) FILTER (WHERE resolved),
     count(first_response_ms), coalesce(sum(first_response_ms), 0), count(handle_ms), coalesce(sum(handle_ms), 0),
     count(rating), coalesce(sum(rating), 0), count(*) FILTER (WHERE rating >= 4)
   FROM analytics_conversations f JOIN ${DIRTY} d ON f.tenant_id = d.t AND f.day = d.dy
   WHERE f.agent_id IS NOT NULL
   GROUP BY f.tenant_id, f.day, f.channel, f.agent_id, coalesce(f.group_id, '')`,
  `DELETE FROM analytics_dirty_days`,
];

/** Filter clauses on a rollup aliased x; $1 tenant, $2 from, $3 to, then channel and bot when given. */
function where(f: AnalyticsFilter, params: unknown[], opts: { channel?: boolean; bot?: boolean } = {}): string {
  params.push(f.tenantId, f.from, f.to);
  const parts = ['x.tenant_id = $1', 'x.day BETWEEN $2::date AND $3::date'];
  if (f.channel && opts.channel !== false) {
    params.push(f.channel);
    parts.push(`x.channel = $${params.length}`);
  }
  if (f.botId && opts.bot !== false) {
    params.push(f.botId);
    parts.push(`x.bot_id = $${params.length}`);
  }
  return parts.join(' AND ');
}

const SUMS = `coalesce(sum(conversations), 0) AS conversations, coalesce(sum(handed_off), 0) AS handed_off, coalesce(sum(fallback), 0) AS fallback,
  coalesce(sum(clarify), 0) AS clarify, coalesce(sum(answered), 0) AS answered, coalesce(sum(customer_messages), 0) AS customer_messages,
  coalesce(sum(rated), 0) AS rated, coalesce(sum(rating_sum), 0) AS rating_sum, coalesce(sum(satisfied), 0) AS satisfied`;

const counts = (r: Row): Counts => ({
  conversations: num(r.conversations), handedOff: num(r.handed_off), fallback: num(r.fallback), clarify: num(r.clarify),
  answered: num(r.answered), customerMessages: num(r.customer_messages), rated: num(r.rated), ratingSum: num(r.rating_sum), satisfied: num(r.satisfied),
});

export class PgAnalyticsRepository implements AnalyticsRepository {
  constructor(private db: Db, private tz = ANALYTICS_TZ) {}

  async projectBatch(limit: number, overlapMs: number): Promise<BatchResult> {
    return this.db.tx(async (q) => {
      await q.query(`INSERT INTO analytics_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [CHECKPOINT]);
      // The row lock orders projectors of several nodes even if the coordination lock expired under a slow pass.
      const [cp] = await q.query(`SELECT cursor_at::text AS cursor_at, cursor_conversation, cursor_seq, cursor_at = '-infinity' AS fresh FROM analytics_checkpoints WHERE name = $1 FOR UPDATE`, [CHECKPOINT]);
      // Timestamps stay text: microseconds matter for the cursor, and JavaScript dates keep milliseconds only.
      const rows = await q.query<{ conversation_id: string; seq: number; at: string }>(
        `SELECT conversation_id, seq, created_at::text AS at FROM conversation_events
         WHERE (created_at, conversation_id, seq) > ($1::timestamptz, $2::text, $3::int)
         ORDER BY created_at, conversation_id, seq LIMIT $4`,
        [cp.cursor_at, cp.cursor_conversation, cp.cursor_seq, limit],
      );
      const ids = new Set(rows.map((r) => r.conversation_id));
      if (!cp.fresh && overlapMs > 0) {
        // An append's created_at is its transaction's start: one that committed after we passed its time is re-read here.
        const late = await q.query<{ conversation_id: string }>(
          `SELECT DISTINCT conversation_id FROM conversation_events WHERE created_at > $1::timestamptz - make_interval(secs => $2) AND created_at <= $1::timestamptz`,
          [cp.cursor_at, overlapMs / 1000],
        );
        for (const r of late) ids.add(r.conversation_id);
      }
      if (ids.size) await this.project(q, [...ids]);
      const last = rows.at(-1);
      if (last) {
        await q.query(
          `UPDATE analytics_checkpoints SET cursor_at = $2::timestamptz, cursor_conversation = $3, cursor_seq = $4, updated_at = now() WHERE name = $1`,
          [CHECKPOINT, last.at, last.conversation_id, last.seq],
        );
      }
      return { events: rows.length, conversations: ids.size, caughtUp: rows.length < limit };
    });
  }

  /** Recomputes the facts and hits of these conversations from their logs and marks their days dirty. */
  private async project(q: Queryable, ids: string[]) {
    await q.query(FACTS_SQL, [ids, this.tz]);
    await q.query(`DELETE FROM analytics_conversation_hits WHERE conversation_id = ANY($1::text[])`, [ids]);
    await q.query(HITS_SQL, [ids]);
    await q.query(
      `INSERT INTO analytics_dirty_days (tenant_id, day) SELECT DISTINCT tenant_id, day FROM analytics_conversations WHERE conversation_id = ANY($1::text[])
       ON CONFLICT DO NOTHING`,
      [ids],
    );
  }

  async refreshDirtyDays(): Promise<number> {
    return this.db.tx(async (q) => {
      // Serialized with the batches of other nodes by the checkpoint's row lock (a delete-and-insert of a day each).
      await q.query(`INSERT INTO analytics_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [CHECKPOINT]);
      await q.query(`SELECT 1 FROM analytics_checkpoints WHERE name = $1 FOR UPDATE`, [CHECKPOINT]);
      const [n] = await q.query(`SELECT count(*) AS n FROM analytics_dirty_days`);
      if (!num(n.n)) return 0;
      for (const sql of ROLLUP_SQL) await q.query(sql);
      return num(n.n);
    });
  }

  async projectWorkOrders(now: Date, overlapMs: number): Promise<number> {
    return this.db.tx(async (q) => {
      await q.query(`INSERT INTO analytics_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [CHECKPOINT]);
      const [cp] = await q.query(`SELECT work_orders_at::text AS since FROM analytics_checkpoints WHERE name = $1 FOR UPDATE`, [CHECKPOINT]);
      const tz = this.tz;
      const days = await q.query<{ tenant_id: string; day: string }>(
        `SELECT DISTINCT tenant_id, (created_at AT TIME ZONE $4)::date::text AS day FROM work_orders
         WHERE updated_at > $1::timestamptz - make_interval(secs => $3)
            OR (first_response_at IS NULL AND first_response_due > $1::timestamptz - make_interval(secs => $3) AND first_response_due <= $2)
            OR (resolved_at IS NULL AND resolution_due > $1::timestamptz - make_interval(secs => $3) AND resolution_due <= $2)`,
        [cp.since, now, overlapMs / 1000, tz],
      );
      if (days.length) {
        const t = days.map((d) => d.tenant_id);
        const dy = days.map((d) => d.day);
        await q.query(
          `DELETE FROM analytics_sla_daily x USING unnest($1::text[], $2::date[]) d(t, dy) WHERE x.tenant_id = d.t AND x.day = d.dy`,
          [t, dy],
        );
        await q.query(
          `INSERT INTO analytics_sla_daily (tenant_id, day, type_id, priority, work_orders, resolved, response_met, response_breached,
             response_pending, resolution_met, resolution_breached, resolution_pending)
           SELECT w.tenant_id, (w.created_at AT TIME ZONE $4)::date, w.type_id, w.priority, count(*),
             count(*) FILTER (WHERE w.resolved_at IS NOT NULL),
             count(*) FILTER (WHERE w.first_response_due IS NOT NULL AND w.first_response_at <= w.first_response_due),
             count(*) FILTER (WHERE w.first_response_due IS NOT NULL AND (w.first_response_at > w.first_response_due OR (w.first_response_at IS NULL AND w.first_response_due <= $3))),
             count(*) FILTER (WHERE w.first_response_due IS NOT NULL AND w.first_response_at IS NULL AND w.first_response_due > $3),
             count(*) FILTER (WHERE w.resolution_due IS NOT NULL AND w.resolved_at <= w.resolution_due),
             count(*) FILTER (WHERE w.resolution_due IS NOT NULL AND (w.resolved_at > w.resolution_due OR (w.resolved_at IS NULL AND w.resolution_due <= $3))),
             count(*) FILTER (WHERE w.resolution_due IS NOT NULL AND w.resolved_at IS NULL AND w.resolution_due > $3)
           FROM work_orders w JOIN unnest($1::text[], $2::date[]) d(t, dy) ON w.tenant_id = d.t
             AND w.created_at >= (d.dy::timestamp AT TIME ZONE $4) AND w.created_at < ((d.dy + 1)::timestamp AT TIME ZONE $4)
           GROUP BY w.tenant_id, (w.created_at AT TIME ZONE $4)::date, w.type_id, w.priority`,
          [t, dy, now, tz],
        );
      }
      await q.query(`UPDATE analytics_checkpoints SET work_orders_at = $2 WHERE name = $1`, [CHECKPOINT, now]);
      return days.length;
    });
  }

  async reset() {
    await this.db.tx(async (q) => {
      for (const t of ['analytics_conversations', 'analytics_conversation_hits', 'analytics_dirty_days', 'analytics_hourly', 'analytics_daily',
        'analytics_hits_daily', 'analytics_agent_daily', 'analytics_sla_daily', 'analytics_checkpoints']) await q.query(`DELETE FROM ${t}`);
    });
  }

  async lag(): Promise<number> {
    const [r] = await this.db.query(
      `SELECT count(*) AS n FROM conversation_events e, (SELECT coalesce(max(cursor_at), '-infinity') AS at, max(cursor_conversation) AS c, max(cursor_seq) AS s FROM analytics_checkpoints WHERE name = $1) cp
       WHERE (e.created_at, e.conversation_id, e.seq) > (cp.at, coalesce(cp.c, ''), coalesce(cp.s, 0))`,
      [CHECKPOINT],
    );
    return num(r.n);
  }

  async totals(f: AnalyticsFilter): Promise<Counts> {
    const params: unknown[] = [];
    const [r] = await this.db.query(`SELECT ${SUMS} FROM analytics_daily x WHERE ${where(f, params)}`, params);
    return counts(r);
  }

  async daily(f: AnalyticsFilter): Promise<DayCounts[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(`SELECT x.day::text AS day, ${SUMS} FROM analytics_daily x WHERE ${where(f, params)} GROUP BY x.day ORDER BY x.day`, params);
    return rows.map((r) => ({ day: dayText(r.day), ...counts(r) }));
  }

  async channelHours(f: AnalyticsFilter): Promise<ChannelHour[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(
      `SELECT x.channel, x.hour, sum(x.conversations) AS n FROM analytics_hourly x WHERE ${where(f, params)} GROUP BY x.channel, x.hour ORDER BY x.channel, x.hour`,
      params,
    );
    return rows.map((r) => ({ channel: r.channel, hour: num(r.hour), conversations: num(r.n) }));
  }

  async channelDays(f: AnalyticsFilter): Promise<ChannelDay[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(
      `SELECT x.channel, x.day::text AS day, sum(x.conversations) AS n FROM analytics_daily x WHERE ${where(f, params)} GROUP BY x.channel, x.day ORDER BY x.day, x.channel`,
      params,
    );
    return rows.map((r) => ({ channel: r.channel, day: dayText(r.day), conversations: num(r.n) }));
  }

  async channels(tenantId: string): Promise<string[]> {
    const rows = await this.db.query(`SELECT DISTINCT channel FROM analytics_daily WHERE tenant_id = $1 ORDER BY channel`, [tenantId]);
    return rows.map((r) => r.channel as string);
  }

  async top(f: AnalyticsFilter, kind: 'entry' | 'intent', limit: number): Promise<HitRow[]> {
    const params: unknown[] = [];
    const w = where(f, params) + (f.channel ? '' : ` AND x.channel = ''`);
    params.push(kind, limit);
    const k = params.length - 1;
    // Entries are per bot (external ids); intents are counted across bots. Plain sums, so the database can hash-aggregate.
    const group = kind === 'entry' ? 'x.bot_id, x.key' : 'x.key';
    const rows = await this.db.query(
      `SELECT t.*, ${kind === 'entry' ? `(SELECT e.question FROM kb_entries e WHERE e.bot_id = t.bot_id AND e.external_id = t.key)` : 'NULL'} AS label
       FROM (SELECT ${kind === 'entry' ? 'x.bot_id' : 'NULL::text AS bot_id'}, x.key, sum(x.hits) AS hits, sum(x.conversations) AS conversations
             FROM analytics_hits_daily x WHERE ${w} AND x.kind = $${k} GROUP BY ${group} ORDER BY sum(x.hits) DESC, x.key LIMIT $${k + 1}) t
       ORDER BY t.hits DESC, t.key`,
      params,
    );
    return rows.map((r) => ({ key: r.key, botId: r.bot_id ?? null, label: r.label ?? null, hits: num(r.hits), conversations: num(r.conversations) }));
  }

  async satisfaction(f: AnalyticsFilter, by: SatisfactionBy): Promise<SatisfactionRow[]> {
    const params: unknown[] = [];
    if (by === 'bot') {
      const rows = await this.db.query(
        `SELECT x.bot_id AS key, max(b.name) AS label, sum(x.rated) AS rated, sum(x.rating_sum) AS rating_sum, sum(x.satisfied) AS satisfied
         FROM analytics_daily x JOIN bots b ON b.id = x.bot_id WHERE ${where(f, params)} GROUP BY x.bot_id HAVING sum(x.rated) > 0 ORDER BY sum(x.rated) DESC`,
        params,
      );
      return rows.map((r) => ({ key: r.key, label: r.label, rated: num(r.rated), ratingSum: num(r.rating_sum), satisfied: num(r.satisfied) }));
    }
    // Agent and group figures come from the agents' rollup (no bot dimension there).
    const key = by === 'agent' ? 'x.agent_id' : 'x.group_id';
    const label = by === 'agent' ? 'max(x.agent_name)' : 'max(g.name_zh)';
    const join = by === 'group' ? 'LEFT JOIN service_groups g ON g.tenant_id = x.tenant_id AND g.id = x.group_id' : '';
    const rows = await this.db.query(
      `SELECT ${key} AS key, ${label} AS label, sum(x.rated) AS rated, sum(x.rating_sum) AS rating_sum, sum(x.satisfied) AS satisfied
       FROM analytics_agent_daily x ${join} WHERE ${where(f, params, { bot: false })} GROUP BY ${key} HAVING sum(x.rated) > 0 ORDER BY sum(x.rated) DESC`,
      params,
    );
    return rows.map((r) => ({ key: r.key, label: r.label ?? null, rated: num(r.rated), ratingSum: num(r.rating_sum), satisfied: num(r.satisfied) }));
  }

  async agents(f: AnalyticsFilter): Promise<AgentRow[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(
      `SELECT x.agent_id, max(x.agent_name) AS agent_name, sum(conversations) AS conversations, sum(resolved) AS resolved,
         sum(first_response_n) AS frn, sum(first_response_sum) AS frs, sum(handle_n) AS hn, sum(handle_sum) AS hs,
         sum(rated) AS rated, sum(rating_sum) AS rating_sum, sum(satisfied) AS satisfied
       FROM analytics_agent_daily x WHERE ${where(f, params, { bot: false })} GROUP BY x.agent_id ORDER BY sum(conversations) DESC, x.agent_id`,
      params,
    );
    return rows.map((r) => ({
      agentId: r.agent_id, agentName: r.agent_name ?? null, conversations: num(r.conversations), resolved: num(r.resolved),
      firstResponseN: num(r.frn), firstResponseSum: num(r.frs), handleN: num(r.hn), handleSum: num(r.hs),
      rated: num(r.rated), ratingSum: num(r.rating_sum), satisfied: num(r.satisfied),
    }));
  }

  async sla(f: Omit<AnalyticsFilter, 'channel' | 'botId'>): Promise<SlaRow[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(
      `SELECT x.day::text AS day, x.priority, sum(work_orders) AS wo, sum(resolved) AS resolved, sum(response_met) AS rm, sum(response_breached) AS rb,
         sum(response_pending) AS rp, sum(resolution_met) AS sm, sum(resolution_breached) AS sb, sum(resolution_pending) AS sp
       FROM analytics_sla_daily x WHERE ${where(f, params)} GROUP BY x.day, x.priority ORDER BY x.day, x.priority`,
      params,
    );
    return rows.map((r) => ({
      day: dayText(r.day), priority: r.priority, workOrders: num(r.wo), resolved: num(r.resolved), responseMet: num(r.rm), responseBreached: num(r.rb),
      responsePending: num(r.rp), resolutionMet: num(r.sm), resolutionBreached: num(r.sb), resolutionPending: num(r.sp),
    }));
  }
}
