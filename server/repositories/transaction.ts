/** Transactions for services: the work gets a handle that repositories run their queries in. */
import type { Db } from '../db/database.js';
import { handleOf, queries } from '../db/kysely.js';

/** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return queries(db).transaction().execute((trx) => work(handleOf(trx)));
}
