import type { Queryable } from '../../storage/db.ts';

/**
 * A cheap fingerprint of a bot's knowledge working copy, for the test console's draft model cache: it changes when
 * an entry is created, edited, archived or restored (count and update times of the entries not archived), when a
 * synonym set changes, or when a flow is edited or toggled. One aggregate query per table, whatever the entry count.
 */
export class PgWorkingCopyFingerprint {
  constructor(private db: Queryable) {}

  async of(tenantId: string, botId: string): Promise<string> {
    const [e] = await this.db.query(
      `SELECT count(*)::int AS n, COALESCE(max(updated_at)::text, '') AS m, COALESCE(sum(extract(epoch FROM updated_at))::text, '') AS s
       FROM kb_entries WHERE tenant_id = $1 AND bot_id = $2 AND status <> 'archived'`,
      [tenantId, botId],
    );
    const [syn] = await this.db.query(
      `SELECT COALESCE(string_agg(array_to_string(words, ','), ';' ORDER BY id), '') AS w FROM kb_synonyms WHERE tenant_id = $1 AND bot_id = $2`,
      [tenantId, botId],
    );
    const [f] = await this.db.query(
      `SELECT COALESCE(string_agg(id || '@' || version || ':' || enabled::text || ':' || updated_at::text, ';' ORDER BY id), '') AS f
       FROM flows WHERE tenant_id = $1 AND bot_id = $2`,
      [tenantId, botId],
    );
    return `${e.n}|${e.m}|${e.s}|${syn.w}|${f.f}`;
  }
}
