/** Sign-in and link throttling: one row per thing counted, reserved in one statement (see `services/sign-in-throttle.ts`). */
import { sql } from 'kysely';
import type { Db, SignInThrottle } from '../db/database.js';
import { queries } from '../db/kysely.js';

export type ThrottleKey = Pick<SignInThrottle, 'scope' | 'subject' | 'origin'>;

/** One reservation, every moment in it computed by the caller for the instant `now`. */
export interface Reservation {
  now: string;
  /** A row last touched before this is forgotten: it counts from zero again. */
  forgetBefore: string;
  /** Attempts allowed without waiting. */
  free: number;
  /** The `next_at` to store when the count reaches `free`, `free + 1`, …; the last one for every count beyond. */
  nextAt: readonly string[];
}

/**
 * Reserves one attempt in a single upsert, so that concurrent requests cannot both take the last
 * one (the row is locked by the statement on PostgreSQL; SQLite runs one writer at a time).
 * Returns true when the attempt may go ahead (it is counted); false when it must wait (nothing
 * changes).
 */
export async function tryReserve(db: Db, key: ThrottleKey, r: Reservation): Promise<boolean> {
  const attempts = sql.ref('sign_in_throttle.attempts');
  const forgotten = sql<boolean>`${sql.ref('sign_in_throttle.last_at')} < ${r.forgetBefore}`;
  const after = (count: number) => (count < r.free ? r.now : r.nextAt[Math.min(count - r.free, r.nextAt.length - 1)]!);
  const steps = r.nextAt.map((at, i) => sql`when ${attempts} + 1 = ${r.free + i} then ${at}`);
  const row = await queries(db)
    .insertInto('sign_in_throttle')
    .values({ ...key, attempts: 1, next_at: after(1), last_at: r.now })
    .onConflict((oc) =>
      oc
        .columns(['scope', 'subject', 'origin'])
        .doUpdateSet({
          attempts: sql<number>`case when ${forgotten} then 1 else ${attempts} + 1 end`,
          next_at: sql<string>`case when ${forgotten} then ${after(1)} when ${attempts} + 1 < ${r.free} then ${r.now} ${sql.join(steps, sql` `)} else ${r.nextAt.at(-1)!} end`,
          last_at: r.now
        })
        .where(sql<boolean>`${forgotten} or ${attempts} < ${r.free} or ${sql.ref('sign_in_throttle.next_at')} <= ${r.now}`)
    )
    .returning('attempts')
    .executeTakeFirst();
  return row !== undefined;
}

export function findThrottle(db: Db, key: ThrottleKey): Promise<SignInThrottle | undefined> {
  return queries(db)
    .selectFrom('sign_in_throttle')
    .selectAll()
    .where('scope', '=', key.scope)
    .where('subject', '=', key.subject)
    .where('origin', '=', key.origin)
    .executeTakeFirst();
}

/** Gives a reservation back (the attempt was not a failure); a delay already running stays. */
export async function giveBackAttempt(db: Db, key: ThrottleKey): Promise<void> {
  await queries(db)
    .updateTable('sign_in_throttle')
    .set({ attempts: sql<number>`attempts - 1` })
    .where('scope', '=', key.scope)
    .where('subject', '=', key.subject)
    .where('origin', '=', key.origin)
    .where('attempts', '>', 0)
    .execute();
}

/** Forgets everything counted for `key` (a successful sign-in clears its pair). */
export async function clearThrottle(db: Db, key: ThrottleKey): Promise<void> {
  await queries(db).deleteFrom('sign_in_throttle').where('scope', '=', key.scope).where('subject', '=', key.subject).where('origin', '=', key.origin).execute();
}

/** Removes rows untouched since `before` (they count from zero anyway). */
export async function pruneThrottle(db: Db, before: string): Promise<void> {
  await queries(db).deleteFrom('sign_in_throttle').where('last_at', '<', before).execute();
}
