/** Transactions for services: the work gets a handle that repositories run their queries in. */
import type { Db } from '../db/database.js';
import { handleOf, queries } from '../db/kysely.js';

/** Each transaction handle → the connection handle it was opened on. */
const connections = new WeakMap<Db, Db>();

/**
 * Runs `work` in one transaction (committed when it resolves, rolled back when it throws). Given
 * a handle that is already a transaction, `work` joins it.
 */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (isInTransaction(db)) return work(db);
  return queries(db)
    .transaction()
    .execute((trx) => {
      const handle = handleOf(trx);
      connections.set(handle, connectionOf(db));
      return work(handle);
    });
}

/** Whether `db` is a transaction's handle. */
export function isInTransaction(db: Db): boolean {
  return queries(db).isTransaction;
}

/**
 * The connection handle behind `db` (itself unless it is a transaction opened by `inTransaction`):
 * what services key per-database state by (the chain's keys, the denial limiter).
 */
export function connectionOf(db: Db): Db {
  return connections.get(db) ?? db;
}
