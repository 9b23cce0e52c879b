/** Account queries. */
import type { Account, Db, NewAccount } from '../db/database.js';
import { queries } from '../db/kysely.js';

export async function countAccounts(db: Db): Promise<number> {
  const row = await queries(db).selectFrom('accounts').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findAccountByEmail(db: Db, email: string): Promise<Account | undefined> {
  return queries(db).selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function insertAccount(db: Db, account: NewAccount): Promise<void> {
  await queries(db).insertInto('accounts').values(account).execute();
}

export function findAccount(db: Db, id: string): Promise<Account | undefined> {
  return queries(db).selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An organisation's accounts, by name. */
export function listAccountsOf(db: Db, organisationId: string) {
  return queries(db).selectFrom('accounts').select(['id', 'name', 'email', 'role', 'deactivated_at']).where('organisation_id', '=', organisationId).orderBy('name').execute();
}

/** Every account's name by id (for histories). */
export async function accountNames(db: Db): Promise<Map<string, string>> {
  return new Map((await queries(db).selectFrom('accounts').select(['id', 'name']).execute()).map((a) => [a.id, a.name] as const));
}

export async function setDeactivated(db: Db, id: string, at: string | null): Promise<void> {
  await queries(db).updateTable('accounts').set({ deactivated_at: at }).where('id', '=', id).execute();
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await queries(db).updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

/** Active professionals (not administrators) who are not yet on the case's team, by organisation and name. */
export function listTeamCandidates(db: Db, caseId: string) {
  return queries(db)
    .selectFrom('accounts')
    .innerJoin('organisations', 'organisations.id', 'accounts.organisation_id')
    .leftJoin('case_members', (join) => join.onRef('case_members.account_id', '=', 'accounts.id').on('case_members.case_id', '=', caseId))
    .select(['accounts.id as accountId', 'accounts.name as name', 'accounts.role as role', 'organisations.id as organisationId', 'organisations.name as organisationName'])
    .where('accounts.deactivated_at', 'is', null)
    .where('accounts.role', '!=', 'admin')
    .where('case_members.account_id', 'is', null)
    .orderBy('organisations.name')
    .orderBy('accounts.name')
    .execute();
}

/** What decides whether an account may join a team: its organisation, role and whether it is active. */
export function findAccountStanding(db: Db, id: string) {
  return queries(db).selectFrom('accounts').select(['id', 'organisation_id', 'role', 'deactivated_at']).where('id', '=', id).executeTakeFirst();
}
