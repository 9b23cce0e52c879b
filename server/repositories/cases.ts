/** Case queries. */
import type { Case, Db } from '../db/database.js';

export function findCase(db: Db, id: string): Promise<Case | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listCasesOfOrganisation(db: Db, organisationId: string): Promise<Case[]> {
  return db
    .selectFrom('cases')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function insertCase(db: Db, row: Case): Promise<void> {
  await db.insertInto('cases').values(row).execute();
}
