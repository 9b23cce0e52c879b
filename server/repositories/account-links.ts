/** One-time account links (invitations and password resets), stored by the token's hash. */
import type { AccountLink, Db } from '../db/database.js';
import { queries } from '../db/kysely.js';

export async function insertAccountLink(db: Db, link: AccountLink): Promise<void> {
  await queries(db).insertInto('account_links').values(link).execute();
}

export function findAccountLink(db: Db, id: string): Promise<AccountLink | undefined> {
  return queries(db).selectFrom('account_links').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks a link used; returns false when it already was (so it works exactly once). */
export async function useAccountLink(db: Db, id: string, at: string): Promise<boolean> {
  const result = await queries(db).updateTable('account_links').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks every still unused link for this e-mail address used (the person's password is now set). */
export async function useOtherLinksFor(db: Db, email: string, at: string): Promise<void> {
  await queries(db).updateTable('account_links').set({ used_at: at }).where('email', '=', email).where('used_at', 'is', null).execute();
}
