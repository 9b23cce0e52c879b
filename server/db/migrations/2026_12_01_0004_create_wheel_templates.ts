import type { Kysely } from 'kysely';

/** Assessment-wheel templates an organisation defines (areas and scale), beside the built-in ones. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('wheel_templates')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('organisation_id', 'varchar(36)', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('min', 'integer', (c) => c.notNull())
    .addColumn('max', 'integer', (c) => c.notNull())
    .addColumn('areas', 'text', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('removed_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('wheel_templates_org_idx').on('wheel_templates').column('organisation_id').execute();
}
