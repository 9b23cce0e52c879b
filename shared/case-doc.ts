/**
 * The shape of a case's Yjs document, declared once for server, client and tests.
 * Later issues add more structure beside these keys.
 */
import * as Y from 'yjs';

export const CASE_DOC_KEYS = {
  title: 'title',
  notes: 'notes'
} as const;

/** The plan title (a Y.Text). */
export function planTitle(doc: Y.Doc): Y.Text {
  return doc.getText(CASE_DOC_KEYS.title);
}

/** The plan's free-text notes (a Y.Text). */
export function planNotes(doc: Y.Doc): Y.Text {
  return doc.getText(CASE_DOC_KEYS.notes);
}

/** The plain JSON form of the case document. */
export interface CaseDocJson {
  title: string;
  notes: string;
}

/** Turns a case document into its plain JSON form. */
export function caseDocToJson(doc: Y.Doc): CaseDocJson {
  return { title: planTitle(doc).toString(), notes: planNotes(doc).toString() };
}

/** Builds a case document from its plain JSON form (for tests and import). */
export function caseDocFromJson(json: CaseDocJson, doc: Y.Doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    planTitle(doc).insert(0, json.title);
    planNotes(doc).insert(0, json.notes);
  });
  return doc;
}

/** The internal notes document (`case:<id>:internal`) holds the professionals' working notes. */
export const INTERNAL_DOC_KEYS = { notes: 'notes' } as const;

/** The professionals' working notes (a Y.Text in the internal document). */
export function internalNotes(doc: Y.Doc): Y.Text {
  return doc.getText(INTERNAL_DOC_KEYS.notes);
}
