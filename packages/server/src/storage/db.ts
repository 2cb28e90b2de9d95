/**
 * The storage port. One SQL dialect (PostgreSQL) everywhere: PGlite embedded by default, a real PostgreSQL when
 * DATABASE_URL is set. Only repositories use it.
 */
export type Row = Record<string, any>;

export type Queryable = {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
};

export type Db = Queryable & {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  tx<R>(fn: (q: Queryable) => Promise<R>): Promise<R>;
  close(): Promise<void>;
};
