import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Finalising plans: proposals with their signatures, and the archive of approved versions,
 * which the database itself keeps immutable (UPDATE, DELETE and TRUNCATE are refused).
 */
export async function up(db: Kysely<any>, { dialect, binary }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('plan_proposals')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('case_id', 'varchar(36)', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('views', 'text', (c) => c.notNull())
    .addColumn('internal_notes', 'text', (c) => c.notNull())
    .addColumn('state', binary, (c) => c.notNull())
    .addColumn('confirmers', 'text', (c) => c.notNull())
    .addColumn('agreed_in_meeting', 'varchar(36)')
    .addColumn('proposed_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('proposed_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('plan_proposals_case_idx').on('plan_proposals').column('case_id').execute();

  await db.schema
    .createTable('plan_signatures')
    .addColumn('proposal_id', 'varchar(36)', (c) => c.notNull().references('plan_proposals.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('step', 'varchar(20)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('role', 'varchar(40)', (c) => c.notNull())
    .addColumn('organisation', 'varchar(200)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('plan_signatures_pk', ['proposal_id', 'account_id', 'step'])
    .execute();

  await db.schema
    .createTable('archived_plans')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('case_id', 'varchar(36)', (c) => c.notNull().references('cases.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('state', binary, (c) => c.notNull())
    .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('previous_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('archived_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('archived_plans_case_version', ['case_id', 'version'])
    .execute();

  if (dialect === 'sqlite') {
    await sql`CREATE TRIGGER archived_plans_no_update BEFORE UPDATE ON archived_plans BEGIN SELECT RAISE(ABORT, 'archived plans are immutable'); END`.execute(db);
    await sql`CREATE TRIGGER archived_plans_no_delete BEFORE DELETE ON archived_plans BEGIN SELECT RAISE(ABORT, 'archived plans are immutable'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION archived_plans_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'archived plans are immutable'; END $$`.execute(db);
    await sql`CREATE TRIGGER archived_plans_no_change BEFORE UPDATE OR DELETE ON archived_plans
      FOR EACH ROW EXECUTE FUNCTION archived_plans_immutable()`.execute(db);
    await sql`CREATE TRIGGER archived_plans_no_truncate BEFORE TRUNCATE ON archived_plans
      FOR EACH STATEMENT EXECUTE FUNCTION archived_plans_immutable()`.execute(db);
  }
}
