/** Case queries. */
import type { Case, Db, Insertable, CaseTable } from '../db/database.js';
import { queries } from '../db/kysely.js';

export function findCase(db: Db, id: string): Promise<Case | undefined> {
  return queries(db).selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface VisibleCaseRow extends Case {
  case_role: string | null;
  member_access: 'edit' | 'view' | null;
}

/**
 * Cases the account is a member of, plus (for a coordinator) every case of its organisation;
 * the caller still applies the policy (consent) to each row.
 */
export function listCandidateCases(
  db: Db,
  accountId: string,
  coordinatorOf: string | null,
  search: string | undefined
): Promise<VisibleCaseRow[]> {
  let query = queries(db)
    .selectFrom('cases')
    .leftJoin('case_members', (join) => join.onRef('case_members.case_id', '=', 'cases.id').on('case_members.account_id', '=', accountId))
    .selectAll('cases')
    .select(['case_members.case_role as case_role', 'case_members.access as member_access'])
    .where((eb) =>
      coordinatorOf
        ? eb.or([eb('case_members.account_id', '=', accountId), eb('cases.organisation_id', '=', coordinatorOf)])
        : eb('case_members.account_id', '=', accountId)
    );
  if (search) query = query.where((eb) => eb(eb.fn('lower', ['cases.display_name']), 'like', `%${search.toLowerCase().replace(/[%_\\]/g, '')}%`));
  return query.orderBy('cases.created_at', 'desc').execute() as Promise<VisibleCaseRow[]>;
}

export async function insertCase(db: Db, row: Insertable<CaseTable>): Promise<void> {
  await queries(db).insertInto('cases').values(row).execute();
}

export async function setCaseClosedAt(db: Db, id: string, closedAt: string | null): Promise<void> {
  await queries(db).updateTable('cases').set({ closed_at: closedAt }).where('id', '=', id).execute();
}

/** Closed cases with their organisation's retention period. */
export function closedCases(db: Db) {
  return queries(db)
    .selectFrom('cases')
    .innerJoin('organisations', 'organisations.id', 'cases.organisation_id')
    .select(['cases.id as id', 'cases.display_name as name', 'cases.closed_at as closedAt', 'organisations.name as organisation', 'organisations.retention_years as years'])
    .where('cases.closed_at', 'is not', null)
    .execute();
}

/** Deletes a case row, recording its release for retention first (its documents are removed by `removeDocuments`). */
export async function releaseAndDeleteCase(db: Db, id: string, at: string): Promise<void> {
  await queries(db).insertInto('retention_releases').values({ case_id: id, released_at: at }).execute();
  await queries(db).deleteFrom('archived_plans').where('case_id', '=', id).execute();
  await queries(db).deleteFrom('cases').where('id', '=', id).execute();
}

/** An organisation's cases with the demographics the follow-up reports count. */
export function listCaseDemographics(db: Db, organisationId: string) {
  return queries(db).selectFrom('cases').select(['id', 'gender', 'birth_year']).where('organisation_id', '=', organisationId).execute();
}

/** The organisation that owns the case, if the case exists. */
export async function caseOrganisationId(db: Db, caseId: string): Promise<string | undefined> {
  return (await queries(db).selectFrom('cases').select('organisation_id').where('id', '=', caseId).executeTakeFirst())?.organisation_id;
}

/** Cases whose wheel, map and path are still inside their shared document (made before they moved out). */
export async function casesWithViewsInside(db: Db): Promise<string[]> {
  const rows = await queries(db).selectFrom('cases').select('id').where('views_moved_at', 'is', null).orderBy('created_at').execute();
  return rows.map((r) => r.id);
}

/** Whether the case still exists with its views inside its shared document (read again under the document locks). */
export async function viewsStillInside(db: Db, id: string): Promise<boolean> {
  const row = await queries(db).selectFrom('cases').select('views_moved_at').where('id', '=', id).executeTakeFirst();
  return row !== undefined && row.views_moved_at === null;
}

export async function markViewsMoved(db: Db, id: string, at: string): Promise<void> {
  await queries(db).updateTable('cases').set({ views_moved_at: at }).where('id', '=', id).execute();
}
