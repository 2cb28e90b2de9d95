import type { QuickReply, SkillGroup } from '@lingxi/contracts';
import type { Db, Queryable, Row } from '../../storage/db.ts';
import { newId } from '../../platform/ids.ts';
import { appendAfterLatest } from '../conversations/pg-conversation-repository.ts';
import type {
  AgentProfile, Append, Appended, AssignResult, AssignSource, Assignment, ConversationLine, NewQueueRow, QueueRow, ServiceRepository,
} from './service-repository.ts';
import { queueRank } from './routing.ts';

const groupOf = (r: Row): SkillGroup => ({
  id: r.id,
  name: { zh: r.name_zh, en: r.name_en },
  strategy: r.strategy,
  workingHours: r.working_hours ?? null,
  outOfHoursMessage: { zh: r.out_of_hours?.zh ?? '', en: r.out_of_hours?.en ?? '' },
  routing: {
    categories: r.routing?.categories ?? [], entryIds: r.routing?.entryIds ?? [], queues: r.routing?.queues ?? [], languages: r.routing?.languages ?? [],
  },
  isDefault: r.is_default,
  sort: r.sort,
});
const agentOf = (r: Row): AgentProfile => ({ tenantId: r.tenant_id, userId: r.user_id, displayName: r.display_name, maxConcurrent: r.max_concurrent, groups: r.groups ?? [] });
const queueOf = (r: Row): QueueRow => ({
  conversationId: r.conversation_id, tenantId: r.tenant_id, groupId: r.group_id, priority: r.priority, reason: r.reason, note: r.note,
  rankAt: new Date(r.rank_at), waitingSince: new Date(r.waiting_since), enqueuedAt: new Date(r.enqueued_at), customerSeenAt: new Date(r.customer_seen_at),
  preferredAgent: r.preferred_agent, lang: r.lang ?? null, ...(r.channel ? { channel: r.channel } : {}),
});
const assignmentOf = (r: Row): Assignment => ({
  id: r.id, conversationId: r.conversation_id, tenantId: r.tenant_id, agentId: r.agent_id, groupId: r.group_id, role: r.role, via: r.via,
  priority: r.priority ?? 0, waitingSince: r.waiting_since ? new Date(r.waiting_since) : null, assignedAt: new Date(r.assigned_at),
  endedAt: r.ended_at ? new Date(r.ended_at) : null, endReason: r.end_reason, lastReadSeq: r.last_read_seq,
});
const lineOf = (r: Row): ConversationLine => ({
  id: r.id, botId: r.bot_id, channel: r.channel, status: r.status, contactId: r.contact_id ?? null, contactName: r.display_name ?? null,
  groupId: r.group_id ?? null, queuedAt: r.queued_at ? new Date(r.queued_at) : null, assignedAt: r.assigned_at ? new Date(r.assigned_at) : null,
  unread: Number(r.unread ?? 0),
  last: r.last_type ? { type: r.last_type, payload: r.last_payload ?? {}, at: new Date(r.last_at) } : null,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

/** Thrown inside a transaction to undo it when a status guard fails; turned into a null result. */
class Undo extends Error {}

const LAST_EVENT = `LEFT JOIN LATERAL (
    SELECT e.type AS last_type, e.payload AS last_payload, e.created_at AS last_at FROM conversation_events e
    WHERE e.conversation_id = c.id AND e.type IN ('message.received', 'reply.sent', 'agent.message') ORDER BY e.seq DESC LIMIT 1
  ) l ON true`;

export class PgServiceRepository implements ServiceRepository {
  constructor(private db: Db) {}

  private async undoable<T>(fn: (q: Queryable) => Promise<T>): Promise<T | null> {
    try {
      return await this.db.tx(fn);
    } catch (err) {
      if (err instanceof Undo) return null;
      throw err;
    }
  }

  private static async append(q: Queryable, tenantId: string, conversationId: string, a: Append): Promise<Appended> {
    const r = await appendAfterLatest(q, tenantId, conversationId, a.events, { status: a.status, onlyIf: a.onlyIf });
    if (!r) throw new Undo();
    return r;
  }

  // ---- groups ----

  async listGroups(tenantId: string) {
    return (await this.db.query('SELECT * FROM service_groups WHERE tenant_id = $1 ORDER BY sort, id', [tenantId])).map(groupOf);
  }

  async putGroup(tenantId: string, g: SkillGroup) {
    await this.db.tx(async (q) => {
      if (g.isDefault) await q.query('UPDATE service_groups SET is_default = false WHERE tenant_id = $1 AND id <> $2 AND is_default', [tenantId, g.id]);
      await q.query(
        `INSERT INTO service_groups(tenant_id, id, name_zh, name_en, strategy, working_hours, out_of_hours, routing, is_default, sort)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name_zh = $3, name_en = $4, strategy = $5, working_hours = $6, out_of_hours = $7,
           routing = $8, is_default = $9, sort = $10, updated_at = now()`,
        [tenantId, g.id, g.name.zh, g.name.en, g.strategy, g.workingHours ? JSON.stringify(g.workingHours) : null, JSON.stringify(g.outOfHoursMessage),
          JSON.stringify(g.routing), g.isDefault, g.sort],
      );
    });
  }

  async deleteGroup(tenantId: string, id: string) {
    return (await this.db.query('DELETE FROM service_groups WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, id])).length > 0;
  }

  async tenantsWithGroups() {
    return (await this.db.query('SELECT DISTINCT tenant_id FROM service_groups')).map((r) => r.tenant_id as string);
  }

  // ---- agents ----

  async listAgents(tenantId: string) {
    return (await this.db.query('SELECT * FROM service_agents WHERE tenant_id = $1 ORDER BY display_name, user_id', [tenantId])).map(agentOf);
  }

  async getAgent(tenantId: string, userId: string) {
    const [r] = await this.db.query('SELECT * FROM service_agents WHERE tenant_id = $1 AND user_id = $2', [tenantId, userId]);
    return r ? agentOf(r) : null;
  }

  async putAgent(p: AgentProfile) {
    await this.db.query(
      `INSERT INTO service_agents(tenant_id, user_id, display_name, max_concurrent, groups) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET display_name = $3, max_concurrent = $4, groups = $5, updated_at = now()`,
      [p.tenantId, p.userId, p.displayName, p.maxConcurrent, p.groups],
    );
  }

  async deleteAgent(tenantId: string, userId: string) {
    return (await this.db.query('DELETE FROM service_agents WHERE tenant_id = $1 AND user_id = $2 RETURNING user_id', [tenantId, userId])).length > 0;
  }

  async loads(tenantId: string, agentIds?: string[]) {
    // Per agent: active chats, and the last assignment (index service_assignments_agent_time, newest first).
    const rows = await this.db.query(
      `SELECT a.user_id AS agent_id,
         (SELECT count(*) FROM service_assignments x WHERE x.tenant_id = a.tenant_id AND x.agent_id = a.user_id AND x.ended_at IS NULL AND x.role = 'primary')::int AS load,
         (SELECT max(x.assigned_at) FROM service_assignments x WHERE x.tenant_id = a.tenant_id AND x.agent_id = a.user_id) AS last_at
       FROM service_agents a WHERE a.tenant_id = $1 AND ($2::text[] IS NULL OR a.user_id = ANY($2))`,
      [tenantId, agentIds ?? null],
    );
    return new Map(rows.map((r) => [r.agent_id as string, { load: Number(r.load), lastAssignedAt: r.last_at ? new Date(r.last_at).getTime() : 0 }]));
  }

  // ---- queue ----

  enqueue(row: NewQueueRow, append: (row: QueueRow) => Append) {
    return this.undoable(async (q) => {
      const waitingSince = row.waitingSince ?? new Date();
      const [r] = await q.query(
        `INSERT INTO service_queue(conversation_id, tenant_id, group_id, priority, reason, note, rank_at, waiting_since, preferred_agent, lang)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
         WHERE NOT EXISTS (SELECT 1 FROM service_assignments WHERE conversation_id = $1 AND role = 'primary' AND ended_at IS NULL)
         ON CONFLICT (conversation_id) DO NOTHING RETURNING *`,
        [row.conversationId, row.tenantId, row.groupId, row.priority, row.reason, row.note, queueRank(waitingSince, row.priority), waitingSince, row.preferredAgent, row.lang],
      );
      if (!r) throw new Undo();
      const queued = queueOf(r);
      return { row: queued, appended: await PgServiceRepository.append(q, row.tenantId, row.conversationId, append(queued)) };
    });
  }

  dequeue(tenantId: string, conversationId: string, append: (row: QueueRow) => Append) {
    return this.undoable(async (q) => {
      const [r] = await q.query('DELETE FROM service_queue WHERE tenant_id = $1 AND conversation_id = $2 RETURNING *', [tenantId, conversationId]);
      if (!r) throw new Undo();
      const row = queueOf(r);
      return { row, appended: await PgServiceRepository.append(q, tenantId, conversationId, append(row)) };
    });
  }

  async queueRow(tenantId: string, conversationId: string) {
    const [r] = await this.db.query(
      'SELECT q.*, c.channel FROM service_queue q JOIN conversations c ON c.id = q.conversation_id WHERE q.tenant_id = $1 AND q.conversation_id = $2',
      [tenantId, conversationId],
    );
    return r ? queueOf(r) : null;
  }

  async queued(tenantId: string, groupId: string, limit: number) {
    const rows = await this.db.query(
      `SELECT q.*, c.channel FROM service_queue q JOIN conversations c ON c.id = q.conversation_id
       WHERE q.tenant_id = $1 AND q.group_id = $2 ORDER BY q.rank_at, q.conversation_id LIMIT $3`,
      [tenantId, groupId, limit],
    );
    return rows.map(queueOf);
  }

  async queuedGroups() {
    return (await this.db.query('SELECT DISTINCT tenant_id, group_id FROM service_queue')).map((r) => ({ tenantId: r.tenant_id as string, groupId: r.group_id as string }));
  }

  async queueCounts(tenantId: string) {
    const rows = await this.db.query('SELECT group_id, count(*)::int AS n, min(waiting_since) AS oldest FROM service_queue WHERE tenant_id = $1 GROUP BY group_id', [tenantId]);
    return new Map(rows.map((r) => [r.group_id as string, { waiting: Number(r.n), oldest: r.oldest ? new Date(r.oldest) : null }]));
  }

  async touchCustomers(conversationIds: string[]) {
    if (conversationIds.length === 0) return;
    await this.db.query('UPDATE service_queue SET customer_seen_at = now() WHERE conversation_id = ANY($1)', [conversationIds]);
  }

  async queuedSeenBefore(channels: string[], before: Date, limit: number) {
    const rows = await this.db.query(
      `SELECT q.*, c.channel FROM service_queue q JOIN conversations c ON c.id = q.conversation_id
       WHERE c.channel = ANY($1) AND q.customer_seen_at < $2 ORDER BY q.customer_seen_at LIMIT $3`,
      [channels, before, limit],
    );
    return rows.map((r) => ({ ...queueOf(r), channel: r.channel as string }));
  }

  async queuedOfChannels(channels: string[], limit: number) {
    const rows = await this.db.query(
      `SELECT q.*, c.channel FROM service_queue q JOIN conversations c ON c.id = q.conversation_id WHERE c.channel = ANY($1) ORDER BY q.customer_seen_at LIMIT $2`,
      [channels, limit],
    );
    return rows.map((r) => ({ ...queueOf(r), channel: r.channel as string }));
  }

  // ---- assignments ----

  async assign(
    a: { tenantId: string; conversationId: string; agentId: string; via: string; source: AssignSource; checkCapacity: boolean; groupId?: string },
    append: (info: { groupId: string | null; note: string | null; previousAgent: string | null }) => Append,
  ): Promise<AssignResult> {
    type Fail = { ok: false; reason: 'taken' | 'full' | 'not_agent' | 'closed' };
    let failure: Fail | null = null;
    const fail = (reason: Fail['reason']): never => {
      failure = { ok: false, reason };
      throw new Undo();
    };
    const r = await this.undoable(async (q): Promise<AssignResult> => {
      // The agent's row lock serialises every assignment to this agent: the statements after it see every
      // assignment committed before, so the capacity check below cannot be raced.
      const [agent] = await q.query('SELECT max_concurrent FROM service_agents WHERE tenant_id = $1 AND user_id = $2 FOR UPDATE', [a.tenantId, a.agentId]);
      if (!agent) fail('not_agent');
      const limit = a.checkCapacity ? agent.max_concurrent : null;
      let note: string | null = null;
      let previousAgent: string | null = null;
      let inserted: Row | undefined;
      if (a.source.kind === 'queue' || a.source.kind === 'any') {
        // The compare-and-set (only the taker of the queue row inserts), the capacity check and the new assignment
        // in one statement. A queued conversation has no active agent (a requeue ends joined ones too).
        const [row] = await q.query(
          `WITH q AS (
             DELETE FROM service_queue WHERE tenant_id = $1 AND conversation_id = $2
               AND ($7::int IS NULL OR (SELECT count(*) FROM service_assignments WHERE tenant_id = $1 AND agent_id = $4 AND role = 'primary' AND ended_at IS NULL) < $7)
             RETURNING *)
           INSERT INTO service_assignments(id, conversation_id, tenant_id, agent_id, group_id, role, via, priority, waiting_since)
           SELECT $3, q.conversation_id, q.tenant_id, $4, coalesce($5, q.group_id), 'primary', $6, q.priority, q.waiting_since FROM q
           RETURNING *, (SELECT note FROM q) AS queue_note`,
          [a.tenantId, a.conversationId, newId('asg'), a.agentId, a.groupId ?? null, a.via, limit],
        );
        if (row) {
          inserted = row;
          note = row.queue_note ?? null;
        } else if (limit !== null && (await this.atCapacity(q, a.tenantId, a.agentId, limit))) fail('full');
        else if (a.source.kind === 'queue') fail('taken');
      }
      if (!inserted) {
        if (limit !== null && (await this.atCapacity(q, a.tenantId, a.agentId, limit))) fail('full');
        // From the agent who holds it (a transfer; or whoever, for a supervisor taking over).
        const [row] = await q.query(
          `UPDATE service_assignments SET ended_at = now(), end_reason = $4
           WHERE tenant_id = $1 AND conversation_id = $2 AND role = 'primary' AND ended_at IS NULL AND ($3::text IS NULL OR agent_id = $3)
           RETURNING *`,
          [a.tenantId, a.conversationId, a.source.kind === 'agent' ? a.source.agentId : null, a.via === 'transfer' ? 'transferred' : 'taken_over'],
        );
        if (!row) fail('taken');
        previousAgent = row.agent_id;
        if (previousAgent === a.agentId) fail('taken');
        // A supervisor who had joined becomes the primary agent: their joined row ends.
        await q.query(
          `UPDATE service_assignments SET ended_at = now(), end_reason = 'promoted' WHERE conversation_id = $1 AND agent_id = $2 AND ended_at IS NULL`,
          [a.conversationId, a.agentId],
        );
        [inserted] = await q.query(
          `INSERT INTO service_assignments(id, conversation_id, tenant_id, agent_id, group_id, role, via, priority, waiting_since)
           VALUES ($1,$2,$3,$4,$5,'primary',$6,$7,$8) RETURNING *`,
          [newId('asg'), a.conversationId, a.tenantId, a.agentId, a.groupId ?? row.group_id, a.via, row.priority, row.waiting_since],
        );
      }
      const groupId: string | null = inserted!.group_id;
      const appended = await PgServiceRepository.append(q, a.tenantId, a.conversationId, append({ groupId, note, previousAgent }))
        .catch((err) => (err instanceof Undo ? fail('closed') : Promise.reject(err)));
      return { ok: true, appended, assignment: assignmentOf(inserted!), previousAgent, note };
    });
    return r ?? (failure as Fail | null) ?? { ok: false, reason: 'taken' };
  }

  private async atCapacity(q: Queryable, tenantId: string, agentId: string, limit: number): Promise<boolean> {
    const [n] = await q.query(`SELECT count(*)::int AS n FROM service_assignments WHERE tenant_id = $1 AND agent_id = $2 AND role = 'primary' AND ended_at IS NULL`, [tenantId, agentId]);
    return Number(n.n) >= limit;
  }

  join(tenantId: string, conversationId: string, agentId: string, append: Append) {
    return this.undoable(async (q) => {
      const [ins] = await q.query(
        `INSERT INTO service_assignments(id, conversation_id, tenant_id, agent_id, group_id, role, via)
         SELECT $1, $2, $3, $4, (SELECT group_id FROM service_assignments WHERE conversation_id = $2 AND role = 'primary' AND ended_at IS NULL), 'joined', 'join'
         WHERE NOT EXISTS (SELECT 1 FROM service_assignments WHERE conversation_id = $2 AND agent_id = $4 AND ended_at IS NULL)
         RETURNING *`,
        [newId('asg'), conversationId, tenantId, agentId],
      );
      if (!ins) throw new Undo();
      return { assignment: assignmentOf(ins), appended: await PgServiceRepository.append(q, tenantId, conversationId, append) };
    });
  }

  endAssignments(
    e: { tenantId: string; conversationId: string; agentIds?: string[]; role?: 'primary' | 'joined'; reason: string; requeue?: { groupId?: string; reason: string; note: string | null; lang: string | null }; alsoDequeue?: boolean },
    append: (ended: Assignment[]) => Append,
  ) {
    return this.undoable(async (q) => {
      const rows = await q.query(
        `UPDATE service_assignments SET ended_at = now(), end_reason = $3
         WHERE tenant_id = $1 AND conversation_id = $2 AND ended_at IS NULL
           AND ((($4::text[] IS NULL OR agent_id = ANY($4)) AND ($5::text IS NULL OR role = $5)) OR ($6 AND role = 'joined'))
         RETURNING *`,
        // Back to the queue: supervisors who had joined leave too (a queued conversation has no agent at all).
        [e.tenantId, e.conversationId, e.reason, e.agentIds ?? null, e.role ?? null, !!e.requeue],
      );
      const ended = rows.map(assignmentOf);
      let dequeued = false;
      if (e.alsoDequeue) dequeued = (await q.query('DELETE FROM service_queue WHERE tenant_id = $1 AND conversation_id = $2 RETURNING 1', [e.tenantId, e.conversationId])).length > 0;
      if (ended.length === 0 && !dequeued) throw new Undo();
      if (e.requeue) {
        const primary = ended.find((x) => x.role === 'primary');
        const groupId = e.requeue.groupId ?? primary?.groupId;
        if (!primary || !groupId) throw new Undo();
        const waitingSince = primary.waitingSince ?? new Date();
        await q.query(
          `INSERT INTO service_queue(conversation_id, tenant_id, group_id, priority, reason, note, rank_at, waiting_since, preferred_agent, lang)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
          [e.conversationId, e.tenantId, groupId, primary.priority, e.requeue.reason, e.requeue.note, queueRank(waitingSince, primary.priority), waitingSince, primary.agentId, e.requeue.lang],
        );
      }
      return { ended, appended: await PgServiceRepository.append(q, e.tenantId, e.conversationId, append(ended)) };
    });
  }

  async active(tenantId: string, conversationId: string) {
    const rows = await this.db.query('SELECT * FROM service_assignments WHERE tenant_id = $1 AND conversation_id = $2 AND ended_at IS NULL ORDER BY assigned_at', [tenantId, conversationId]);
    return rows.map(assignmentOf);
  }

  async servedBy(tenantId: string, conversationId: string, agentId: string) {
    return (await this.db.query('SELECT 1 FROM service_assignments WHERE tenant_id = $1 AND conversation_id = $2 AND agent_id = $3 LIMIT 1', [tenantId, conversationId, agentId])).length > 0;
  }

  async markRead(tenantId: string, conversationId: string, agentId: string, seq: number) {
    const rows = await this.db.query(
      `UPDATE service_assignments SET last_read_seq = GREATEST(last_read_seq, $4)
       WHERE tenant_id = $1 AND conversation_id = $2 AND agent_id = $3 AND ended_at IS NULL RETURNING id`,
      [tenantId, conversationId, agentId, seq],
    );
    return rows.length > 0;
  }

  async lastAgentOf(tenantId: string, conversationId: string, contactId: string | null) {
    const [r] = await this.db.query(
      `SELECT a.agent_id FROM service_assignments a JOIN conversations c ON c.id = a.conversation_id
       WHERE a.tenant_id = $1 AND a.role = 'primary' AND (a.conversation_id = $2 OR ($3::text IS NOT NULL AND c.tenant_id = $1 AND c.contact_id = $3))
       ORDER BY a.assigned_at DESC LIMIT 1`,
      [tenantId, conversationId, contactId],
    );
    return (r?.agent_id as string | undefined) ?? null;
  }

  async agentsWithChats() {
    const rows = await this.db.query(
      `SELECT tenant_id, agent_id, array_agg(conversation_id) AS convs FROM service_assignments WHERE ended_at IS NULL AND role = 'primary' GROUP BY tenant_id, agent_id`,
    );
    return rows.map((r) => ({ tenantId: r.tenant_id as string, agentId: r.agent_id as string, conversations: r.convs as string[] }));
  }

  async avgHandleSeconds(tenantId: string, groupId: string) {
    const [r] = await this.db.query(
      `SELECT avg(extract(epoch FROM ended_at - assigned_at)) AS s FROM (
         SELECT assigned_at, ended_at FROM service_assignments WHERE tenant_id = $1 AND group_id = $2 AND ended_at IS NOT NULL AND role = 'primary'
         ORDER BY ended_at DESC LIMIT 50) x`,
      [tenantId, groupId],
    );
    return r?.s == null ? null : Number(r.s);
  }

  async orphans(olderThan: Date, limit: number) {
    const rows = await this.db.query(
      `SELECT c.tenant_id, c.id, c.status FROM conversations c
       WHERE c.status IN ('handoff', 'agent') AND c.updated_at < $1
         AND NOT EXISTS (SELECT 1 FROM service_queue q WHERE q.conversation_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM service_assignments a WHERE a.conversation_id = c.id AND a.role = 'primary' AND a.ended_at IS NULL)
       LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id as string, conversationId: r.id as string, status: r.status }));
  }

  // ---- lists ----

  async agentLines(tenantId: string, agentId: string, scope: 'active' | 'recent') {
    const rows = await this.db.query(
      `SELECT c.*, ct.display_name, a.group_id, a.waiting_since AS queued_at, a.assigned_at,
         (SELECT count(*) FROM conversation_events e WHERE e.conversation_id = c.id AND e.type = 'message.received' AND e.seq > a.last_read_seq)::int AS unread,
         l.*
       FROM service_assignments a JOIN conversations c ON c.id = a.conversation_id LEFT JOIN contacts ct ON ct.id = c.contact_id ${LAST_EVENT}
       WHERE a.tenant_id = $1 AND a.agent_id = $2 AND ${scope === 'active' ? 'a.ended_at IS NULL' : `a.ended_at > now() - interval '1 day'`}
       ORDER BY a.assigned_at DESC LIMIT 200`,
      [tenantId, agentId],
    );
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(r.id) && seen.add(r.id)).map(lineOf);
  }

  async queueLines(tenantId: string, groups: string[] | null, limit: number) {
    const rows = await this.db.query(
      `SELECT c.*, ct.display_name, q.group_id, q.waiting_since AS queued_at, NULL AS assigned_at,
         (SELECT count(*) FROM conversation_events e WHERE e.conversation_id = c.id AND e.type = 'message.received')::int AS unread,
         l.*
       FROM service_queue q JOIN conversations c ON c.id = q.conversation_id LEFT JOIN contacts ct ON ct.id = c.contact_id ${LAST_EVENT}
       WHERE q.tenant_id = $1 AND ($2::text[] IS NULL OR q.group_id = ANY($2))
       ORDER BY q.rank_at, q.conversation_id LIMIT $3`,
      [tenantId, groups, limit],
    );
    return rows.map(lineOf);
  }

  async line(tenantId: string, conversationId: string, agentId: string | null) {
    const [r] = await this.db.query(
      `SELECT c.*, ct.display_name,
         coalesce(a.group_id, q.group_id) AS group_id, coalesce(q.waiting_since, a.waiting_since) AS queued_at, a.assigned_at,
         (SELECT count(*) FROM conversation_events e WHERE e.conversation_id = c.id AND e.type = 'message.received' AND e.seq > coalesce(a.last_read_seq, 0))::int AS unread,
         l.*
       FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id
         LEFT JOIN service_queue q ON q.conversation_id = c.id
         LEFT JOIN LATERAL (
           SELECT * FROM service_assignments x WHERE x.conversation_id = c.id AND ($3::text IS NULL OR x.agent_id = $3 OR x.role = 'primary')
           ORDER BY (x.ended_at IS NULL) DESC, (x.agent_id = $3) DESC, x.assigned_at DESC LIMIT 1
         ) a ON true
         ${LAST_EVENT}
       WHERE c.tenant_id = $1 AND c.id = $2`,
      [tenantId, conversationId, agentId],
    );
    return r ? lineOf(r) : null;
  }

  async contactHistory(tenantId: string, contactId: string, limit: number) {
    const rows = await this.db.query(
      `SELECT c.*, ct.display_name, NULL AS group_id, NULL AS queued_at, NULL AS assigned_at, 0 AS unread, l.*
       FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id ${LAST_EVENT}
       WHERE c.tenant_id = $1 AND c.contact_id = $2 ORDER BY c.updated_at DESC LIMIT $3`,
      [tenantId, contactId, limit],
    );
    return rows.map(lineOf);
  }

  // ---- customers ----

  async contactFlags(tenantId: string, contactId: string) {
    const [r] = await this.db.query('SELECT vip, elderly FROM service_contact_flags WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
    return { vip: !!r?.vip, elderly: !!r?.elderly };
  }

  async setContactFlags(tenantId: string, contactId: string, flags: { vip: boolean; elderly: boolean }) {
    await this.db.query(
      `INSERT INTO service_contact_flags(tenant_id, contact_id, vip, elderly) VALUES ($1,$2,$3,$4)
       ON CONFLICT (tenant_id, contact_id) DO UPDATE SET vip = $3, elderly = $4, updated_at = now()`,
      [tenantId, contactId, flags.vip, flags.elderly],
    );
  }

  // ---- quick replies ----

  async quickReplies(tenantId: string, userId: string) {
    const rows = await this.db.query(
      `SELECT * FROM service_quick_replies WHERE tenant_id = $1 AND (owner_id IS NULL OR owner_id = $2) ORDER BY owner_id NULLS FIRST, sort, title`,
      [tenantId, userId],
    );
    return rows.map((r): QuickReply => ({ id: r.id, scope: r.owner_id ? 'personal' : 'team', title: r.title, text: r.text, sort: r.sort }));
  }

  async quickReply(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM service_quick_replies WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? { id: r.id, scope: r.owner_id ? 'personal' as const : 'team' as const, title: r.title, text: r.text, sort: r.sort, ownerId: r.owner_id } : null;
  }

  async putQuickReply(r: { id: string; tenantId: string; ownerId: string | null; title: string; text: string; sort: number }) {
    await this.db.query(
      `INSERT INTO service_quick_replies(id, tenant_id, owner_id, title, text, sort) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (id) DO UPDATE SET title = $4, text = $5, sort = $6, updated_at = now()`,
      [r.id, r.tenantId, r.ownerId, r.title, r.text, r.sort],
    );
  }

  async deleteQuickReply(tenantId: string, id: string) {
    return (await this.db.query('DELETE FROM service_quick_replies WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, id])).length > 0;
  }
}
