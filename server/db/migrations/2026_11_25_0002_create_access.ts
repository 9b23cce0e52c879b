import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/** Case teams, consents, account links (invitations and resets) and the append-only audit log. */
export async function up(db: Kysely<any>, { dialect }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('case_members')
    .addColumn('case_id', 'varchar(36)', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('case_role', 'varchar(20)', (c) => c.notNull())
    .addColumn('access', 'varchar(10)', (c) => c.notNull())
    .addColumn('added_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('added_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_members_pk', ['case_id', 'account_id'])
    .execute();
  await db.schema.createIndex('case_members_account_idx').on('case_members').column('account_id').execute();
  // Exactly one responsible person per case: at most one by this index, at least one by the service.
  await db.schema
    .createIndex('case_members_one_responsible')
    .on('case_members')
    .column('case_id')
    .unique()
    .where(sql.ref('case_role'), '=', 'responsible')
    .execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('case_id', 'varchar(36)', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('organisation_id', 'varchar(36)', (c) => c.notNull().references('organisations.id'))
    .addColumn('basis', 'varchar(20)', (c) => c.notNull())
    .addColumn('method', 'varchar(20)')
    .addColumn('legal_basis', 'varchar(300)')
    .addColumn('scope', 'varchar(500)', (c) => c.notNull())
    .addColumn('valid_until', 'varchar(10)')
    .addColumn('recorded_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('recorded_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('withdrawn_by', 'varchar(36)', (c) => c.references('accounts.id'))
    .addColumn('withdrawn_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('consents_case_idx').on('consents').columns(['case_id', 'organisation_id']).execute();

  await db.schema
    .createTable('account_links')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('organisation_id', 'varchar(36)', (c) => c.notNull().references('organisations.id'))
    .addColumn('account_id', 'varchar(36)', (c) => c.references('accounts.id'))
    .addColumn('email', 'varchar(254)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('role', 'varchar(40)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('used_at', 'varchar(32)')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(36)')
    .addColumn('organisation_id', 'varchar(36)')
    .addColumn('case_id', 'varchar(36)')
    .addColumn('action', 'varchar(40)', (c) => c.notNull())
    .addColumn('details', 'varchar(2000)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(300)')
    .execute();
  await db.schema.createIndex('audit_log_case_idx').on('audit_log').columns(['case_id', 'at']).execute();
  await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'at']).execute();

  // Append-only, enforced by the database itself. Triggers have no portable form.
  if (dialect === 'sqlite') {
    await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`.execute(db);
  }
}
