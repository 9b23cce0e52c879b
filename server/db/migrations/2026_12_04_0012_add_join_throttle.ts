import type { Kysely } from 'kysely';

/**
 * Join attempts are forgotten by age after every wrong code. With no cap on the total any more
 * (a flood from many addresses is counted per address), the table can hold many rows in a window,
 * so forgetting must not scan it: an index on the time alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('join_failures_at_idx').on('join_failures').column('at').execute();
}
