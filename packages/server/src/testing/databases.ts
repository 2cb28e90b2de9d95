import pg from 'pg';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.ts';
import { openPgliteDb } from '../storage/pglite-db.ts';
import { openPostgresDb } from '../storage/pg-db.ts';
import { migrate } from '../storage/migrate.ts';

/** Where the integration tests find PostgreSQL (the CI machine's local server, trust auth). */
export const TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

let pgAvailable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  return (pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      return false;
    }
  })());
}

/** Whether Redis answers at TEST_REDIS_URL (a quick probe, no retries). */
export async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * A fresh, empty, migrated PostgreSQL database for one test file; dropped by the returned cleanup.
 * Absent server: in CI a failure, elsewhere a visible skip (the caller gets null).
 */
export async function freshPostgres(): Promise<{ url: string; db: Db; drop(): Promise<void> } | null> {
  if (!(await postgresAvailable())) {
    if (IN_CI) throw new Error(`PostgreSQL is required in CI but not reachable at ${TEST_PG_ADMIN_URL}`);
    console.log(`# SKIP PostgreSQL tests: no server at ${TEST_PG_ADMIN_URL}`);
    return null;
  }
  const name = `lingxi_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = TEST_PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openPostgresDb(url);
  await migrate(db);
  return {
    url,
    db,
    async drop() {
      await db.close().catch(() => {});
      const a = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function freshPglite(): Promise<Db> {
  const db = await openPgliteDb();
  await migrate(db);
  return db;
}

/**
 * Runs the same suite against embedded PGlite and real PostgreSQL: `for (const t of await bothDatabases()) describe(t.name, ...)`.
 * Use with node:test's `describe`/`before`/`after`; the PostgreSQL one is omitted (with a visible skip line) off CI when absent.
 */
export async function bothDatabases(): Promise<{ name: string; open(): Promise<{ db: Db; close(): Promise<void> }> }[]> {
  const out: { name: string; open(): Promise<{ db: Db; close(): Promise<void> }> }[] = [
    { name: 'pglite', open: async () => { const db = await freshPglite(); return { db, close: () => db.close() }; } },
  ];
  if ((await postgresAvailable()) || IN_CI) {
    out.push({
      name: 'postgres',
      open: async () => {
        const f = await freshPostgres();
        if (!f) throw new Error('unreachable');
        return { db: f.db, close: f.drop };
      },
    });
  } else {
    console.log(`# SKIP PostgreSQL variant: no server at ${TEST_PG_ADMIN_URL}`);
  }
  return out;
}
