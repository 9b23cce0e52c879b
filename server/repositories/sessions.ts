/** Session queries. A session row joined with its account is what authenticates a request. */
import type { Db, Session } from '../db/database.js';
import { queries } from '../db/kysely.js';
import type { Principal } from '../domain/principal.js';

/** A session row joined with its account: the principal behind a request. */
export type SessionWithAccount = Principal;

export async function insertSession(db: Db, session: Session): Promise<void> {
  await queries(db).insertInto('sessions').values(session).execute();
}

export function findSessionWithAccount(db: Db, id: string): Promise<SessionWithAccount | undefined> {
  return queries(db)
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .innerJoin('organisations', 'organisations.id', 'accounts.organisation_id')
    .select([
      'sessions.id as sessionId',
      'sessions.created_at as createdAt',
      'sessions.last_seen_at as lastSeenAt',
      'sessions.expires_at as expiresAt',
      'accounts.id as accountId',
      'accounts.name as name',
      'accounts.email as email',
      'accounts.role as role',
      'accounts.deactivated_at as deactivatedAt',
      'organisations.id as organisationId',
      'organisations.name as organisationName'
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(db: Db, id: string, at: string): Promise<void> {
  await queries(db).updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await queries(db).deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends every session of an account. */
export async function deleteSessionsOf(db: Db, accountId: string): Promise<void> {
  await queries(db).deleteFrom('sessions').where('account_id', '=', accountId).execute();
}

/** The ids of an account's sessions, newest first. */
export async function sessionIdsOf(db: Db, accountId: string): Promise<string[]> {
  const rows = await queries(db).selectFrom('sessions').select('id').where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => r.id);
}

export async function deleteSessions(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await queries(db).deleteFrom('sessions').where('id', 'in', [...ids]).execute();
}
