/** The durable form of Yjs documents: a compacted snapshot plus an append-only update log. */
import { sql, type Transaction } from 'kysely';
import * as Y from 'yjs';
import type { Database, Db } from '../db/database.js';
import { handleOf, queries } from '../db/kysely.js';
import { now } from '../db/time.js';
import { groupBy } from '../../shared/group-by.js';
import { applyStored, type DocumentStore, type StoredDocument, type UpdateRow } from '../sync/store.js';

export { applyStored };

export type { DocumentStore, StoredDocument, UpdateRow };

const toBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const toUint8 = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

type Trx = Transaction<Database>;

async function readStored(trx: Trx, docName: string): Promise<StoredDocument> {
  const snap = await trx.selectFrom('document_snapshots').select(['data', 'seq']).where('doc_name', '=', docName).executeTakeFirst();
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
}

/**
 * The stored form of a document, read inside the caller's transaction (after `lockDocuments`,
 * nobody appends to it meanwhile).
 */
export function loadInTransaction(db: Db, docName: string): Promise<StoredDocument> {
  return readStored(queries(db) as unknown as Trx, docName);
}

/** Takes `count` sequence numbers for `docName` (locking its head row); returns the first. */
async function takeSeqs(trx: Trx, docName: string, count: number): Promise<number> {
  const head = await trx
    .insertInto('document_heads')
    .values({ doc_name: docName, last_seq: count })
    .onConflict((oc) => oc.column('doc_name').doUpdateSet({ last_seq: sql<number>`document_heads.last_seq + ${count}` }))
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return Number(head.last_seq) - count + 1;
}

/**
 * Locks the document's head row until the transaction ends: an upsert that changes nothing still
 * takes the row lock in PostgreSQL, and the writer lock in SQLite.
 */
async function lockHead(trx: Trx, docName: string): Promise<void> {
  await takeSeqs(trx, docName, 0);
}

/**
 * Locks the head rows of `docNames` (in name order, like appends) until the transaction ends, so
 * that no instance appends to, compacts or adopts into those documents meanwhile.
 */
export async function lockDocuments(db: Db, docNames: string[]): Promise<void> {
  const trx = queries(db) as unknown as Trx;
  for (const docName of [...docNames].sort()) await lockHead(trx, docName);
}

/**
 * Removes documents with their whole history (retention), inside the caller's transaction: their
 * head rows are locked first, so no instance appends to, compacts or adopts into them meanwhile.
 */
export async function removeDocuments(db: Db, docNames: string[]): Promise<void> {
  await lockDocuments(db, docNames);
  const trx = queries(db);
  for (const doc of docNames) {
    await trx.deleteFrom('document_updates').where('doc_name', '=', doc).execute();
    await trx.deleteFrom('document_snapshots').where('doc_name', '=', doc).execute();
    await trx.deleteFrom('document_heads').where('doc_name', '=', doc).execute();
  }
}

async function insertRows(trx: Trx, rows: Array<UpdateRow & { seq: number }>, createdAt: string): Promise<void> {
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
}

/**
 * Appends rows inside the caller's transaction (as `DocumentStore.append` does in its own): a new
 * case and its first document state are stored together or not at all.
 */
export async function appendInTransaction(db: Db, rows: UpdateRow[]): Promise<void> {
  if (rows.length === 0) return;
  const trx = queries(db) as unknown as Trx;
  const createdAt = now();
  const byDoc = groupBy(rows, (row) => row.docName);
  const numbered: Array<UpdateRow & { seq: number }> = [];
  // Head rows are locked in name order, so two instances' batches cannot deadlock.
  for (const docName of [...byDoc.keys()].sort()) {
    const docRows = byDoc.get(docName)!;
    const first = await takeSeqs(trx, docName, docRows.length);
    docRows.forEach((row, i) => numbered.push({ ...row, seq: first + i }));
  }
  await insertRows(trx, numbered, createdAt);
}

/** The sync server's store (declared in `sync/store.ts`), over the database. */
export function createDocumentStore(db: Db): DocumentStore {
  return {
    load: (docName) => queries(db).transaction().execute((trx) => readStored(trx, docName)),

    async append(rows) {
      if (rows.length === 0) return;
      await queries(db).transaction().execute((trx) => appendInTransaction(handleOf(trx), rows));
    },

    async compact(docName) {
      // The log rows stay: they are the plan's history (who changed what, when). Loading
      // reads the snapshot and only the rows after it.
      return queries(db).transaction().execute(async (trx) => {
        await lockHead(trx, docName);
        const stored = await readStored(trx, docName);
        if (stored.logLength === 0) return 0;
        const doc = new Y.Doc();
        try {
          applyStored(doc, stored);
          const state = toBuffer(Y.encodeStateAsUpdate(doc));
          const updatedAt = now();
          await trx
            .insertInto('document_snapshots')
            .values({ doc_name: docName, seq: stored.lastSeq, data: state, updated_at: updatedAt })
            .onConflict((oc) => oc.column('doc_name').doUpdateSet({ seq: stored.lastSeq, data: state, updated_at: updatedAt }))
            .execute();
        } finally {
          doc.destroy();
        }
        return stored.logLength;
      });
    },

    async adopt(docName, updates, accountId) {
      return queries(db).transaction().execute(async (trx) => {
        await lockHead(trx, docName);
        const doc = new Y.Doc();
        try {
          applyStored(doc, await readStored(trx, docName));
          const missing: Uint8Array[] = [];
          doc.on('update', (u: Uint8Array) => missing.push(u));
          doc.transact(() => {
            for (const update of updates) Y.applyUpdate(doc, update);
          });
          if (missing.length === 0) return false;
          const data = missing.length === 1 ? missing[0]! : Y.mergeUpdates(missing);
          await insertRows(trx, [{ docName, data, accountId, seq: await takeSeqs(trx, docName, 1) }], now());
          return true;
        } finally {
          doc.destroy();
        }
      });
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
  const rows = await queries(db)
    .selectFrom('document_updates')
    .select(['seq', 'account_id', 'created_at'])
    .where('doc_name', '=', docName)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ seq: r.seq, accountId: r.account_id, at: r.created_at }));
}

/** The document as it was after update `seq`: every logged update up to it, replayed. */
export async function documentAt(db: Db, docName: string, seq: number): Promise<Uint8Array[] | null> {
  const rows = await queries(db)
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
