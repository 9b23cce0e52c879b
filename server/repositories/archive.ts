/** Archived plan versions (immutable: only inserted and read). */
import type { ArchivedPlanTable, Db, Insertable } from '../db/database.js';
import { queries } from '../db/kysely.js';

/** One archived version by id, with its Yjs state. */
export function findArchivedPlan(db: Db, id: string) {
  return queries(db).selectFrom('archived_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One archived version by id, without its Yjs state (for rendering). */
export function findArchivedPlanContent(db: Db, id: string) {
  return queries(db).selectFrom('archived_plans').select(['case_id', 'content', 'version']).where('id', '=', id).executeTakeFirst();
}

/** How many archived versions the case has. */
export async function countArchivedPlans(db: Db, caseId: string): Promise<number> {
  const row = await queries(db).selectFrom('archived_plans').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', caseId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The case's latest archived version and its hash (the next version links to it). */
export function latestArchivedVersion(db: Db, caseId: string) {
  return queries(db).selectFrom('archived_plans').select(['version', 'content_hash']).where('case_id', '=', caseId).orderBy('version', 'desc').executeTakeFirst();
}

/** Stores a new archived version. */
export async function insertArchivedPlan(db: Db, row: Insertable<ArchivedPlanTable>): Promise<void> {
  await queries(db).insertInto('archived_plans').values(row).execute();
}

/** The case's archived versions, newest first (without the Yjs state). */
export function listArchivedOfCase(db: Db, caseId: string) {
  return queries(db).selectFrom('archived_plans').select(['id', 'case_id', 'version', 'archived_at', 'content']).where('case_id', '=', caseId).orderBy('version', 'desc').execute();
}

/** An organisation's archived versions archived in [from, to), newest first, at most 500. */
export function searchArchivedPlans(db: Db, organisationId: string, range: { from?: string | undefined; to?: string | undefined }) {
  let rows = queries(db)
    .selectFrom('archived_plans')
    .innerJoin('cases', 'cases.id', 'archived_plans.case_id')
    .select(['archived_plans.id as id', 'archived_plans.case_id as case_id', 'archived_plans.version as version', 'archived_plans.archived_at as archived_at', 'archived_plans.content as content'])
    .where('cases.organisation_id', '=', organisationId);
  if (range.from) rows = rows.where('archived_plans.archived_at', '>=', range.from);
  if (range.to) rows = rows.where('archived_plans.archived_at', '<', range.to);
  return rows.orderBy('archived_plans.archived_at', 'desc').limit(500).execute();
}

/** Every archived version, per case in version order (to verify the chains). */
export function listAllArchivedPlans(db: Db) {
  return queries(db).selectFrom('archived_plans').selectAll().orderBy('case_id').orderBy('version').execute();
}

/** The ids of the case's archived versions (released from the chain when the case is removed). */
export async function archivedIdsOfCase(db: Db, caseId: string): Promise<string[]> {
  return (await queries(db).selectFrom('archived_plans').select('id').where('case_id', '=', caseId).orderBy('version').execute()).map((r) => r.id);
}
