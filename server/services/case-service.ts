/** Cases: list and search, create, open, and room authorisation. Every function checks access first. */
import * as Y from 'yjs';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { appendInTransaction } from '../repositories/documents.js';
import { ensurePlan } from '../../shared/plan/doc.js';
import { ensureView } from '../../shared/views/index.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import { caseAccess, mayCreateCase, mayManageTeam, roomAccess, visibleParts } from '../access/policy.js';
import { insertCase, listCandidateCases } from '../repositories/cases.js';
import { insertMember } from '../repositories/case-members.js';
import { validConsentParts } from '../repositories/consents.js';
import type { CaseSummary } from '../../shared/api-types.js';
import type { CreateCaseBody } from '../../shared/schemas.js';
import type { DocAccess } from '../../shared/roles.js';
import type { CasePart } from '../../shared/access.js';
import { caseRoom, parseRoomName, VIEW_KINDS, viewRoom } from '../../shared/rooms.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { loadCaseFacts, requireCaseAccess } from './case-access.js';

function summary(
  row: { id: string; display_name: string; organisation_id: string; created_at: string; closed_at?: string | null },
  access: DocAccess,
  canManage: boolean,
  parts: CasePart[]
): CaseSummary {
  return { id: row.id, displayName: row.display_name, organisationId: row.organisation_id, createdAt: row.created_at, access, canManage, closedAt: row.closed_at ?? null, parts };
}

export async function listCases(db: Db, p: Principal, search?: string): Promise<CaseSummary[]> {
  const rows = await listCandidateCases(db, p.accountId, p.role === 'coordinator' ? p.organisationId : null, search);
  const visible: CaseSummary[] = [];
  for (const row of rows) {
    const membership = row.case_role && row.member_access ? { case_role: row.case_role as 'responsible', access: row.member_access } : undefined;
    const consentParts = row.organisation_id === p.organisationId ? [] : await validConsentParts(db, row.id, p.organisationId);
    const facts = { caseRow: row, membership, consentValid: row.organisation_id === p.organisationId || consentParts.length > 0, consentParts };
    const access = caseAccess(p, facts);
    if (access) visible.push(summary(row, access, mayManageTeam(p, facts), visibleParts(p, facts)));
  }
  return visible;
}

/** Creates a case owned by the principal's organisation, with the principal as responsible person. */
export async function createCase(db: Db, p: Principal, body: CreateCaseBody, meta: RequestMeta): Promise<{ id: string }> {
  if (!mayCreateCase(p)) throw new AppError(403, 'forbidden', 'your role may not create cases');
  const id = crypto.randomUUID();
  const at = now();
  // The shared types of the plan and of each view (each in its own document) are created here,
  // once, so that no two browsers create them at once (two concurrent creations of one map key
  // would leave only one of them).
  const doc = new Y.Doc();
  ensurePlan(doc);
  const documents = [{ docName: caseRoom(id), data: Y.encodeStateAsUpdate(doc), accountId: p.accountId }];
  for (const view of VIEW_KINDS) {
    const viewDoc = new Y.Doc();
    ensureView(viewDoc, view);
    documents.push({ docName: viewRoom(id, view), data: Y.encodeStateAsUpdate(viewDoc), accountId: p.accountId });
  }
  // The case and its documents are stored together: never a case without its plan.
  await inTransaction(db, async (trx) => {
    await insertCase(trx, {
      id,
      organisation_id: p.organisationId,
      display_name: body.displayName,
      gender: body.gender,
      birth_year: body.birthYear,
      created_by: p.accountId,
      created_at: at,
      views_moved_at: at
    });
    await insertMember(trx, { case_id: id, account_id: p.accountId, case_role: 'responsible', access: 'edit', added_by: p.accountId, added_at: at });
    await appendInTransaction(trx, documents);
    await audit(trx, { action: 'case_created', principal: p, caseId: id, meta });
  });
  return { id };
}

export async function getCase(db: Db, p: Principal, id: string, meta: RequestMeta): Promise<CaseSummary> {
  const { facts, access } = await requireCaseAccess(db, p, id, meta);
  await audit(db, { action: 'case_view', principal: p, caseId: id, meta });
  return summary(facts.caseRow, access, mayManageTeam(p, facts), visibleParts(p, facts));
}

/** Records that the principal printed the case's plan (browser print of the print view). */
export async function recordPrint(db: Db, p: Principal, id: string, meta: RequestMeta): Promise<void> {
  await requireCaseAccess(db, p, id, meta, 'plan');
  await audit(db, { action: 'print', principal: p, caseId: id, meta });
}

/**
 * Decides access to a Yjs room: 404 for unknown rooms and for cases the principal may not see,
 * 403 for a part of a case the principal's organisation's consent does not cover.
 */
export async function authoriseRoom(db: Db, p: Principal, roomName: string, meta: RequestMeta): Promise<{ access: DocAccess; caseId: string }> {
  const ref = parseRoomName(roomName);
  if (!ref) throw new AppError(404, 'not_found', 'no such room');
  const facts = await loadCaseFacts(db, p, ref.caseId);
  const access = facts ? roomAccess(p, facts, ref.kind) : null;
  if (!facts || !access) {
    if (facts) await audit(db, { action: 'access_denied', principal: p, caseId: ref.caseId, details: { room: roomName }, meta });
    if (facts && caseAccess(p, facts)) throw new AppError(403, 'forbidden', "the client's consent does not cover this part of the case");
    throw new AppError(404, 'not_found', 'no such room');
  }
  return { access, caseId: ref.caseId };
}
