/** Archived plan versions. */
import type { Db } from '../db/database.js';
import { queries } from '../db/kysely.js';

export function findArchivedPlan(db: Db, id: string) {
  return queries(db).selectFrom('archived_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countArchivedPlans(db: Db, caseId: string): Promise<number> {
  const row = await queries(db).selectFrom('archived_plans').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', caseId).executeTakeFirstOrThrow();
  return Number(row.n);
}
