/** The durable form of Yjs documents: a compacted snapshot plus an append-only update log. */
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';

export interface StoredDocument {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
  /** The highest sequence number stored for the document (0 when empty). */
  lastSeq: number;
  /** How many log rows are not yet merged into the snapshot. */
  logLength: number;
}

export interface UpdateRow {
  docName: string;
  seq: number;
  data: Uint8Array;
  accountId: string | null;
}

/** What the sync server needs from storage; tests wrap it to inject faults. */
export interface DocumentStore {
  load(docName: string): Promise<StoredDocument>;
  /** Appends rows of any documents in one transaction. */
  append(rows: UpdateRow[]): Promise<void>;
  /** Replaces the snapshot with `state`, which holds every update up to `seq`. */
  compact(docName: string, state: Uint8Array, seq: number): Promise<void>;
}

const toBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const toUint8 = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** The Kysely implementation of `DocumentStore`. */
export function createDocumentStore(db: Db): DocumentStore {
  return {
    async load(docName) {
      return db.transaction().execute(async (trx) => {
        const snap = await trx
          .selectFrom('document_snapshots')
          .select(['data', 'seq'])
          .where('doc_name', '=', docName)
          .executeTakeFirst();
        const snapSeq = snap?.seq ?? 0;
        const rows = await trx
          .selectFrom('document_updates')
          .select(['data', 'seq'])
          .where('doc_name', '=', docName)
          .where('seq', '>', snapSeq)
          .orderBy('seq')
          .execute();
        return {
          snapshot: snap ? toUint8(snap.data) : null,
          updates: rows.map((r) => toUint8(r.data)),
          lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : snapSeq,
          logLength: rows.length
        };
      });
    },

    async append(rows) {
      if (rows.length === 0) return;
      const createdAt = now();
      await db.transaction().execute(async (trx) => {
        // Chunked to stay under SQLite's bound-parameter limit.
        for (let i = 0; i < rows.length; i += 500) {
          await trx
            .insertInto('document_updates')
            .values(
              rows.slice(i, i + 500).map((r) => ({
                doc_name: r.docName,
                seq: r.seq,
                data: toBuffer(r.data),
                account_id: r.accountId,
                created_at: createdAt
              }))
            )
            .execute();
        }
      });
    },

    async compact(docName, state, seq) {
      // The log rows stay: they are the plan's history (who changed what, when). Loading
      // reads the snapshot and only the rows after it.
      const updatedAt = now();
      await db
        .insertInto('document_snapshots')
        .values({ doc_name: docName, seq, data: toBuffer(state), updated_at: updatedAt })
        .onConflict((oc) => oc.column('doc_name').doUpdateSet({ seq, data: toBuffer(state), updated_at: updatedAt }))
        .execute();
    }
  };
}

export interface HistoryRow {
  seq: number;
  accountId: string | null;
  at: string;
}

/** Who stored each update of a document, and when (no content). */
export async function documentHistory(db: Db, docName: string): Promise<HistoryRow[]> {
  const rows = await db
    .selectFrom('document_updates')
    .select(['seq', 'account_id', 'created_at'])
    .where('doc_name', '=', docName)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ seq: r.seq, accountId: r.account_id, at: r.created_at }));
}

/** The document as it was after update `seq`: every logged update up to it, replayed. */
export async function documentAt(db: Db, docName: string, seq: number): Promise<Uint8Array[] | null> {
  const rows = await db
    .selectFrom('document_updates')
    .select(['seq', 'data'])
    .where('doc_name', '=', docName)
    .where('seq', '<=', seq)
    .orderBy('seq')
    .execute();
  // A log that does not start at 1 lost its beginning (compacted before history was kept).
  if (rows.length === 0 || rows[0]!.seq !== 1) return null;
  return rows.map((r) => toUint8(r.data));
}
