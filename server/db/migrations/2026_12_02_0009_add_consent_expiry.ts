import type { Kysely } from 'kysely';

/**
 * When a consent's end was processed (its organisation's connections closed, the audit row
 * written): set once, by a conditional UPDATE, so that one instance does it exactly once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('consents').addColumn('expired_at', 'varchar(32)').execute();
  await db.schema.createIndex('consents_expiry_idx').on('consents').columns(['valid_until', 'expired_at']).execute();
}
