/** The plan's history: who changed it when (from the stored update log), and the plan at any point. */
import * as Y from 'yjs';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { accountNames } from '../repositories/accounts.js';
import { documentAt, documentHistory } from '../repositories/documents.js';
import { planToJson, type PlanJson } from '../../shared/plan/json.js';
import { caseRoom } from '../../shared/rooms.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { requireCaseAccess } from './case-access.js';

/** A person's run of edits with no pause longer than this belongs to one editing session. */
const SESSION_GAP_MS = 10 * 60_000;

export interface HistoryEntry {
  accountId: string | null;
  name: string | null;
  from: string;
  to: string;
  updates: number;
  /** View the plan as it was at the end of this session with this sequence number. */
  untilSeq: number;
}

/** The case plan's change history, newest first, grouped per person and editing session. */
export async function planHistory(db: Db, p: Principal, caseId: string, meta: RequestMeta): Promise<HistoryEntry[]> {
  await requireCaseAccess(db, p, caseId, meta, 'plan');
  const rows = await documentHistory(db, caseRoom(caseId));
  const names = await accountNames(db);
  const open = new Map<string, HistoryEntry>();
  const entries: HistoryEntry[] = [];
  for (const row of rows) {
    const key = row.accountId ?? 'system';
    const current = open.get(key);
    if (current && Date.parse(row.at) - Date.parse(current.to) <= SESSION_GAP_MS) {
      current.to = row.at;
      current.updates++;
      current.untilSeq = row.seq;
      continue;
    }
    const entry: HistoryEntry = {
      accountId: row.accountId,
      name: row.accountId ? (names.get(row.accountId) ?? null) : null,
      from: row.at,
      to: row.at,
      updates: 1,
      untilSeq: row.seq
    };
    open.set(key, entry);
    entries.push(entry);
  }
  return entries.reverse();
}

/** The plan as it was after update `seq` (read-only); audited as a view. */
export async function planAt(db: Db, p: Principal, caseId: string, seq: number, meta: RequestMeta): Promise<PlanJson> {
  await requireCaseAccess(db, p, caseId, meta, 'plan');
  const updates = await documentAt(db, caseRoom(caseId), seq);
  if (!updates) throw new AppError(404, 'not_found', 'the history does not reach that far back');
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  await audit(db, { action: 'case_view', principal: p, caseId, details: { historySeq: seq }, meta });
  return planToJson(doc);
}
