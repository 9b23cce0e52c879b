/** Organisation queries. */
import type { Db, Organisation, Insertable, OrganisationTable } from '../db/database.js';
import { queries } from '../db/kysely.js';

export function findOrganisationByName(db: Db, name: string): Promise<Organisation | undefined> {
  return queries(db).selectFrom('organisations').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findOrganisation(db: Db, id: string): Promise<Organisation | undefined> {
  return queries(db).selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertOrganisation(db: Db, org: Insertable<OrganisationTable>): Promise<void> {
  await queries(db).insertInto('organisations').values(org).execute();
}

/** Every organisation, by name. */
export function listOrganisations(db: Db) {
  return queries(db).selectFrom('organisations').select(['id', 'name', 'kind']).orderBy('name').execute();
}

export async function setRetentionYears(db: Db, id: string, years: number): Promise<void> {
  await queries(db).updateTable('organisations').set({ retention_years: years }).where('id', '=', id).execute();
}

/** An organisation's name (it must exist). */
export function organisationName(db: Db, id: string): Promise<{ name: string }> {
  return queries(db).selectFrom('organisations').select('name').where('id', '=', id).executeTakeFirstOrThrow();
}
