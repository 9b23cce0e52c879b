/** The readiness probe's round trip to the database. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { queries } from '../db/kysely.js';

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(queries(db));
}
