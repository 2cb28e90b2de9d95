/**
 * Builds the conversation search index (conversation_search, conversation_terms) for conversations that have no
 * row yet: those written before migration 015, or bulk-loaded straight into the tables (npm run seed:volume).
 * Running servers keep the index current by themselves; this is for the data they never saw.
 *
 *   npm run reindex:conversations            (DATABASE_URL, else the PGlite folder in LINGXI_DATA_DIR)
 */
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config.ts';
import { migrate } from '../../storage/migrate.ts';
import { openPgliteDb } from '../../storage/pglite-db.ts';
import { openPostgresDb } from '../../storage/pg-db.ts';
import { ConversationIndexer } from './conversation-index.ts';
import { PgConversationSearchRepository } from './pg-search-repository.ts';

const config = loadConfig(process.env);
const db = config.DATABASE_URL ? await openPostgresDb(config.DATABASE_URL) : await openPgliteDb(join(resolve(config.LINGXI_DATA_DIR), 'pg'));
try {
  await migrate(db);
  const t0 = Date.now();
  const n = await new ConversationIndexer(new PgConversationSearchRepository(db)).backfill();
  process.stdout.write(`indexed ${n} conversations in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
} finally {
  await db.close();
}
