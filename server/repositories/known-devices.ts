/** Browsers that have signed in to an account, stored by the hash of the token in their cookie. */
import type { Db, KnownDevice } from '../db/database.js';
import { queries } from '../db/kysely.js';

export function findKnownDevice(db: Db, id: string): Promise<KnownDevice | undefined> {
  return queries(db).selectFrom('known_devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertKnownDevice(db: Db, device: KnownDevice): Promise<void> {
  await queries(db).insertInto('known_devices').values(device).execute();
}

/** Keeps an account's `keep` newest unexpired devices and removes the rest. */
export async function pruneKnownDevices(db: Db, accountId: string, keep: number, now: string): Promise<void> {
  const q = queries(db);
  await q
    .deleteFrom('known_devices')
    .where('account_id', '=', accountId)
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', now),
        eb('id', 'not in', q.selectFrom('known_devices').select('id').where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(keep))
      ])
    )
    .execute();
}
