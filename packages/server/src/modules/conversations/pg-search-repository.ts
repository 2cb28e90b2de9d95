import type { Queryable, Row } from '../../storage/db.ts';
import type { StoredEvent } from './conversation-repository.ts';
import type { ConversationSearchRepository, SearchHit, SearchQuery, SearchRow } from './search-repository.ts';

/** Counting stops here: "more than 1,000" is all a person paging through results needs, and it keeps the count cheap. */
export const COUNT_CAP = 1_000;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class PgConversationSearchRepository implements ConversationSearchRepository {
  constructor(private db: Queryable) {}

  async sources(batch: { tenantId: string; id: string }[]) {
    if (!batch.length) return [];
    const rows = await this.db.query(
      `SELECT c.id, c.tenant_id, c.bot_id, c.channel, c.created_at, s.conversation_id AS s_id, s.started_at, s.last_at, s.first_question, s.body,
         s.messages, s.handoff, s.fallback, s.clarify, s.agent_ids, s.entry_ids, s.rating, s.indexed_seq
       FROM unnest($1::text[], $2::text[]) AS d(id, tenant_id)
       JOIN conversations c ON c.id = d.id AND c.tenant_id = d.tenant_id
       LEFT JOIN conversation_search s ON s.conversation_id = c.id`,
      [batch.map((b) => b.id), batch.map((b) => b.tenantId)],
    );
    const prevOf = (r: Row): SearchRow | null => r.s_id ? {
      conversationId: r.id, tenantId: r.tenant_id, botId: r.bot_id, channel: r.channel, startedAt: new Date(r.started_at), lastAt: new Date(r.last_at),
      firstQuestion: r.first_question, body: r.body, messages: r.messages, handoff: r.handoff, fallback: r.fallback, clarify: r.clarify,
      agentIds: r.agent_ids ?? [], entryIds: r.entry_ids ?? [], rating: r.rating, indexedSeq: r.indexed_seq,
    } : null;
    const found = rows.map((r) => ({ conversation: { id: r.id as string, tenantId: r.tenant_id as string, botId: r.bot_id as string, channel: r.channel as string, createdAt: new Date(r.created_at) }, prev: prevOf(r), events: [] as StoredEvent[] }));
    if (!found.length) return [];
    const evs = await this.db.query(
      `SELECT e.conversation_id, e.seq, e.type, e.payload, e.created_at
       FROM unnest($1::text[], $2::int[]) AS d(id, after) JOIN conversation_events e ON e.conversation_id = d.id AND e.seq > d.after
       ORDER BY e.conversation_id, e.seq`,
      [found.map((f) => f.conversation.id), found.map((f) => f.prev?.indexedSeq ?? 0)],
    );
    const byId = new Map(found.map((f) => [f.conversation.id, f]));
    for (const r of evs) {
      byId.get(r.conversation_id)!.events.push({ conversationId: r.conversation_id, seq: r.seq, type: r.type, payload: r.payload, createdAt: new Date(r.created_at) });
    }
    return found;
  }

  async saveMany(items: { row: SearchRow; terms: string[] }[], entryTerms: { tenantId: string; entryId: string; terms: string[] }[] = []) {
    const et = entryTerms.flatMap((e) => e.terms.map((t) => [e.tenantId, t, e.entryId] as const));
    if (et.length) {
      await this.db.query(
        `INSERT INTO conversation_entry_terms(tenant_id, term, entry_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [et.map((x) => x[0]), et.map((x) => x[1]), et.map((x) => x[2])],
      );
    }
    if (!items.length) return;
    // Rows only move forward: a rebuild that read fewer events never overwrites a newer one.
    await this.db.query(
      `INSERT INTO conversation_search(conversation_id, tenant_id, bot_id, channel, started_at, last_at, first_question, body, messages,
         handoff, fallback, clarify, agent_ids, entry_ids, rating, indexed_seq)
       SELECT x.conversation_id, x.tenant_id, x.bot_id, x.channel, x.started_at, x.last_at, x.first_question, x.body, x.messages,
         x.handoff, x.fallback, x.clarify, x.agent_ids, x.entry_ids, x.rating, x.indexed_seq
       FROM jsonb_to_recordset($1::jsonb) AS x(conversation_id text, tenant_id text, bot_id text, channel text, started_at timestamptz,
         last_at timestamptz, first_question text, body text, messages int, handoff boolean, fallback boolean, clarify boolean,
         agent_ids text[], entry_ids text[], rating smallint, indexed_seq int)
       ON CONFLICT (conversation_id) DO UPDATE SET last_at = EXCLUDED.last_at, first_question = EXCLUDED.first_question, body = EXCLUDED.body,
         messages = EXCLUDED.messages, handoff = EXCLUDED.handoff, fallback = EXCLUDED.fallback, clarify = EXCLUDED.clarify,
         agent_ids = EXCLUDED.agent_ids, entry_ids = EXCLUDED.entry_ids, rating = EXCLUDED.rating, indexed_seq = EXCLUDED.indexed_seq
       WHERE conversation_search.indexed_seq <= EXCLUDED.indexed_seq`,
      [JSON.stringify(items.map(({ row: r }) => ({
        conversation_id: r.conversationId, tenant_id: r.tenantId, bot_id: r.botId, channel: r.channel, started_at: r.startedAt.toISOString(),
        last_at: r.lastAt.toISOString(), first_question: r.firstQuestion, body: r.body, messages: r.messages, handoff: r.handoff, fallback: r.fallback,
        clarify: r.clarify, agent_ids: r.agentIds, entry_ids: r.entryIds, rating: r.rating, indexed_seq: r.indexedSeq,
      })))],
    );
    const tenants: string[] = [];
    const terms: string[] = [];
    const ids: string[] = [];
    for (const { row, terms: ts } of items) {
      for (const t of ts) {
        tenants.push(row.tenantId);
        terms.push(t);
        ids.push(row.conversationId);
      }
    }
    if (terms.length) {
      // The log is append-only: terms are only ever added.
      await this.db.query(
        `INSERT INTO conversation_terms(tenant_id, term, conversation_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT DO NOTHING`,
        [tenants, terms, ids],
      );
    }
  }

  async unindexed(limit: number) {
    const rows = await this.db.query(
      `SELECT c.tenant_id, c.id FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM conversation_search s WHERE s.conversation_id = c.id)
       ORDER BY c.created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id as string, id: r.id as string }));
  }

  async behind(q: { after: string; since: Date | null; scan: number }) {
    // Each page reads at most `scan` conversations through an index: the primary key for a whole sweep; for a recent
    // one, conversation_events(tenant_id, created_at) per tenant (conversations.updated_at has no index of its own).
    const page = q.since
      ? `SELECT c.id, c.tenant_id, c.last_seq FROM (
           SELECT DISTINCT e.conversation_id AS id FROM tenants t
           CROSS JOIN LATERAL (SELECT conversation_id FROM conversation_events WHERE tenant_id = t.id AND created_at >= $3) e
           WHERE e.conversation_id > $1 ORDER BY 1 LIMIT $2
         ) r JOIN conversations c ON c.id = r.id`
      : 'SELECT id, tenant_id, last_seq FROM conversations WHERE id > $1 ORDER BY id LIMIT $2';
    const rows = await this.db.query(
      `WITH page AS (${page})
       SELECT p.id, p.tenant_id, (s.conversation_id IS NULL OR s.indexed_seq < p.last_seq) AS behind
       FROM page p LEFT JOIN conversation_search s ON s.conversation_id = p.id ORDER BY p.id`,
      q.since ? [q.after, q.scan, q.since.toISOString()] : [q.after, q.scan],
    );
    return {
      items: rows.filter((r) => r.behind).map((r) => ({ tenantId: r.tenant_id as string, id: r.id as string })),
      next: rows.length < q.scan ? null : (rows[rows.length - 1].id as string),
    };
  }

  async contactsByNameOrId(tenantId: string, s: string, limit: number) {
    const rows = await this.db.query(
      `SELECT DISTINCT COALESCE(merged_into, id) AS id FROM contacts WHERE tenant_id = $1 AND (id = $2 OR display_name ILIKE $3) LIMIT $4`,
      [tenantId, s, `%${likeEscape(s)}%`, limit],
    );
    return rows.map((r) => r.id as string);
  }

  async search(tenantId: string, q: SearchQuery) {
    const params: unknown[] = [tenantId];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    const where: string[] = ['s.tenant_id = $1'];
    if (q.text) {
      // A term is the conversation's own (customer, agent, robot non-answer text) or in a knowledge answer it was given.
      const term = (cond: string) => `(s.conversation_id IN (SELECT conversation_id FROM conversation_terms WHERE tenant_id = $1 AND ${cond})
        OR s.entry_ids && ARRAY(SELECT entry_id FROM conversation_entry_terms WHERE tenant_id = $1 AND ${cond}))`;
      for (const t of q.text.exact) where.push(term(`term = ${p(t)}`));
      for (const t of q.text.prefix) where.push(term(`term LIKE ${p(`${likeEscape(t)}%`)}`));
      for (const piece of q.text.pieces) where.push(`s.body LIKE ${p(`%${likeEscape(piece)}%`)}`);
    }
    if (q.contactIds) where.push(`c.contact_id = ANY(${p(q.contactIds)}::text[])`);
    if (q.agentId) where.push(`s.agent_ids @> ARRAY[${p(q.agentId)}]::text[]`);
    if (q.entryId) where.push(`s.entry_ids @> ARRAY[${p(q.entryId)}]::text[]`);
    if (q.rating !== undefined) where.push(`s.rating = ${p(q.rating)}`);
    if (q.from) where.push(`s.started_at >= ${p(q.from.toISOString())}`);
    if (q.to) where.push(`s.started_at < ${p(q.to.toISOString())}`);
    if (q.channel) where.push(`s.channel = ${p(q.channel)}`);
    if (q.botId) where.push(`s.bot_id = ${p(q.botId)}`);
    if (q.outcome === 'robot') where.push('NOT s.handoff');
    if (q.outcome === 'handoff') where.push('s.handoff');
    if (q.outcome === 'fallback') where.push('s.fallback');
    if (q.outcome === 'clarify') where.push('s.clarify');
    const from = `FROM conversation_search s JOIN conversations c ON c.id = s.conversation_id WHERE ${where.join(' AND ')}`;
    // The count needs the conversations table only to filter by customer.
    const countFrom = q.contactIds ? from : `FROM conversation_search s WHERE ${where.join(' AND ')}`;
    const filterParams = [...params];
    const rows = await this.db.query(
      `SELECT s.conversation_id, s.bot_id, s.channel, s.started_at, s.last_at, s.first_question, s.messages, s.handoff, s.fallback, s.clarify,
         s.agent_ids, s.entry_ids, s.rating, c.status, c.contact_id, ct.display_name AS contact_name,
         (SELECT COALESCE(json_agg(json_build_object('id', u.id, 'name', u.display_name)), '[]'::json) FROM users u WHERE u.id = ANY(s.agent_ids) AND u.tenant_id = s.tenant_id) AS agents
       ${from.replace('WHERE', 'LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE')}
       ORDER BY s.started_at DESC, s.conversation_id DESC LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
      params,
    );
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM (SELECT 1 ${countFrom} LIMIT ${COUNT_CAP + 1}) x`, filterParams);
    const items: SearchHit[] = rows.map((r) => ({
      conversationId: r.conversation_id, botId: r.bot_id, channel: r.channel, startedAt: new Date(r.started_at), lastAt: new Date(r.last_at),
      firstQuestion: r.first_question, messages: r.messages, handoff: r.handoff, fallback: r.fallback, clarify: r.clarify,
      agentIds: r.agent_ids ?? [], entryIds: r.entry_ids ?? [], rating: r.rating, status: r.status, contactId: r.contact_id ?? null,
      contactName: r.contact_name ?? null, agents: typeof r.agents === 'string' ? JSON.parse(r.agents) : (r.agents ?? []),
    }));
    return { items, total: Number(n) };
  }
}
