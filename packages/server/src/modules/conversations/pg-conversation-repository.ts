import type { Queryable, Row } from '../../storage/db.ts';
import type { Conversation, ConversationRepository, ConversationStatus, NewEvent, StoredEvent } from './conversation-repository.ts';

const convOf = (r: any): Conversation => ({
  id: r.id, tenantId: r.tenant_id, botId: r.bot_id, channel: r.channel, status: r.status, state: r.state ?? {},
  lastSeq: r.last_seq, contactId: r.contact_id ?? null, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});
const eventOf = (r: any): StoredEvent => ({
  conversationId: r.conversation_id, seq: r.seq, type: r.type, payload: r.payload, clientMsgId: r.client_msg_id ?? undefined,
  createdAt: new Date(r.created_at),
});

/**
 * appendUnchecked inside the caller's transaction (the human-service module changes its own tables and appends the
 * matching event in one transaction). Locks the conversation row until the transaction ends.
 */
export async function appendAfterLatest(
  q: Queryable, tenantId: string, id: string, events: NewEvent[], opts: { status?: ConversationStatus; onlyIf?: ConversationStatus[] } = {},
): Promise<{ conversation: Conversation; stored: StoredEvent[] } | null> {
  const rows = await q.query(
    `WITH c AS (
       UPDATE conversations SET last_seq = last_seq + $3, status = COALESCE($4, status), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND ($5::text[] IS NULL OR status = ANY($5))
       RETURNING *
     ), e AS (
       INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload, client_msg_id)
       SELECT c.id, c.last_seq - $3 + x.ord::int, c.tenant_id, x.ev->>'type', x.ev->'payload', x.ev->>'clientMsgId'
       FROM c, jsonb_array_elements($6::jsonb) WITH ORDINALITY AS x(ev, ord)
       RETURNING seq, created_at
     )
     SELECT c.*, (SELECT min(seq) FROM e) AS first_seq, (SELECT max(created_at) FROM e) AS appended_at FROM c`,
    [tenantId, id, events.length, opts.status ?? null, opts.onlyIf ?? null, JSON.stringify(events)],
  );
  const r = rows[0];
  if (!r) return null;
  const conversation = convOf(r);
  const at = new Date(r.appended_at ?? r.updated_at);
  const first = Number(r.first_seq ?? conversation.lastSeq + 1);
  return { conversation, stored: events.map((e, i) => ({ ...e, conversationId: id, seq: first + i, createdAt: at })) };
}

type PendingAppend = {
  tenantId: string; id: string; expectedSeq: number; events: NewEvent[];
  next: { state: Record<string, unknown>; status: ConversationStatus };
  resolve(v: StoredEvent[] | null): void; reject(err: unknown): void;
};
/** Most appends written in one statement. */
const MAX_BATCH = 64;

export class PgConversationRepository implements ConversationRepository {
  private queue: PendingAppend[] = [];
  private flushing = false;
  constructor(private db: Queryable) {}

  async create(c: Pick<Conversation, 'id' | 'tenantId' | 'botId' | 'channel'>, first?: NewEvent) {
    if (!first) {
      const [r] = await this.db.query(
        'INSERT INTO conversations(id, tenant_id, bot_id, channel) VALUES ($1,$2,$3,$4) RETURNING *',
        [c.id, c.tenantId, c.botId, c.channel],
      );
      return convOf(r);
    }
    // The conversation and its first event in one statement: a new session costs one round trip.
    const [r] = await this.db.query(
      `WITH c AS (INSERT INTO conversations(id, tenant_id, bot_id, channel, last_seq) VALUES ($1,$2,$3,$4,1) RETURNING *),
            e AS (INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload) SELECT id, 1, tenant_id, $5, $6 FROM c)
       SELECT * FROM c`,
      [c.id, c.tenantId, c.botId, c.channel, first.type, JSON.stringify(first.payload)],
    );
    return convOf(r);
  }

  async find(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM conversations WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? convOf(r) : null;
  }

  async findById(id: string) {
    const [r] = await this.db.query('SELECT * FROM conversations WHERE id = $1', [id]);
    return r ? convOf(r) : null;
  }

  append(tenantId: string, id: string, expectedSeq: number, events: NewEvent[], next: { state: Record<string, unknown>; status: ConversationStatus }): Promise<StoredEvent[] | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ tenantId, id, expectedSeq, events, next, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * Group commit: appends that arrive while a write is in flight go out together in one statement. The fixed cost
   * of a statement (parse, plan, commit) is most of an append's cost, so under load this multiplies throughput,
   * and a lone append is written at once. A batch holds at most one append per conversation (the next waits for
   * the next batch, where its sequence check decides). Each caller still resolves only after its write committed.
   */
  private async flush() {
    this.flushing = true;
    try {
      while (this.queue.length) {
        // Let the event loop take in requests that arrived meanwhile, so that their appends join this batch
        // (PGlite runs a statement synchronously: without this yield every batch would hold one append).
        await new Promise((r) => setImmediate(r));
        const batch: PendingAppend[] = [];
        const rest: PendingAppend[] = [];
        const ids = new Set<string>();
        for (const p of this.queue) {
          if (batch.length < MAX_BATCH && !ids.has(p.id)) {
            ids.add(p.id);
            batch.push(p);
          } else rest.push(p);
        }
        this.queue = rest;
        await this.writeBatch(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(batch: PendingAppend[]) {
    if (batch.length === 1) {
      const [p] = batch;
      return this.appendOne(p).then(p.resolve, p.reject);
    }
    let rows: Row[];
    try {
      rows = await this.db.query(
        `WITH input AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, tenant_id text, expected int, n int, state jsonb, status text, events jsonb)
         ), c AS (
           UPDATE conversations SET last_seq = conversations.last_seq + input.n, state = input.state, status = input.status, updated_at = now()
           FROM input WHERE conversations.id = input.id AND conversations.tenant_id = input.tenant_id AND conversations.last_seq = input.expected
           RETURNING conversations.id, conversations.tenant_id, conversations.last_seq, input.n, input.events
         )
         INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload, client_msg_id)
         SELECT c.id, c.last_seq - c.n + e.ord::int, c.tenant_id, e.ev->>'type', e.ev->'payload', e.ev->>'clientMsgId'
         FROM c, jsonb_array_elements(c.events) WITH ORDINALITY AS e(ev, ord)
         RETURNING conversation_id, seq, created_at`,
        [JSON.stringify(batch.map((p) => ({
          id: p.id, tenant_id: p.tenantId, expected: p.expectedSeq, n: p.events.length, state: p.next.state, status: p.next.status, events: p.events,
        })))],
      );
    } catch {
      // One bad append (a re-sent client message id) fails the whole statement: write them one by one, so only
      // that one fails.
      for (const p of batch) await this.appendOne(p).then(p.resolve, p.reject);
      return;
    }
    const firstSeq = new Map<string, { seq: number; at: Date }>();
    for (const r of rows) {
      const cur = firstSeq.get(r.conversation_id);
      if (!cur || r.seq < cur.seq) firstSeq.set(r.conversation_id, { seq: r.seq, at: new Date(r.created_at) });
    }
    for (const p of batch) {
      const f = firstSeq.get(p.id);
      p.resolve(f ? p.events.map((e, i) => ({ ...e, conversationId: p.id, seq: f.seq + i, createdAt: f.at })) : null);
    }
  }

  private async appendOne({ tenantId, id, expectedSeq, events, next }: PendingAppend): Promise<StoredEvent[] | null> {
    // One statement: bump last_seq only if unchanged, then insert the events numbered after it. Atomic without an
    // explicit transaction, and one round trip per turn.
    const rows = await this.db.query(
      `WITH c AS (
         UPDATE conversations SET last_seq = last_seq + $4, state = $5, status = $6, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND last_seq = $3
         RETURNING last_seq
       )
       INSERT INTO conversation_events(conversation_id, seq, tenant_id, type, payload, client_msg_id)
       SELECT $2, c.last_seq - $4 + x.ord::int, $1, x.ev->>'type', x.ev->'payload', x.ev->>'clientMsgId'
       FROM c, jsonb_array_elements($7::jsonb) WITH ORDINALITY AS x(ev, ord)
       RETURNING seq, created_at`,
      [tenantId, id, expectedSeq, events.length, JSON.stringify(next.state), next.status, JSON.stringify(events)],
    );
    if (rows.length === 0) return null;
    // Only the numbers come back: the caller already holds the payloads (parsing them back costs a turn's time).
    const first = Math.min(...rows.map((r) => r.seq as number));
    const createdAt = new Date(rows[0].created_at);
    return events.map((e, i) => ({ ...e, conversationId: id, seq: first + i, createdAt }));
  }

  appendUnchecked(tenantId: string, id: string, events: NewEvent[], opts?: { status?: ConversationStatus; onlyIf?: ConversationStatus[] }) {
    return appendAfterLatest(this.db, tenantId, id, events, opts);
  }

  async events(tenantId: string, id: string, opts: { afterSeq?: number; types?: string[]; limit?: number } = {}) {
    const rows = await this.db.query(
      `SELECT * FROM conversation_events WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3
         AND ($4::text[] IS NULL OR type = ANY($4)) ORDER BY seq LIMIT $5`,
      [tenantId, id, opts.afterSeq ?? 0, opts.types ?? null, Math.min(opts.limit ?? 1000, 5000)],
    );
    return rows.map(eventOf);
  }

  async findSeqByClientMsgId(id: string, clientMsgId: string) {
    const [r] = await this.db.query('SELECT seq FROM conversation_events WHERE conversation_id = $1 AND client_msg_id = $2', [id, clientMsgId]);
    return r ? (r.seq as number) : null;
  }

  async list(tenantId: string, opts: { botId?: string; status?: ConversationStatus; limit?: number; before?: Date }) {
    const rows = await this.db.query(
      `SELECT * FROM conversations WHERE tenant_id = $1 AND ($2::text IS NULL OR bot_id = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::timestamptz IS NULL OR created_at < $4) ORDER BY created_at DESC LIMIT $5`,
      [tenantId, opts.botId ?? null, opts.status ?? null, opts.before?.toISOString() ?? null, Math.min(opts.limit ?? 50, 500)],
    );
    return rows.map(convOf);
  }
}
