import type { Queryable } from '../../storage/db.ts';
import type { Conversation, ConversationRepository, ConversationStatus, NewEvent, StoredEvent } from './conversation-repository.ts';

const convOf = (r: any): Conversation => ({
  id: r.id, tenantId: r.tenant_id, botId: r.bot_id, channel: r.channel, status: r.status, state: r.state ?? {},
  lastSeq: r.last_seq, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});
const eventOf = (r: any): StoredEvent => ({
  conversationId: r.conversation_id, seq: r.seq, type: r.type, payload: r.payload, clientMsgId: r.client_msg_id ?? undefined,
  createdAt: new Date(r.created_at),
});

export class PgConversationRepository implements ConversationRepository {
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

  async append(tenantId: string, id: string, expectedSeq: number, events: NewEvent[], next: { state: Record<string, unknown>; status: ConversationStatus }) {
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
