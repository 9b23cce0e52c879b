/**
 * The one-time move of the wheel, the network map and the guidance path out of the case's shared
 * document (`case:<id>`), where cases made before consent scopes kept them, into their own
 * documents (`case:<id>:wheel`, `…:network`, `…:path`). Runs at start-up, before any connection
 * is accepted; see `../../shared/views/README.md`.
 */
import * as Y from 'yjs';
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';
import { inTransaction } from '../repositories/transaction.js';
import { appendInTransaction, applyStored, loadInTransaction, lockDocuments, type UpdateRow } from '../repositories/documents.js';
import { casesWithViewsInside, markViewsMoved, viewsStillInside } from '../repositories/cases.js';
import { caseRoom, VIEW_KINDS, viewRoom } from '../../shared/rooms.js';
import { ensureView, holdsView, moveView } from '../../shared/views/index.js';

/** A stored document, loaded, with every change made to it from now on collected. */
async function openStored(db: Db, docName: string): Promise<{ doc: Y.Doc; changes: Uint8Array[] }> {
  const doc = new Y.Doc();
  applyStored(doc, await loadInTransaction(db, docName));
  const changes: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => changes.push(update));
  return { doc, changes };
}

/** Moves one case's views inside one transaction; false when another instance had moved them. */
async function moveCase(db: Db, caseId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // The head rows of the four documents are locked first (as every append, compaction and
    // adoption does), then the flag is read again: of several instances starting at once, the
    // first moves the case and the others find it moved.
    await lockDocuments(trx, [caseRoom(caseId), ...VIEW_KINDS.map((view) => viewRoom(caseId, view))]);
    if (!(await viewsStillInside(trx, caseId))) return false;
    const plan = await openStored(trx, caseRoom(caseId));
    const opened: Y.Doc[] = [plan.doc];
    try {
      const rows: UpdateRow[] = [];
      for (const view of VIEW_KINDS) {
        const target = await openStored(trx, viewRoom(caseId, view));
        opened.push(target.doc);
        if (holdsView(plan.doc, view)) moveView(plan.doc, target.doc, view);
        else ensureView(target.doc, view);
        if (target.changes.length > 0) rows.push({ docName: viewRoom(caseId, view), data: Y.mergeUpdates(target.changes), accountId: null });
      }
      if (plan.changes.length > 0) rows.push({ docName: caseRoom(caseId), data: Y.mergeUpdates(plan.changes), accountId: null });
      await appendInTransaction(trx, rows);
      await markViewsMoved(trx, caseId, now());
      return true;
    } finally {
      for (const doc of opened) doc.destroy();
    }
  });
}

/** Moves the views of every case that still has them inside its shared document; returns how many this call moved. */
export async function moveViewsOut(db: Db): Promise<number> {
  let moved = 0;
  for (const caseId of await casesWithViewsInside(db)) {
    if (await moveCase(db, caseId)) moved++;
  }
  return moved;
}
