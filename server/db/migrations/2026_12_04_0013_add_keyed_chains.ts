import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Keyed hash chains over the audit log and the archive (`services/chain.ts`): one append-only
 * table of chain entries, and one head row per chain that every append locks (so concurrent
 * writers, on one instance or several, cannot fork a chain). The head row only moves forwards.
 * The chains start empty (seq 0); the server's first start adopts the rows already there.
 */
export async function up(db: Kysely<any>, { dialect }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('chain_heads')
    .addColumn('chain', 'varchar(16)', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('mac', 'varchar(64)', (c) => c.notNull())
    .addColumn('key_id', 'varchar(16)', (c) => c.notNull())
    .execute();
  await db.insertInto('chain_heads').values([
    { chain: 'audit', seq: 0, mac: '', key_id: '' },
    { chain: 'archive', seq: 0, mac: '', key_id: '' }
  ]).execute();

  await db.schema
    .createTable('chain_entries')
    .addColumn('chain', 'varchar(16)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'varchar(12)', (c) => c.notNull())
    .addColumn('ref', 'varchar(36)')
    .addColumn('digest', 'varchar(64)', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('key_id', 'varchar(16)', (c) => c.notNull())
    .addColumn('prev_mac', 'varchar(64)', (c) => c.notNull())
    .addColumn('mac', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('chain_entries_pk', ['chain', 'seq'])
    .execute();

  if (dialect === 'sqlite') {
    await sql`CREATE TRIGGER chain_entries_no_update BEFORE UPDATE ON chain_entries BEGIN SELECT RAISE(ABORT, 'chain entries are append-only'); END`.execute(db);
    await sql`CREATE TRIGGER chain_entries_no_delete BEFORE DELETE ON chain_entries BEGIN SELECT RAISE(ABORT, 'chain entries are append-only'); END`.execute(db);
    await sql`CREATE TRIGGER chain_heads_forward_only BEFORE UPDATE ON chain_heads WHEN NEW.seq < OLD.seq
      BEGIN SELECT RAISE(ABORT, 'a chain head only moves forwards'); END`.execute(db);
    await sql`CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads BEGIN SELECT RAISE(ABORT, 'chain heads are kept'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'chain entries are append-only and chain heads only move forwards'; END $$`.execute(db);
    await sql`CREATE TRIGGER chain_entries_no_change BEFORE UPDATE OR DELETE ON chain_entries
      FOR EACH ROW EXECUTE FUNCTION chain_append_only()`.execute(db);
    await sql`CREATE TRIGGER chain_entries_no_truncate BEFORE TRUNCATE ON chain_entries
      FOR EACH STATEMENT EXECUTE FUNCTION chain_append_only()`.execute(db);
    await sql`CREATE TRIGGER chain_heads_forward_only BEFORE UPDATE ON chain_heads
      FOR EACH ROW WHEN (NEW.seq < OLD.seq) EXECUTE FUNCTION chain_append_only()`.execute(db);
    await sql`CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads
      FOR EACH ROW EXECUTE FUNCTION chain_append_only()`.execute(db);
    await sql`CREATE TRIGGER chain_heads_no_truncate BEFORE TRUNCATE ON chain_heads
      FOR EACH STATEMENT EXECUTE FUNCTION chain_append_only()`.execute(db);
  }
}
