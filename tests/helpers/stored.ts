/** What the database holds of a document, read the way the server loads it. */
import * as Y from 'yjs';
import { closeDatabase, openDatabase } from '../../server/db/connect.js';
import type { Db } from '../../server/db/database.js';
import { applyStored, createDocumentStore } from '../../server/repositories/documents.js';
import { planNotes } from '../../shared/case-doc.js';
import type { TestDatabase } from './databases.js';

export async function storedDoc(db: Db, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  applyStored(doc, await createDocumentStore(db).load(room));
  return doc;
}

/** The stored plan notes, read over a connection of our own (for servers in other processes). */
export async function storedNotesIn(database: { dataDir: string; databaseUrl?: string }, room: string): Promise<string> {
  const { db } = await openDatabase(database);
  try {
    return planNotes(await storedDoc(db, room)).toString();
  } finally {
    await closeDatabase(db);
  }
}

/** Runs `work` over a database connection of our own, closed afterwards. */
export async function withDatabase<T>(database: TestDatabase, work: (db: Db) => Promise<T>): Promise<T> {
  const { db } = await openDatabase({ dataDir: database.dataDir, databaseUrl: database.env.DATABASE_URL });
  try {
    return await work(db);
  } finally {
    await closeDatabase(db);
  }
}
