/**
 * Volume data for the dashboards and the knowledge list (issue 6 "Performance"):
 *
 *   npm run seed:volume -- [--pg postgres://…] [--data-dir ./data] [--events 1000000] [--entries 50000] [--days 30] [--project]
 *
 * Into the demo tenant (seeded first if absent) of the PostgreSQL at --pg (or DATABASE_URL), else of the embedded
 * PGlite data directory (--data-dir, default LINGXI_DATA_DIR or ./data). It adds a bot `volume` with --entries
 * knowledge entries (draft and published, questions drawn from banking phrases) and conversations on it whose logs
 * hold about --events events over the last --days days: a realistic mix of channels (web, app, WeChat, WeCom, SMS,
 * e-mail), busy daytime hours, answered / fallback / clarified / handed-off conversations, agents' replies, closes
 * and ratings, with the same event types and payloads the robot and the human service write; and work orders with
 * SLA due times (about one per 40 conversations). Rows are generated
 * by the database (generate_series, one INSERT … SELECT per batch), not sent one by one. Each run adds a new set of
 * conversations (ids carry the run); entries are added once. --project runs the analytics projector afterwards and
 * prints its catch-up time.
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Db } from '../packages/server/src/storage/db.ts';

/** Event mix per conversation kind (what the robot and the human service append; see the payloads below). */
export const KIND_SHARES = { answer: 0.55, fallback: 0.15, clarify: 0.1, handoff: 0.2 } as const;
/** Events per conversation: 7 for the robot's kinds; a hand-off 11, 12 when rated (40 % are). */
export const EVENTS_PER_CONVERSATION = 0.8 * 7 + 0.2 * (11 + 0.4);

export type VolumeResult = { botId: string; conversations: number; events: number; entries: number; workOrders: number; ms: number };

/** The bot the volume data goes to (slug `volume` by default; created once). */
export async function volumeBot(db: Db, tenantId: string, slug = 'volume'): Promise<string> {
  await db.query(
    `INSERT INTO bots (id, tenant_id, slug, name, locale, is_public) VALUES ($1, $2, $3, '容量测试机器人', 'zh-CN', false) ON CONFLICT (slug) DO NOTHING`,
    [`bot_${slug}_${randomBytes(4).toString('hex')}`, tenantId, slug],
  );
  const [b] = await db.query(`SELECT id FROM bots WHERE tenant_id = $1 AND slug = $2`, [tenantId, slug]);
  if (!b) throw new Error(`bot slug "${slug}" belongs to another tenant`);
  return b.id;
}

/** --entries knowledge entries in the bot (external ids V00001…; present ones are kept). */
export async function seedEntries(db: Db, tenantId: string, botId: string, n: number): Promise<number> {
  const rows = await db.query(
    `INSERT INTO kb_entries (id, tenant_id, bot_id, external_id, question, similar_questions, answer, tags, status, created_at, updated_at, updated_by)
     SELECT 'kbv_' || $2 || '_' || i, $1, $2, 'V' || lpad(i::text, 5, '0'),
       p.product || p.action || '（' || i || '）',
       jsonb_build_array(p.product || '怎么' || p.action, '请问' || p.product || p.action),
       '关于' || p.product || p.action || '：请登录手机银行，进入「' || p.product || '」页面办理；如有疑问请致电客服热线。编号 ' || i,
       ARRAY[p.product], CASE WHEN i % 5 = 0 THEN 'draft' ELSE 'published' END,
       now() - make_interval(mins => i), now() - make_interval(mins => i), 'seed'
     FROM generate_series(1, $3::int) i
     CROSS JOIN LATERAL (SELECT
       (ARRAY['信用卡','借记卡','房贷','车贷','理财','基金','转账','网银','手机银行','积分','外汇','存款','保险','贵金属','社保卡','ETC'])[1 + i % 16] AS product,
       (ARRAY['如何办理','怎么挂失','额度调整','年费多少','密码重置','手续费','开通条件','注销流程','利率查询','到账时间','限额设置','账单查询'])[1 + (i / 16) % 12] AS action) p
     ON CONFLICT (bot_id, external_id) DO NOTHING
     RETURNING 1`,
    [tenantId, botId, n],
  );
  return rows.length;
}

/**
 * Conversations and their events, generated in the database in batches of `batch` conversations. Returns the
 * numbers actually written.
 */
export async function seedConversations(db: Db, o: { tenantId: string; botId: string; events: number; days: number; entries: number; batch?: number; log?: (s: string) => void }) {
  const run = randomBytes(3).toString('hex');
  const total = Math.ceil(o.events / EVENTS_PER_CONVERSATION);
  const batch = o.batch ?? 20_000;
  let conversations = 0;
  let events = 0;
  for (let lo = 1; lo <= total; lo += batch) {
    const hi = Math.min(total, lo + batch - 1);
    const r = await db.tx(async (q) => {
      await q.query(`CREATE TEMP TABLE vol_batch ON COMMIT DROP AS
        SELECT 'cv_vol_' || $1 || '_' || i AS id, i,
          CASE WHEN r1 < 0.55 THEN 'answer' WHEN r1 < 0.70 THEN 'fallback' WHEN r1 < 0.80 THEN 'clarify' ELSE 'handoff' END AS kind,
          (ARRAY['web','web','web','web','app','app','app','wechat','wechat','wechat','wecom','sms','email'])[1 + floor(r2 * 13)::int] AS channel,
          -- busy 08:00-22:00 in the bank's zone (Asia/Shanghai), quieter at night
          least(now() - interval '1 hour', (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - make_interval(days => floor(r3 * $2::int)::int)
            + make_interval(secs => CASE WHEN r4 < 0.85 THEN 8 * 3600 + r5 * 14 * 3600 ELSE r5 * 86400 END)) AT TIME ZONE 'Asia/Shanghai') AS ts,
          'V' || lpad((1 + floor(power(r6, 4) * $3::int))::text, 5, '0') AS e1,
          'V' || lpad((1 + floor(power(r7, 3) * $3::int))::text, 5, '0') AS e2,
          floor(r8 * 20)::int + 1 AS agent,
          r9 < 0.4 AS rated,
          CASE WHEN r10 < 0.5 THEN 5 WHEN r10 < 0.75 THEN 4 WHEN r10 < 0.87 THEN 3 WHEN r10 < 0.95 THEN 2 ELSE 1 END AS score,
          5 + r11 * 90 AS fr_s, 120 + r12 * 900 AS handle_s, r13 < 0.85 AS closed_by_agent
        FROM (SELECT i, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7, random() r8, random() r9,
          random() r10, random() r11, random() r12, random() r13 FROM generate_series($4::int, $5::int) i) s`,
        [run, o.days, o.entries, lo, hi]);
      await q.query(
        `INSERT INTO conversations (id, tenant_id, bot_id, channel, status, state, last_seq, created_at, updated_at)
         SELECT id, $1, $2, channel, CASE WHEN kind = 'handoff' THEN 'closed' ELSE 'bot' END, '{}',
           CASE WHEN kind = 'handoff' THEN CASE WHEN rated THEN 12 ELSE 11 END ELSE 7 END, ts, ts + interval '10 minutes'
         FROM vol_batch`,
        [o.tenantId, o.botId],
      );
      // One row per (conversation, step) of its kind's template; payloads as the robot and the service write them.
      const ev = await q.query(
        `INSERT INTO conversation_events (conversation_id, seq, tenant_id, type, payload, created_at)
         SELECT b.id, t.seq, $1, t.type,
           CASE t.p
             WHEN 'started' THEN jsonb_build_object('botId', $2::text, 'channel', b.channel)
             WHEN 'ask' THEN jsonb_build_object('text', '请问' || b.e1 || '怎么办理', 'channel', b.channel)
             WHEN 'ask2' THEN jsonb_build_object('text', '那' || b.e2 || '呢', 'channel', b.channel)
             WHEN 'u_answer1' THEN jsonb_build_object('lang', 'zh', 'normalized', b.e1, 'decision', 'answer', 'via', 'faq', 'entryId', b.e1)
             WHEN 'r_answer1' THEN jsonb_build_object('reply', jsonb_build_object('type', 'answer', 'text', '关于 ' || b.e1 || ' 的答复', 'entryId', b.e1))
             WHEN 'u_answer2' THEN jsonb_build_object('lang', 'zh', 'normalized', b.e2, 'decision', 'answer', 'via', 'faq', 'entryId', b.e2)
             WHEN 'r_answer2' THEN jsonb_build_object('reply', jsonb_build_object('type', 'answer', 'text', '关于 ' || b.e2 || ' 的答复', 'entryId', b.e2))
             WHEN 'u_fallback' THEN jsonb_build_object('lang', 'zh', 'normalized', '火星天气', 'decision', 'fallback', 'hits', '[]'::jsonb, 'failures', 1)
             WHEN 'r_fallback' THEN jsonb_build_object('reply', jsonb_build_object('type', 'fallback', 'text', '抱歉，我没有理解您的问题'))
             WHEN 'u_clarify' THEN jsonb_build_object('lang', 'zh', 'normalized', '卡', 'decision', 'clarify', 'reason', 'underspecified', 'hits', '[]'::jsonb)
             WHEN 'r_clarify' THEN jsonb_build_object('reply', jsonb_build_object('type', 'clarify', 'text', '您想问的是：'))
             WHEN 'u_handoff' THEN jsonb_build_object('lang', 'zh', 'normalized', '转人工', 'decision', 'handoff_request')
             WHEN 'r_handoff' THEN jsonb_build_object('reply', jsonb_build_object('type', 'handoff', 'text', '正在为您转接人工客服'))
             WHEN 'handoff' THEN jsonb_build_object('reason', 'customer_request')
             WHEN 'queued' THEN jsonb_build_object('group', (ARRAY['general','cards','loans'])[1 + b.agent % 3], 'queue', (ARRAY['general','cards','loans'])[1 + b.agent % 3], 'priority', 0, 'via', 'routing')
             WHEN 'assigned' THEN jsonb_build_object('agentId', 'vol_agent_' || b.agent, 'agentName', '坐席' || lpad(b.agent::text, 2, '0'),
               'group', (ARRAY['general','cards','loans'])[1 + b.agent % 3], 'queue', (ARRAY['general','cards','loans'])[1 + b.agent % 3], 'by', 'least_busy')
             WHEN 'agent_msg' THEN jsonb_build_object('agentId', 'vol_agent_' || b.agent, 'agentName', '坐席' || lpad(b.agent::text, 2, '0'),
               'reply', jsonb_build_object('type', 'text', 'text', '您好，请问有什么可以帮您？'))
             WHEN 'closed' THEN CASE WHEN b.closed_by_agent
               THEN jsonb_build_object('by', 'agent', 'closedBy', 'agent', 'agentId', 'vol_agent_' || b.agent)
               ELSE jsonb_build_object('by', 'customer', 'closedBy', 'customer', 'reason', 'left') END
             WHEN 'rated' THEN jsonb_build_object('score', b.score, 'comment', NULL, 'agentId', 'vol_agent_' || b.agent,
               'agentName', '坐席' || lpad(b.agent::text, 2, '0'), 'group', (ARRAY['general','cards','loans'])[1 + b.agent % 3], 'revision', 1)
           END,
           b.ts + make_interval(secs => t.seq * 8
             + CASE WHEN t.seq >= 8 AND b.kind = 'handoff' THEN b.fr_s ELSE 0 END
             + CASE WHEN t.seq >= 11 AND b.kind = 'handoff' THEN b.handle_s ELSE 0 END)
         FROM vol_batch b
         JOIN (VALUES
           ('answer', 1, 'conversation.started', 'started'), ('answer', 2, 'message.received', 'ask'), ('answer', 3, 'nlu.understood', 'u_answer1'),
           ('answer', 4, 'reply.sent', 'r_answer1'), ('answer', 5, 'message.received', 'ask2'), ('answer', 6, 'nlu.understood', 'u_answer2'), ('answer', 7, 'reply.sent', 'r_answer2'),
           ('fallback', 1, 'conversation.started', 'started'), ('fallback', 2, 'message.received', 'ask'), ('fallback', 3, 'nlu.understood', 'u_fallback'),
           ('fallback', 4, 'reply.sent', 'r_fallback'), ('fallback', 5, 'message.received', 'ask'), ('fallback', 6, 'nlu.understood', 'u_answer1'), ('fallback', 7, 'reply.sent', 'r_answer1'),
           ('clarify', 1, 'conversation.started', 'started'), ('clarify', 2, 'message.received', 'ask'), ('clarify', 3, 'nlu.understood', 'u_clarify'),
           ('clarify', 4, 'reply.sent', 'r_clarify'), ('clarify', 5, 'message.received', 'ask'), ('clarify', 6, 'nlu.understood', 'u_answer1'), ('clarify', 7, 'reply.sent', 'r_answer1'),
           ('handoff', 1, 'conversation.started', 'started'), ('handoff', 2, 'message.received', 'ask'), ('handoff', 3, 'nlu.understood', 'u_handoff'),
           ('handoff', 4, 'reply.sent', 'r_handoff'), ('handoff', 5, 'conversation.handoff', 'handoff'), ('handoff', 6, 'conversation.queued', 'queued'),
           ('handoff', 7, 'conversation.assigned', 'assigned'), ('handoff', 8, 'agent.message', 'agent_msg'), ('handoff', 9, 'message.received', 'ask2'),
           ('handoff', 10, 'agent.message', 'agent_msg'), ('handoff', 11, 'conversation.closed', 'closed'), ('handoff', 12, 'conversation.rated', 'rated')
         ) AS t(kind, seq, type, p) ON t.kind = b.kind AND (t.seq < 12 OR b.rated)
         RETURNING 1`,
        [o.tenantId, o.botId],
      );
      return { conversations: hi - lo + 1, events: ev.length };
    });
    conversations += r.conversations;
    events += r.events;
    o.log?.(`seed: ${conversations}/${total} conversations, ${events} events`);
  }
  return { conversations, events };
}

/**
 * Work orders over the same days (types complaint and service_request, the demo tenant's built-ins), with due times
 * from the built-in SLA targets (wall-clock minutes here), responded to and resolved mostly in time, some late,
 * some still open: the SLA attainment dashboard's data.
 */
export async function seedWorkOrders(db: Db, o: { tenantId: string; n: number; days: number }): Promise<number> {
  const run = randomBytes(3).toString('hex');
  const rows = await db.query(
    `INSERT INTO work_orders (id, tenant_id, number, type_id, title, priority, status, created_by, created_at, updated_at,
       first_response_at, resolved_at, closed_at, first_response_due, resolution_due, source)
     SELECT 'wo_vol_' || $1 || '_' || i, $2, 'VOL-' || $1 || '-' || i, w.type_id, w.title, w.priority,
       CASE WHEN w.res_at IS NULL THEN 'in_progress' ELSE 'resolved' END, 'seed', w.ts, greatest(w.ts, coalesce(w.res_at, w.fr_at, w.ts)),
       w.fr_at, w.res_at, NULL, w.ts + w.fr_min * interval '1 minute', w.ts + w.res_min * interval '1 minute', 'conversation'
     FROM generate_series(1, $3::int) i
     CROSS JOIN LATERAL (SELECT
       least(now() - interval '1 hour', (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - make_interval(days => floor(random() * $4::int)::int)
         + make_interval(secs => 8 * 3600 + random() * 10 * 3600)) AT TIME ZONE 'Asia/Shanghai') AS ts,
       (ARRAY['complaint', 'service_request'])[1 + i % 2] AS type_id,
       (ARRAY['信用卡重复扣款', '网银无法登录', '转账未到账', '投诉服务态度', '申请调整额度'])[1 + i % 5] AS title,
       (ARRAY['urgent', 'high', 'normal', 'normal', 'normal', 'low'])[1 + i % 6] AS priority,
       random() AS r1, random() AS r2, random() AS r3, random() AS r4) b
     CROSS JOIN LATERAL (SELECT b.*,
       CASE b.priority WHEN 'urgent' THEN 30 WHEN 'high' THEN 60 WHEN 'normal' THEN 240 ELSE 480 END AS fr_min,
       CASE b.priority WHEN 'urgent' THEN 480 WHEN 'high' THEN 960 WHEN 'normal' THEN 2400 ELSE 4800 END AS res_min) p
     CROSS JOIN LATERAL (SELECT p.*,
       CASE WHEN p.r1 < 0.95 THEN least(now(), p.ts + p.r2 * 1.3 * p.fr_min * interval '1 minute') END AS fr_at,
       CASE WHEN p.r3 < 0.8 AND p.ts + p.r4 * 1.4 * p.res_min * interval '1 minute' < now() THEN p.ts + p.r4 * 1.4 * p.res_min * interval '1 minute' END AS res_at) w
     RETURNING 1`,
    [run, o.tenantId, o.n, o.days],
  );
  return rows.length;
}

/** Everything: the bot, the entries, the conversations, the work orders. */
export async function seedVolume(db: Db, o: { tenantId: string; events: number; entries: number; days: number; log?: (s: string) => void }): Promise<VolumeResult> {
  const t0 = Date.now();
  const botId = await volumeBot(db, o.tenantId);
  const entries = await seedEntries(db, o.tenantId, botId, o.entries);
  o.log?.(`seed: ${entries} knowledge entries added to bot ${botId}`);
  const c = await seedConversations(db, { tenantId: o.tenantId, botId, events: o.events, days: o.days, entries: Math.max(1, o.entries), log: o.log });
  // About one work order per 40 conversations (hand-offs that needed a follow-up).
  const workOrders = await seedWorkOrders(db, { tenantId: o.tenantId, n: Math.max(1, Math.round(c.conversations / 40)), days: o.days });
  o.log?.(`seed: ${workOrders} work orders`);
  return { botId, entries, ...c, workOrders, ms: Date.now() - t0 };
}

async function main() {
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' },
      'data-dir': { type: 'string' },
      events: { type: 'string', default: '1000000' },
      entries: { type: 'string', default: '50000' },
      days: { type: 'string', default: '30' },
      project: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const env: Record<string, string | undefined> = { ...process.env, LINGXI_LOG_LEVEL: process.env.LINGXI_LOG_LEVEL ?? 'warn' };
  if (values.pg) env.DATABASE_URL = values.pg;
  if (values['data-dir']) env.LINGXI_DATA_DIR = values['data-dir'];
  const { loadConfig } = await import('../packages/server/src/config.ts');
  const { compose } = await import('../packages/server/src/compose.ts');
  const { seedDemo } = await import('../packages/server/src/demo/seed.ts');
  const deps = await compose(loadConfig(env as NodeJS.ProcessEnv));
  try {
    const seeded = await seedDemo(deps);
    if (seeded.generatedPassword) console.error(`demo tenant created; admin password: ${seeded.generatedPassword}`);
    const tenant = await deps.tenancy.findTenantBySlug('demo');
    if (!tenant) throw new Error('no demo tenant');
    const log = (s: string) => console.error(s);
    const r = await seedVolume(deps.db, { tenantId: tenant.id, events: Number(values.events), entries: Number(values.entries), days: Number(values.days), log });
    const out: Record<string, unknown> = { storage: deps.db.kind, ...r };
    if (values.project) {
      const t0 = Date.now();
      const p = await deps.analytics.projector.runOnce();
      out.projection = { ...p, ms: Date.now() - t0 };
    }
    console.log(JSON.stringify(out));
  } finally {
    await deps.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
