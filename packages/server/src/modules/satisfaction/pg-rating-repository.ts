import type { Db, Row } from '../../storage/db.ts';
import type { Rating, RatingFilter, RatingGroup, RatingRepository, SummaryBy } from './rating-repository.ts';

const rating = (r: Row): Rating => ({
  conversationId: r.conversation_id, tenantId: r.tenant_id, botId: r.bot_id, channel: r.channel,
  agentId: r.agent_id, agentName: r.agent_name, group: r.skill_group, score: Number(r.score), comment: r.comment,
  revision: Number(r.revision), eventSeq: Number(r.event_seq), createdAt: new Date(r.created_at), ratedAt: new Date(r.rated_at),
});

/** WHERE clauses of a filter, numbered from $2 ($1 is the tenant). */
function where(f: RatingFilter, params: unknown[]): string {
  const parts = ['r.tenant_id = $1'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.from) add('r.rated_at >= ?', f.from);
  if (f.to) add('r.rated_at < ?', f.to);
  if (f.botId) add('r.bot_id = ?', f.botId);
  if (f.agentId) add('r.agent_id = ?', f.agentId);
  if (f.group) add('r.skill_group = ?', f.group);
  return parts.join(' AND ');
}

const KEY: Record<SummaryBy, { key: string; label: string; join: string }> = {
  bot: { key: 'r.bot_id', label: 'max(b.name)', join: 'JOIN bots b ON b.id = r.bot_id' },
  // An agent's latest display name (names can change; the id is the key).
  agent: { key: 'r.agent_id', label: '(array_agg(r.agent_name ORDER BY r.rated_at DESC))[1]', join: '' },
  group: { key: 'r.skill_group', label: 'r.skill_group', join: '' },
};

export class PgRatingRepository implements RatingRepository {
  constructor(private db: Db) {}

  async upsert(r: Omit<Rating, 'createdAt'>) {
    const [row] = await this.db.query(
      `INSERT INTO ratings AS x (conversation_id, tenant_id, bot_id, channel, agent_id, agent_name, skill_group, score, comment, revision, event_seq, created_at, rated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)
       ON CONFLICT (conversation_id) DO UPDATE SET
         agent_id = EXCLUDED.agent_id, agent_name = EXCLUDED.agent_name, skill_group = EXCLUDED.skill_group,
         score = EXCLUDED.score, comment = EXCLUDED.comment, revision = EXCLUDED.revision,
         event_seq = EXCLUDED.event_seq, rated_at = EXCLUDED.rated_at
       WHERE x.event_seq < EXCLUDED.event_seq
       RETURNING *`,
      [r.conversationId, r.tenantId, r.botId, r.channel, r.agentId, r.agentName, r.group, r.score, r.comment, r.revision, r.eventSeq, r.ratedAt],
    );
    return row ? rating(row) : null;
  }

  async find(tenantId: string, conversationId: string) {
    const [row] = await this.db.query('SELECT * FROM ratings WHERE tenant_id = $1 AND conversation_id = $2', [tenantId, conversationId]);
    return row ? rating(row) : null;
  }

  async list(tenantId: string, f: RatingFilter & { limit: number; before?: Date }) {
    const params: unknown[] = [tenantId];
    let sql = `SELECT r.* FROM ratings r WHERE ${where(f, params)}`;
    if (f.before) {
      params.push(f.before);
      sql += ` AND r.rated_at < $${params.length}`;
    }
    params.push(f.limit);
    sql += ` ORDER BY r.rated_at DESC, r.conversation_id DESC LIMIT $${params.length}`;
    return (await this.db.query(sql, params)).map(rating);
  }

  async summary(tenantId: string, by: SummaryBy, f: RatingFilter): Promise<RatingGroup[]> {
    const params: unknown[] = [tenantId];
    const k = KEY[by];
    const rows = await this.db.query(
      `SELECT ${k.key} AS key, ${k.label} AS label, count(*)::int AS n, sum(r.score)::int AS total,
         count(*) FILTER (WHERE r.score = 1)::int AS s1, count(*) FILTER (WHERE r.score = 2)::int AS s2,
         count(*) FILTER (WHERE r.score = 3)::int AS s3, count(*) FILTER (WHERE r.score = 4)::int AS s4,
         count(*) FILTER (WHERE r.score = 5)::int AS s5
       FROM ratings r ${k.join} WHERE ${where(f, params)} GROUP BY ${k.key} ORDER BY n DESC, key NULLS LAST`,
      params,
    );
    return rows.map((r) => ({
      key: r.key ?? null, label: r.label ?? null, count: Number(r.n), sum: Number(r.total),
      distribution: [Number(r.s1), Number(r.s2), Number(r.s3), Number(r.s4), Number(r.s5)],
    }));
  }
}
