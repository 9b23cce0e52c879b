/** Case team queries. */
import type { CaseMember, CaseRole, Db } from '../db/database.js';
import { queries } from '../db/kysely.js';

export function findMembership(db: Db, caseId: string, accountId: string): Promise<CaseMember | undefined> {
  return queries(db).selectFrom('case_members').selectAll().where('case_id', '=', caseId).where('account_id', '=', accountId).executeTakeFirst();
}

export function listMembers(db: Db, caseId: string) {
  return queries(db)
    .selectFrom('case_members')
    .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
    .innerJoin('organisations', 'organisations.id', 'accounts.organisation_id')
    .select([
      'case_members.account_id as accountId',
      'case_members.case_role as caseRole',
      'case_members.access as access',
      'accounts.name as name',
      'accounts.role as role',
      'organisations.id as organisationId',
      'organisations.name as organisationName'
    ])
    .where('case_members.case_id', '=', caseId)
    // The responsible person first, then everyone by name.
    .orderBy((eb) => eb.case().when('case_members.case_role', '=', 'responsible').then(0).else(1).end())
    .orderBy('accounts.name')
    .execute();
}

export async function insertMember(db: Db, member: CaseMember): Promise<void> {
  await queries(db).insertInto('case_members').values(member).execute();
}

export async function deleteMember(db: Db, caseId: string, accountId: string): Promise<void> {
  await queries(db).deleteFrom('case_members').where('case_id', '=', caseId).where('account_id', '=', accountId).execute();
}

export async function setCaseRole(db: Db, caseId: string, accountId: string, caseRole: CaseRole, access: 'edit' | 'view'): Promise<void> {
  await queries(db).updateTable('case_members').set({ case_role: caseRole, access }).where('case_id', '=', caseId).where('account_id', '=', accountId).execute();
}

/** Account ids of the members of `caseId` who belong to `organisationId`. */
export async function memberIdsOfOrganisation(db: Db, caseId: string, organisationId: string): Promise<string[]> {
  const rows = await queries(db)
    .selectFrom('case_members')
    .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
    .select('case_members.account_id as id')
    .where('case_members.case_id', '=', caseId)
    .where('accounts.organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => r.id);
}

/** A team member with their account's role, organisation and whether it is active. */
export function findMemberWithAccount(db: Db, caseId: string, accountId: string) {
  return queries(db)
    .selectFrom('case_members')
    .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
    .select(['case_members.case_role as caseRole', 'accounts.role as role', 'accounts.organisation_id as organisationId', 'accounts.deactivated_at as deactivatedAt'])
    .where('case_members.case_id', '=', caseId)
    .where('case_members.account_id', '=', accountId)
    .executeTakeFirst();
}

/** The case's responsible person, if any. */
export function findResponsible(db: Db, caseId: string) {
  return queries(db).selectFrom('case_members').select('account_id').where('case_id', '=', caseId).where('case_role', '=', 'responsible').executeTakeFirst();
}
