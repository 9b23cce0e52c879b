/** What the database holds of a document, read the way the server loads it. */
import * as Y from 'yjs';
import { closeDatabase, openDatabase } from '../../server/db/connect.js';
import type { Db } from '../../server/db/database.js';
import { applyStored, createDocumentStore } from '../../server/repositories/documents.js';
import { planNotes } from '../../shared/case-doc.js';

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
