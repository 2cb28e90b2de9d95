import pg from 'pg';
import type { Db, Queryable, Row } from './db.ts';

// int8 (bigint) and numeric come back as strings by default; our bigints (counts, sums) fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export async function openPostgresDb(url: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // An idle client whose server connection drops (restart, failover, a DBA's terminate) emits 'error' on the pool;
  // unhandled, that would crash the process. The pool discards that client and the next query reconnects.
  pool.on('error', () => {});
  let ended = false;
  // Fail fast with a clear message when the server is not there.
  const c = await pool.connect();
  c.release();
  return {
    kind: 'postgres',
    async query<T extends Row = Row>(sql: string, params: unknown[] = []) {
      const r = await pool.query(sql, params as any[]);
      return r.rows as T[];
    },
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const q: Queryable = {
          async query<T extends Row = Row>(sql: string, params: unknown[] = []) {
            const r = await client.query(sql, params as any[]);
            return r.rows as T[];
          },
        };
        const out = await fn(q);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: async () => {
      if (ended) return;
      ended = true;
      await pool.end();
    },
  };
}
