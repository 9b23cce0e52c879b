import type { Kysely } from 'kysely';

/**
 * A consent's scope becomes structured: `parts` lists the parts of the case it opens (comma
 * separated, from `plan,wheel,network,path,meetings`); the old free text (`scope`) stays as its
 * note. Consents recorded before gave the organisation everything, so they keep every part.
 *
 * `cases.views_moved_at`: when the case's wheel, map and path were moved out of its shared
 * document into their own documents (at start-up, once; new cases are born moved).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consents')
    .addColumn('parts', 'varchar(100)', (c) => c.notNull().defaultTo('plan,wheel,network,path,meetings'))
    .execute();
  await db.schema.alterTable('cases').addColumn('views_moved_at', 'varchar(32)').execute();
}
