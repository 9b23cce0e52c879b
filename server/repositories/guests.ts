/** Join codes, the client's guest sessions, and failed join attempts. */
import type { Db, GuestSession, GuestStatus, Insertable, JoinCode, JoinCodeTable, GuestSessionTable } from '../db/database.js';
import { queries } from '../db/kysely.js';

export async function insertJoinCode(db: Db, row: Insertable<JoinCodeTable>): Promise<void> {
  await queries(db).insertInto('join_codes').values(row).execute();
}

export function findJoinCode(db: Db, id: string): Promise<JoinCode | undefined> {
  return queries(db).selectFrom('join_codes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function revokeJoinCode(db: Db, id: string, at: string): Promise<void> {
  await queries(db).updateTable('join_codes').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Ends every code of a meeting (when it ends). */
export async function revokeMeetingCodes(db: Db, meetingId: string, at: string): Promise<void> {
  await queries(db).updateTable('join_codes').set({ revoked_at: at }).where('meeting_id', '=', meetingId).where('revoked_at', 'is', null).execute();
}

export async function insertGuest(db: Db, row: Insertable<GuestSessionTable>): Promise<void> {
  await queries(db).insertInto('guest_sessions').values(row).execute();
}

export function findGuest(db: Db, id: string): Promise<GuestSession | undefined> {
  return queries(db).selectFrom('guest_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The device currently holding a code (waiting or admitted), if any. */
export function findActiveGuestOfCode(db: Db, codeId: string): Promise<GuestSession | undefined> {
  return queries(db)
    .selectFrom('guest_sessions')
    .selectAll()
    .where('join_code_id', '=', codeId)
    .where('status', 'in', ['waiting', 'admitted'])
    .executeTakeFirst();
}

export function listGuests(db: Db, meetingId: string, statuses: readonly GuestStatus[]) {
  return queries(db)
    .selectFrom('guest_sessions')
    .selectAll()
    .where('meeting_id', '=', meetingId)
    .where('status', 'in', [...statuses])
    .orderBy('created_at')
    .execute();
}

/** Moves a guest from one of `from` to `to`; false when it was in none of them. */
export async function transitionGuest(
  db: Db,
  id: string,
  from: readonly GuestStatus[],
  to: GuestStatus,
  decidedBy: string | null,
  at: string,
  expiresAt?: string
): Promise<boolean> {
  const result = await queries(db)
    .updateTable('guest_sessions')
    .set({ status: to, decided_by: decidedBy, decided_at: at, ...(expiresAt ? { expires_at: expiresAt } : {}) })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends every waiting or admitted guest of a meeting; returns their ids. */
export async function endMeetingGuests(db: Db, meetingId: string, at: string): Promise<string[]> {
  const rows = await listGuests(db, meetingId, ['waiting', 'admitted']);
  if (rows.length === 0) return [];
  await queries(db)
    .updateTable('guest_sessions')
    .set({ status: 'ended', decided_at: at })
    .where('meeting_id', '=', meetingId)
    .where('status', 'in', ['waiting', 'admitted'])
    .execute();
  return rows.map((r) => r.id);
}

/** Counts an attempt with a code from `ip` (before it is checked); returns the row's id. */
export async function recordJoinAttempt(db: Db, ip: string, at: string): Promise<string> {
  const id = crypto.randomUUID();
  await queries(db).insertInto('join_failures').values({ id, ip, at }).execute();
  return id;
}

/** Takes back an attempt that was not a wrong code (a right one, or one refused unchecked). */
export async function forgetJoinAttempt(db: Db, id: string): Promise<void> {
  await queries(db).deleteFrom('join_failures').where('id', '=', id).execute();
}

/** Attempts from one address since `since` (wrong codes, and any being checked now). */
export async function countJoinAttempts(db: Db, ip: string, since: string): Promise<number> {
  const row = await queries(db).selectFrom('join_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('ip', '=', ip).where('at', '>=', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Devices that entered the lobby with one code since `since`. */
export async function countCodeEntries(db: Db, codeId: string, since: string): Promise<number> {
  const row = await queries(db).selectFrom('guest_sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('join_code_id', '=', codeId).where('created_at', '>=', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Forgets failures older than `before` (they no longer count). */
export async function pruneJoinFailures(db: Db, before: string): Promise<void> {
  await queries(db).deleteFrom('join_failures').where('at', '<', before).execute();
}

/** A guest session with its meeting's id, status and case. */
export function findGuestWithMeeting(db: Db, id: string) {
  return queries(db)
    .selectFrom('guest_sessions')
    .innerJoin('meetings', 'meetings.id', 'guest_sessions.meeting_id')
    .select([
      'guest_sessions.id as id',
      'guest_sessions.status as status',
      'guest_sessions.expires_at as expiresAt',
      'meetings.id as meetingId',
      'meetings.status as meetingStatus',
      'meetings.case_id as caseId'
    ])
    .where('guest_sessions.id', '=', id)
    .executeTakeFirst();
}

/** A guest session's status and time with its meeting's status (for the sweeper). */
export function findGuestStanding(db: Db, id: string) {
  return queries(db)
    .selectFrom('guest_sessions')
    .innerJoin('meetings', 'meetings.id', 'guest_sessions.meeting_id')
    .select(['guest_sessions.status as status', 'guest_sessions.expires_at as expiresAt', 'meetings.status as meetingStatus', 'meetings.id as meetingId'])
    .where('guest_sessions.id', '=', id)
    .executeTakeFirst();
}
