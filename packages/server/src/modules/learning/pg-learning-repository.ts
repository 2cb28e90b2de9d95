import type { Queryable, Row } from '../../storage/db.ts';
import type { AnswerCount, LearningQuestion, LearningRepository, QuestionStatus } from './learning-repository.ts';

const questionOf = (r: Row): LearningQuestion => ({
  id: r.id, tenantId: r.tenant_id, botId: r.bot_id, text: r.text, normalized: r.normalized, lang: r.lang,
  score: r.score === null ? null : Number(r.score), decision: r.decision, conversationId: r.conversation_id ?? null,
  status: r.status, at: new Date(r.at),
});

/** The learning adapter (PostgreSQL and PGlite). */
export class PgLearningRepository implements LearningRepository {
  constructor(private db: Queryable) {}

  async insertQuestions(qs: Omit<LearningQuestion, 'status'>[]) {
    if (!qs.length) return;
    const col = <K extends keyof (typeof qs)[number]>(k: K) => qs.map((q) => q[k]);
    await this.db.query(
      `INSERT INTO learning_questions(id, tenant_id, bot_id, text, normalized, lang, score, decision, conversation_id, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::text[], $10::timestamptz[])`,
      [col('id'), col('tenantId'), col('botId'), col('text'), col('normalized'), col('lang'), col('score'), col('decision'), col('conversationId'), qs.map((q) => q.at.toISOString())],
    );
  }

  async openQuestions(tenantId: string, botId: string, opts: { since: Date; limit: number }) {
    const rows = await this.db.query(
      `SELECT * FROM (SELECT * FROM learning_questions WHERE tenant_id = $1 AND bot_id = $2 AND status = 'open' AND at >= $3
         ORDER BY at DESC, id DESC LIMIT $4) q ORDER BY at, id`,
      [tenantId, botId, opts.since, opts.limit],
    );
    return rows.map(questionOf);
  }

  async findOpen(tenantId: string, botId: string, ids: string[]) {
    const rows = await this.db.query(
      `SELECT * FROM learning_questions WHERE tenant_id = $1 AND bot_id = $2 AND status = 'open' AND id = ANY($3::text[]) ORDER BY at, id`,
      [tenantId, botId, ids],
    );
    return rows.map(questionOf);
  }

  async resolve(tenantId: string, botId: string, ids: string[], to: Exclude<QuestionStatus, 'open'>, resolution: string | null, by: string, at: Date) {
    const rows = await this.db.query(
      `UPDATE learning_questions SET status = $4, resolution = $5, handled_by = $6, handled_at = $7
       WHERE tenant_id = $1 AND bot_id = $2 AND status = 'open' AND id = ANY($3::text[]) RETURNING id`,
      [tenantId, botId, ids, to, resolution, by, at],
    );
    return rows.length;
  }

  async answerCounts(tenantId: string, botId: string, opts: { from: string; to: string; period: 'day' | 'week' }): Promise<AnswerCount[]> {
    const rows = await this.db.query(
      `SELECT to_char(date_trunc($5, day::timestamp), 'YYYY-MM-DD') AS period, key AS entry_id, SUM(hits)::int AS count
       FROM analytics_hits_daily WHERE tenant_id = $1 AND bot_id = $2 AND channel = '' AND kind = 'entry' AND day >= $3::date AND day <= $4::date
       GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2`,
      [tenantId, botId, opts.from, opts.to, opts.period],
    );
    return rows.map((r) => ({ period: r.period, entryId: r.entry_id, count: Number(r.count) }));
  }

  async topAnswered(tenantId: string, botId: string, from: string, limit: number) {
    const rows = await this.db.query(
      `SELECT key AS entry_id, SUM(hits)::int AS count FROM analytics_hits_daily
       WHERE tenant_id = $1 AND bot_id = $2 AND channel = '' AND kind = 'entry' AND day >= $3::date GROUP BY key ORDER BY 2 DESC, 1 LIMIT $4`,
      [tenantId, botId, from, limit],
    );
    return rows.map((r) => ({ entryId: r.entry_id, count: Number(r.count) }));
  }
}
