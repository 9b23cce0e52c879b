import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * One row per document holding its last sequence number. Appending takes the next numbers from
 * it in the same transaction (an upsert that locks the row), so two instances writing the same
 * document get distinct numbers, and compaction locks the same row so it never races an append.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('document_heads')
    .addColumn('doc_name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO document_heads (doc_name, last_seq)
    SELECT doc_name, MAX(seq) FROM (
      SELECT doc_name, seq FROM document_updates UNION ALL SELECT doc_name, seq FROM document_snapshots
    ) AS stored GROUP BY doc_name`.execute(db);
}
