/**
 * What sync needs from storage, declared here so that sync knows nothing of the database: the
 * application passes an implementation (`repositories/documents.ts`).
 */
import * as Y from 'yjs';

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
  data: Uint8Array;
  accountId: string | null;
}

/** What the sync server needs from storage (the repository implements it); tests wrap it to inject faults. */
export interface DocumentStore {
  load(docName: string): Promise<StoredDocument>;
  /**
   * Appends rows of any documents in one transaction. The database gives each row the next
   * sequence number of its document, so any number of instances may append to one document.
   */
  append(rows: UpdateRow[]): Promise<void>;
  /**
   * Merges the stored log into the snapshot, reading both from the database with the
   * document's head row locked (so it never races an append or another compaction); returns
   * how many log rows it merged.
   */
  compact(docName: string): Promise<number>;
  /**
   * Stores, as one row, whatever part of `updates` (applied together, in order, so that one
   * building on another is not left pending) the stored document does not already hold, with
   * the head row locked; returns whether anything was missing. For updates another instance
   * received and could not store before it died.
   */
  adopt(docName: string, updates: Uint8Array[], accountId: string | null): Promise<boolean>;
}

/** Applies a stored document (its snapshot, then the updates logged after it) in one transaction. */
export function applyStored(doc: Y.Doc, stored: Pick<StoredDocument, 'snapshot' | 'updates'>, origin: unknown = null): void {
  doc.transact(() => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, origin);
    for (const update of stored.updates) Y.applyUpdate(doc, update, origin);
  }, origin);
}
