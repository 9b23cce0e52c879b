/** Organisations' own assessment-wheel templates. */
import type { Db, Insertable, WheelTemplateTable } from '../db/database.js';
import { queries } from '../db/kysely.js';

/** An organisation's templates in use, by name. */
export function listWheelTemplates(db: Db, organisationId: string) {
  return queries(db).selectFrom('wheel_templates').selectAll().where('organisation_id', '=', organisationId).where('removed_at', 'is', null).orderBy('name').execute();
}

/** Stores a new template. */
export async function insertWheelTemplate(db: Db, row: Insertable<WheelTemplateTable>): Promise<void> {
  await queries(db).insertInto('wheel_templates').values(row).execute();
}

/** Takes an organisation's template out of use; false when it has no such template in use. */
export async function removeWheelTemplate(db: Db, id: string, organisationId: string, at: string): Promise<boolean> {
  const result = await queries(db)
    .updateTable('wheel_templates')
    .set({ removed_at: at })
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
