/** Organisation queries. */
import type { Db, Organisation, Insertable, OrganisationTable } from '../db/database.js';

export function findOrganisationByName(db: Db, name: string): Promise<Organisation | undefined> {
  return db.selectFrom('organisations').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findOrganisation(db: Db, id: string): Promise<Organisation | undefined> {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertOrganisation(db: Db, org: Insertable<OrganisationTable>): Promise<void> {
  await db.insertInto('organisations').values(org).execute();
}
