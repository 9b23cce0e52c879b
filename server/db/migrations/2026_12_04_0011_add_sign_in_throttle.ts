import type { Kysely } from 'kysely';

/**
 * Sign-in and link throttling without a hard lock (`services/sign-in-throttle.ts`): one row per
 * thing counted — an (e-mail, address or known device) pair, an address, an address guessing
 * links — reserved atomically before each check. And known devices: browsers that have signed
 * in to an account, stored by the SHA-256 of the token in their cookie.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('scope', 'varchar(10)', (c) => c.notNull())
    .addColumn('subject', 'varchar(254)', (c) => c.notNull())
    .addColumn('origin', 'varchar(80)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_throttle_pk', ['scope', 'subject', 'origin'])
    .execute();
  await db.schema.createIndex('sign_in_throttle_last_at_idx').on('sign_in_throttle').column('last_at').execute();

  await db.schema
    .createTable('known_devices')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('known_devices_account_idx').on('known_devices').columns(['account_id', 'created_at']).execute();
}
