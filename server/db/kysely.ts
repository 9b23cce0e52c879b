/** The query builder behind a `Db` handle: for `repositories/` and `db/` only (see `database.ts`). */
import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from './database.js';

export type Queries = Kysely<Database>;
export type QueriesInTransaction = Transaction<Database>;

/** The query builder of a handle (every handle is a Kysely instance or transaction over `Database`). */
export function queries(db: Db): Queries {
  return db as unknown as Queries;
}

/** The opaque handle of a query builder (a connection or a transaction), to pass to services. */
export function handleOf(queryBuilder: Queries): Db {
  return queryBuilder as unknown as Db;
}
