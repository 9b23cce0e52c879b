/** Case queries. */
import type { Case, Db, Insertable, CaseTable } from '../db/database.js';

export function findCase(db: Db, id: string): Promise<Case | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
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
  let query = db
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
  await db.insertInto('cases').values(row).execute();
}
