import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Retention: closing a case, a retention period per organisation, and the one sanctioned way past
 * the archive's immutability — a recorded release of a case whose retention period has ended.
 */
export async function up(db: Kysely<any>, { dialect }: MigrationContext): Promise<void> {
  await db.schema.alterTable('organisations').addColumn('retention_years', 'integer', (c) => c.notNull().defaultTo(10)).execute();
  await db.schema.alterTable('cases').addColumn('closed_at', 'varchar(32)').execute();
  await db.schema
    .createTable('retention_releases')
    .addColumn('case_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('released_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  // Deleting archived versions stays refused, except for a case released for removal.
  if (dialect === 'sqlite') {
    await sql`DROP TRIGGER archived_plans_no_delete`.execute(db);
    await sql`CREATE TRIGGER archived_plans_no_delete BEFORE DELETE ON archived_plans
      WHEN NOT EXISTS (SELECT 1 FROM retention_releases r WHERE r.case_id = OLD.case_id)
      BEGIN SELECT RAISE(ABORT, 'archived plans are immutable'); END`.execute(db);
  } else {
    await sql`CREATE OR REPLACE FUNCTION archived_plans_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM retention_releases r WHERE r.case_id = OLD.case_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'archived plans are immutable';
      END $$`.execute(db);
  }
}
