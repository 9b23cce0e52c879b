/** Cases: list, create, open. Every function checks access first. */
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import { caseAccess, mayCreateCase, roomAccess } from '../access/policy.js';
import { findCase, insertCase, listCasesOfOrganisation } from '../repositories/cases.js';
import type { CaseSummary } from '../../shared/api-types.js';
import type { CreateCaseBody } from '../../shared/schemas.js';
import type { DocAccess } from '../../shared/roles.js';
import { parseRoomName } from '../../shared/rooms.js';
import type { Principal } from './auth-service.js';

function summary(row: { id: string; display_name: string; organisation_id: string; created_at: string }, access: DocAccess): CaseSummary {
  return { id: row.id, displayName: row.display_name, organisationId: row.organisation_id, createdAt: row.created_at, access };
}

export async function listCases(db: Db, principal: Principal): Promise<CaseSummary[]> {
  const rows = await listCasesOfOrganisation(db, principal.organisationId);
  return rows.flatMap((row) => {
    const access = caseAccess(principal, row);
    return access ? [summary(row, access)] : [];
  });
}

export async function createCase(db: Db, principal: Principal, body: CreateCaseBody): Promise<{ id: string }> {
  if (!mayCreateCase(principal)) throw new AppError(403, 'forbidden', 'your role may not create cases');
  const id = crypto.randomUUID();
  await insertCase(db, {
    id,
    organisation_id: principal.organisationId,
    display_name: body.displayName,
    created_by: principal.accountId,
    created_at: now()
  });
  return { id };
}

export async function getCase(db: Db, principal: Principal, id: string): Promise<CaseSummary> {
  const row = await findCase(db, id);
  if (!row) throw new AppError(404, 'not_found', 'no such case');
  const access = caseAccess(principal, row);
  if (!access) throw new AppError(403, 'forbidden', 'you have no access to this case');
  return summary(row, access);
}

/** Decides access to a Yjs room; throws 404 for unknown rooms and 403 for forbidden ones. */
export async function authoriseRoom(db: Db, principal: Principal, roomName: string): Promise<DocAccess> {
  const ref = parseRoomName(roomName);
  if (!ref) throw new AppError(404, 'not_found', 'no such room');
  const row = await findCase(db, ref.caseId);
  if (!row) throw new AppError(404, 'not_found', 'no such room');
  const access = roomAccess(principal, row, ref.kind);
  if (!access) throw new AppError(403, 'forbidden', 'you have no access to this room');
  return access;
}
