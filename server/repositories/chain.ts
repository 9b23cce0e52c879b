/** The keyed chains' entries and heads, and the database's protecting triggers. */
import { PostgresAdapter, sql } from 'kysely';
import type { ChainEntryTable, ChainHead, Db, Insertable } from '../db/database.js';
import { queries } from '../db/kysely.js';

/**
 * Locks the chain's head row until the transaction ends and returns it. A write, not a read: on
 * PostgreSQL it takes the row lock, on SQLite the database's write lock, so that concurrent
 * appenders (on one instance or several) queue here instead of reading the same head.
 */
export function lockChainHead(db: Db, chain: string): Promise<ChainHead | undefined> {
  return queries(db)
    .updateTable('chain_heads')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('chain', '=', chain)
    .returning(['chain', 'seq', 'mac', 'key_id'])
    .executeTakeFirst();
}

/** Moves the (locked) head to its new last entry. */
export async function saveChainHead(db: Db, head: ChainHead): Promise<void> {
  await queries(db).updateTable('chain_heads').set({ seq: head.seq, mac: head.mac, key_id: head.key_id }).where('chain', '=', head.chain).execute();
}

/** The chain's head, without locking it (for checkpoints and verification). */
export function findChainHead(db: Db, chain: string): Promise<ChainHead | undefined> {
  return queries(db).selectFrom('chain_heads').selectAll().where('chain', '=', chain).executeTakeFirst();
}

export async function insertChainEntries(db: Db, rows: Insertable<ChainEntryTable>[]): Promise<void> {
  // Kept well under SQLite's 999 bound parameters per statement.
  for (let i = 0; i < rows.length; i += 50) await queries(db).insertInto('chain_entries').values(rows.slice(i, i + 50)).execute();
}

/** Every entry of the chain, in order. */
export function listChainEntries(db: Db, chain: string) {
  return queries(db).selectFrom('chain_entries').selectAll().where('chain', '=', chain).orderBy('seq').execute();
}

/** Names of the triggers that are in place and enabled (SQLite: `sqlite_master`; PostgreSQL: `pg_trigger`). */
export async function enabledTriggers(db: Db): Promise<string[]> {
  const q = queries(db);
  if (q.getExecutor().adapter instanceof PostgresAdapter) {
    const result = await sql<{ name: string }>`SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'`.execute(q);
    return result.rows.map((r) => r.name);
  }
  const result = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(q);
  return result.rows.map((r) => r.name);
}

/** Which dialect the handle speaks (the triggers have different names on each). */
export function dialectOf(db: Db): 'sqlite' | 'postgres' {
  return queries(db).getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
