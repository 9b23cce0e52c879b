import type { Kysely } from 'kysely';

/** The client's gender and year of birth, for the follow-up reports (both optional). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('gender', 'varchar(10)', (c) => c.notNull().defaultTo('unknown')).execute();
  await db.schema.alterTable('cases').addColumn('birth_year', 'integer').execute();
}
