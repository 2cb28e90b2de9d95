import type { Queryable, Row } from '../../storage/db.ts';
import type { KnowledgeSnapshot } from './knowledge-snapshot.ts';
import type {
  Category, Entry, EntryComment, EntryQuery, EntryRecord, EntryStatus, KnowledgeRepository, SynonymSet, Version, VersionInfo,
} from './knowledge-repository.ts';

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const json = <T>(v: unknown, fallback: T): T => (v === null || v === undefined ? fallback : typeof v === 'string' ? JSON.parse(v) : (v as T));

const categoryOf = (r: Row): Category => ({
  id: r.id, botId: r.bot_id, parentId: r.parent_id ?? null, name: r.name, sort: Number(r.sort), createdAt: date(r.created_at)!,
});

const entryOf = (r: Row): Entry => ({
  id: r.id,
  botId: r.bot_id,
  externalId: r.external_id,
  categoryId: r.category_id ?? null,
  question: r.question,
  similar: json<string[]>(r.similar_questions, []),
  answer: r.answer,
  answerHtml: r.answer_html ?? null,
  channelAnswers: json(r.channel_answers, {}),
  tags: r.tags ?? [],
  related: json<string[]>(r.related, []),
  validFrom: date(r.valid_from),
  validTo: date(r.valid_to),
  status: r.status,
  updatedBy: r.updated_by ?? null,
  createdAt: date(r.created_at)!,
  updatedAt: date(r.updated_at)!,
  submittedBy: r.submitted_by ?? null,
  submittedAt: date(r.submitted_at),
});

const commentOf = (r: Row): EntryComment => ({
  id: r.id, entryId: r.entry_id, author: r.author, authorName: r.author_name ?? null, action: r.action, text: r.text, createdAt: date(r.created_at)!,
});

const SORT_COLUMNS = { createdAt: 'created_at', updatedAt: 'updated_at', question: 'question' } as const;

const synonymOf = (r: Row): SynonymSet => ({ id: r.id, botId: r.bot_id, words: r.words, createdAt: date(r.created_at)! });

const versionInfoOf = (r: Row): VersionInfo => ({
  version: Number(r.version), note: r.note ?? null, createdBy: r.created_by ?? null, createdAt: date(r.created_at)!, entryCount: Number(r.entry_count ?? 0),
  ...(r.created_by_name !== undefined ? { createdByName: r.created_by_name ?? null } : {}),
});

/** Escapes LIKE metacharacters so a search for "100%" means the text "100%". */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const ENTRY_COLUMNS = `id, tenant_id, bot_id, external_id, category_id, question, similar_questions, answer, answer_html, channel_answers, tags,
  related, valid_from, valid_to, status, updated_by, created_at, updated_at`;

const toJsonRow = (e: EntryRecord, at: Date, ord: number) => ({
  ord,
  id: e.id,
  external_id: e.externalId,
  category_id: e.categoryId,
  question: e.question,
  similar_questions: e.similar,
  answer: e.answer,
  answer_html: e.answerHtml,
  channel_answers: e.channelAnswers,
  tags: e.tags,
  related: e.related,
  valid_from: e.validFrom?.toISOString() ?? null,
  valid_to: e.validTo?.toISOString() ?? null,
  status: e.status,
  updated_by: e.updatedBy,
  at: at.toISOString(),
});

export class PgKnowledgeRepository implements KnowledgeRepository {
  constructor(private db: Queryable) {}

  bind(q: Queryable): KnowledgeRepository {
    return new PgKnowledgeRepository(q);
  }

  // ---- categories

  async listCategories(tenantId: string, botId: string) {
    const rows = await this.db.query('SELECT * FROM kb_categories WHERE tenant_id = $1 AND bot_id = $2 ORDER BY sort, name, id', [tenantId, botId]);
    return rows.map(categoryOf);
  }
  async findCategory(tenantId: string, botId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM kb_categories WHERE tenant_id = $1 AND bot_id = $2 AND id = $3', [tenantId, botId, id]);
    return r ? categoryOf(r) : null;
  }
  async findCategoryByName(tenantId: string, botId: string, parentId: string | null, name: string) {
    const [r] = await this.db.query(
      `SELECT * FROM kb_categories WHERE tenant_id = $1 AND bot_id = $2 AND COALESCE(parent_id, '') = COALESCE($3::text, '') AND name = $4`,
      [tenantId, botId, parentId, name],
    );
    return r ? categoryOf(r) : null;
  }
  async insertCategory(tenantId: string, c: Omit<Category, 'createdAt'>) {
    await this.db.query('INSERT INTO kb_categories(id, tenant_id, bot_id, parent_id, name, sort) VALUES ($1,$2,$3,$4,$5,$6)', [
      c.id, tenantId, c.botId, c.parentId, c.name, c.sort,
    ]);
  }
  async updateCategory(tenantId: string, botId: string, id: string, patch: { name?: string; parentId?: string | null; sort?: number }) {
    const rows = await this.db.query(
      `UPDATE kb_categories SET name = COALESCE($4, name), sort = COALESCE($5, sort),
         parent_id = CASE WHEN $6::boolean THEN $7::text ELSE parent_id END
       WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING id`,
      [tenantId, botId, id, patch.name ?? null, patch.sort ?? null, patch.parentId !== undefined, patch.parentId ?? null],
    );
    return rows.length > 0;
  }
  async deleteCategory(tenantId: string, botId: string, id: string) {
    const rows = await this.db.query('DELETE FROM kb_categories WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING id', [tenantId, botId, id]);
    return rows.length > 0;
  }
  async categoryUsage(tenantId: string, botId: string, id: string) {
    const [r] = await this.db.query(
      `SELECT (SELECT count(*) FROM kb_categories WHERE tenant_id = $1 AND bot_id = $2 AND parent_id = $3) AS children,
              (SELECT count(*) FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND category_id = $3 AND status <> 'archived') AS entries`,
      [tenantId, botId, id],
    );
    return { children: Number(r.children), entries: Number(r.entries) };
  }
  async entryCounts(tenantId: string, botId: string) {
    const rows = await this.db.query(
      `SELECT category_id, count(*) AS n FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND status <> 'archived' AND category_id IS NOT NULL
       GROUP BY category_id`,
      [tenantId, botId],
    );
    return new Map(rows.map((r) => [r.category_id as string, Number(r.n)]));
  }
  async detachArchivedEntries(tenantId: string, botId: string, categoryId: string) {
    await this.db.query(
      `UPDATE kb_entries SET category_id = NULL WHERE tenant_id = $1 AND bot_id = $2 AND category_id = $3 AND status = 'archived'`,
      [tenantId, botId, categoryId],
    );
  }

  // ---- entries

  async insertEntry(tenantId: string, botId: string, e: EntryRecord, at: Date) {
    await this.db.query(
      `INSERT INTO kb_entries(${ENTRY_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17)`,
      [
        e.id, tenantId, botId, e.externalId, e.categoryId, e.question, JSON.stringify(e.similar), e.answer, e.answerHtml,
        JSON.stringify(e.channelAnswers), e.tags, JSON.stringify(e.related), e.validFrom, e.validTo, e.status, e.updatedBy, at,
      ],
    );
  }

  async updateEntry(tenantId: string, botId: string, e: EntryRecord, at: Date) {
    const rows = await this.db.query(
      `UPDATE kb_entries SET external_id = $4, category_id = $5, question = $6, similar_questions = $7, answer = $8, answer_html = $9,
         channel_answers = $10, tags = $11, related = $12, valid_from = $13, valid_to = $14, status = $15, updated_by = $16, updated_at = $17
       WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING id`,
      [
        tenantId, botId, e.id, e.externalId, e.categoryId, e.question, JSON.stringify(e.similar), e.answer, e.answerHtml,
        JSON.stringify(e.channelAnswers), e.tags, JSON.stringify(e.related), e.validFrom, e.validTo, e.status, e.updatedBy, at,
      ],
    );
    return rows.length > 0;
  }

  async upsertEntries(tenantId: string, botId: string, es: EntryRecord[], at: Date) {
    // One statement per batch: the rows travel as one JSON document, which keeps a 10,000-row import fast on
    // both PGlite and PostgreSQL. New rows' created_at grows by a microsecond per row so that lists, exports and
    // snapshots keep the order of the file.
    for (let i = 0; i < es.length; i += 500) {
      const batch = es.slice(i, i + 500).map((e, j) => toJsonRow(e, at, i + j));
      await this.db.query(
        `INSERT INTO kb_entries(${ENTRY_COLUMNS})
         SELECT x.id, $1, $2, x.external_id, x.category_id, x.question, x.similar_questions, x.answer, x.answer_html, x.channel_answers,
                x.tags, x.related, x.valid_from, x.valid_to, x.status, x.updated_by, x.at + x.ord * interval '1 microsecond', x.at
         FROM jsonb_to_recordset($3::jsonb) AS x(ord integer, id text, external_id text, category_id text, question text, similar_questions jsonb,
              answer text, answer_html text, channel_answers jsonb, tags text[], related jsonb, valid_from timestamptz,
              valid_to timestamptz, status text, updated_by text, at timestamptz)
         ON CONFLICT (bot_id, external_id) DO UPDATE SET
           category_id = EXCLUDED.category_id, question = EXCLUDED.question, similar_questions = EXCLUDED.similar_questions, answer = EXCLUDED.answer,
           answer_html = EXCLUDED.answer_html, channel_answers = EXCLUDED.channel_answers, tags = EXCLUDED.tags,
           related = EXCLUDED.related, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to, status = EXCLUDED.status,
           updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
         WHERE kb_entries.tenant_id = EXCLUDED.tenant_id`,
        [tenantId, botId, JSON.stringify(batch)],
      );
    }
  }

  async findEntry(tenantId: string, botId: string, ref: string) {
    const rows = await this.db.query(
      'SELECT * FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND (id = $3 OR external_id = $3) ORDER BY (id = $3) DESC LIMIT 1',
      [tenantId, botId, ref],
    );
    return rows[0] ? entryOf(rows[0]) : null;
  }

  async existingExternalIds(tenantId: string, botId: string, externalIds: string[]) {
    if (externalIds.length === 0) return new Set<string>();
    const rows = await this.db.query<{ external_id: string }>(
      'SELECT external_id FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND external_id = ANY($3::text[])',
      [tenantId, botId, externalIds],
    );
    return new Set(rows.map((r) => r.external_id));
  }

  async listEntries(tenantId: string, botId: string, q: EntryQuery) {
    const params: unknown[] = [tenantId, botId];
    const where = ['tenant_id = $1', 'bot_id = $2'];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (q.q) {
      // search_text is lower(question || similar questions || answer) (migration 012): one column to scan.
      const like = p(`%${likeEscape(q.q.toLowerCase())}%`);
      where.push(`(search_text LIKE ${like} OR external_id = ${p(q.q)})`);
    }
    if (q.categoryIds) where.push(`category_id = ANY(${p(q.categoryIds)}::text[])`);
    if (q.statuses) where.push(`status = ANY(${p(q.statuses)}::text[])`);
    if (q.tag) where.push(`tags @> ARRAY[${p(q.tag)}]::text[]`);
    if (q.validAt) {
      const t = p(q.validAt);
      where.push(`(valid_from IS NULL OR valid_from <= ${t}) AND (valid_to IS NULL OR valid_to >= ${t})`);
    }
    if (q.validity) {
      const t = p(q.validity.now);
      if (q.validity.state === 'valid') where.push(`(valid_from IS NULL OR valid_from <= ${t}) AND (valid_to IS NULL OR valid_to >= ${t})`);
      else if (q.validity.state === 'expired') where.push(`valid_to < ${t}`);
      else where.push(`valid_from > ${t}`);
    }
    const w = where.join(' AND ');
    const col = SORT_COLUMNS[q.sort ?? 'createdAt'];
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const [c] = await this.db.query(`SELECT count(*) AS n FROM kb_entries WHERE ${w}`, params);
    const rows = await this.db.query(
      `SELECT * FROM kb_entries WHERE ${w} ORDER BY ${col} ${dir}, id ${dir} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
      params,
    );
    return { items: rows.map(entryOf), total: Number(c.n) };
  }

  async findEntriesByIds(tenantId: string, botId: string, ids: string[]) {
    if (ids.length === 0) return [];
    const rows = await this.db.query('SELECT * FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND id = ANY($3::text[]) ORDER BY created_at, id', [
      tenantId, botId, ids,
    ]);
    return rows.map(entryOf);
  }

  async setStatus(tenantId: string, botId: string, ids: string[], status: EntryStatus, actor: string, at: Date, submittedBy?: string) {
    if (ids.length === 0) return 0;
    const rows = await this.db.query(
      `UPDATE kb_entries SET status = $4, updated_by = $5, updated_at = $6,
         submitted_by = CASE WHEN $7::text IS NULL THEN submitted_by ELSE $7::text END,
         submitted_at = CASE WHEN $7::text IS NULL THEN submitted_at ELSE $6 END
       WHERE tenant_id = $1 AND bot_id = $2 AND id = ANY($3::text[]) RETURNING id`,
      [tenantId, botId, ids, status, actor, at, submittedBy ?? null],
    );
    return rows.length;
  }

  async setCategory(tenantId: string, botId: string, ids: string[], categoryId: string | null, actor: string, at: Date) {
    if (ids.length === 0) return 0;
    const rows = await this.db.query(
      'UPDATE kb_entries SET category_id = $4, updated_by = $5, updated_at = $6 WHERE tenant_id = $1 AND bot_id = $2 AND id = ANY($3::text[]) RETURNING id',
      [tenantId, botId, ids, categoryId, actor, at],
    );
    return rows.length;
  }

  async addTag(tenantId: string, botId: string, ids: string[], tag: string, actor: string, at: Date) {
    if (ids.length === 0) return 0;
    const rows = await this.db.query(
      `UPDATE kb_entries SET tags = array_append(tags, $4::text), updated_by = $5, updated_at = $6
       WHERE tenant_id = $1 AND bot_id = $2 AND id = ANY($3::text[]) AND NOT (tags @> ARRAY[$4::text]) RETURNING id`,
      [tenantId, botId, ids, tag, actor, at],
    );
    return rows.length;
  }

  async insertComments(tenantId: string, botId: string, cs: EntryComment[]) {
    if (cs.length === 0) return;
    await this.db.query(
      `INSERT INTO kb_entry_comments(id, tenant_id, bot_id, entry_id, author, author_name, action, text, created_at)
       SELECT x.id, $1, $2, x.entry_id, x.author, x.author_name, x.action, x.text, x.created_at
       FROM jsonb_to_recordset($3::jsonb) AS x(id text, entry_id text, author text, author_name text, action text, text text, created_at timestamptz)`,
      [tenantId, botId, JSON.stringify(cs.map((c) => ({ id: c.id, entry_id: c.entryId, author: c.author, author_name: c.authorName, action: c.action, text: c.text, created_at: c.createdAt.toISOString() })))],
    );
  }

  async listComments(tenantId: string, botId: string, entryId: string) {
    const rows = await this.db.query(
      'SELECT * FROM kb_entry_comments WHERE tenant_id = $1 AND bot_id = $2 AND entry_id = $3 ORDER BY created_at, id',
      [tenantId, botId, entryId],
    );
    return rows.map(commentOf);
  }

  async entriesWithStatus(tenantId: string, botId: string, statuses: EntryStatus[]) {
    const rows = await this.db.query(
      'SELECT * FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND status = ANY($3::text[]) ORDER BY created_at, id',
      [tenantId, botId, statuses],
    );
    return rows.map(entryOf);
  }

  async demoteEntriesNotIn(tenantId: string, botId: string, from: EntryStatus, to: EntryStatus, keep: string[], at: Date) {
    const rows = await this.db.query(
      `UPDATE kb_entries SET status = $4, updated_at = $6
       WHERE tenant_id = $1 AND bot_id = $2 AND status = $3 AND NOT (external_id = ANY($5::text[])) RETURNING id`,
      [tenantId, botId, from, to, keep, at],
    );
    return rows.length;
  }

  // ---- synonyms

  async listSynonyms(tenantId: string, botId: string) {
    const rows = await this.db.query('SELECT * FROM kb_synonyms WHERE tenant_id = $1 AND bot_id = $2 ORDER BY created_at, id', [tenantId, botId]);
    return rows.map(synonymOf);
  }
  async findSynonym(tenantId: string, botId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM kb_synonyms WHERE tenant_id = $1 AND bot_id = $2 AND id = $3', [tenantId, botId, id]);
    return r ? synonymOf(r) : null;
  }
  async insertSynonym(tenantId: string, s: Omit<SynonymSet, 'createdAt'>) {
    await this.db.query('INSERT INTO kb_synonyms(id, tenant_id, bot_id, words) VALUES ($1,$2,$3,$4)', [s.id, tenantId, s.botId, s.words]);
  }
  async updateSynonym(tenantId: string, botId: string, id: string, words: string[]) {
    const rows = await this.db.query('UPDATE kb_synonyms SET words = $4 WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING id', [
      tenantId, botId, id, words,
    ]);
    return rows.length > 0;
  }
  async deleteSynonym(tenantId: string, botId: string, id: string) {
    const rows = await this.db.query('DELETE FROM kb_synonyms WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 RETURNING id', [tenantId, botId, id]);
    return rows.length > 0;
  }
  async deleteAllSynonyms(tenantId: string, botId: string) {
    await this.db.query('DELETE FROM kb_synonyms WHERE tenant_id = $1 AND bot_id = $2', [tenantId, botId]);
  }

  // ---- versions

  async lockBot(tenantId: string, botId: string) {
    const rows = await this.db.query('SELECT id FROM bots WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, botId]);
    return rows.length > 0;
  }
  async maxVersion(tenantId: string, botId: string) {
    const [r] = await this.db.query('SELECT COALESCE(max(version), 0) AS v FROM kb_versions WHERE tenant_id = $1 AND bot_id = $2', [tenantId, botId]);
    return Number(r.v);
  }
  async insertVersion(tenantId: string, botId: string, v: { version: number; snapshot: KnowledgeSnapshot; note: string | null; createdBy: string | null; createdAt: Date }) {
    await this.db.query('INSERT INTO kb_versions(tenant_id, bot_id, version, snapshot, note, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)', [
      tenantId, botId, v.version, JSON.stringify(v.snapshot), v.note, v.createdBy, v.createdAt,
    ]);
  }
  async setPublishedVersion(tenantId: string, botId: string, version: number) {
    await this.db.query('UPDATE bots SET published_version = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, botId, version]);
  }
  async publishedVersion(tenantId: string, botId: string) {
    const [r] = await this.db.query('SELECT published_version FROM bots WHERE tenant_id = $1 AND id = $2', [tenantId, botId]);
    return r?.published_version ?? null;
  }
  async listVersions(tenantId: string, botId: string) {
    const rows = await this.db.query(
      `SELECT v.version, v.note, v.created_by, v.created_at, jsonb_array_length(v.snapshot->'entries') AS entry_count, u.display_name AS created_by_name
       FROM kb_versions v LEFT JOIN users u ON u.tenant_id = v.tenant_id AND v.created_by = 'user:' || u.id
       WHERE v.tenant_id = $1 AND v.bot_id = $2 ORDER BY v.version DESC`,
      [tenantId, botId],
    );
    return rows.map(versionInfoOf);
  }
  async getVersion(tenantId: string, botId: string, version: number): Promise<Version | null> {
    const [r] = await this.db.query(
      `SELECT *, jsonb_array_length(snapshot->'entries') AS entry_count FROM kb_versions WHERE tenant_id = $1 AND bot_id = $2 AND version = $3`,
      [tenantId, botId, version],
    );
    return r ? { ...versionInfoOf(r), snapshot: json<KnowledgeSnapshot>(r.snapshot, { version, entries: [], synonyms: [] }) } : null;
  }
  async isLive(tenantId: string, botId: string, externalId: string) {
    // Containment is evaluated inside the database: the snapshot (up to 50,000 entries) never travels to this process.
    const [r] = await this.db.query(
      `SELECT EXISTS (
         SELECT 1 FROM bots b JOIN kb_versions v ON v.tenant_id = b.tenant_id AND v.bot_id = b.id AND v.version = b.published_version
         WHERE b.tenant_id = $1 AND b.id = $2 AND v.snapshot->'entries' @> jsonb_build_array(jsonb_build_object('id', $3::text))
       ) AS live`,
      [tenantId, botId, externalId],
    );
    return r.live === true;
  }
}
