import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row } from './db.ts';

/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WASM) in a folder, or in memory when dir is undefined.
 * PGlite is one connection: its own mutex serializes transactions against other queries.
 */
export async function openPgliteDb(dir?: string): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true });
  const pg = new PGlite(dir);
  await pg.waitReady;
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T extends Row = Row>(sql: string, params: unknown[] = []) {
      const r = await q.query<T>(sql, params as any[]);
      return r.rows;
    },
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    query: base.query,
    tx: (fn) => pg.transaction((t) => fn(wrap(t))),
    // Idempotent: the composition root and a test harness may both close the same database.
    close: async () => {
      if (!pg.closed) await pg.close();
    },
  };
}
