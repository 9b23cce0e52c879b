/**
 * The one place that decides who may see or change a case. Every REST route and both sockets
 * ask here. For now: members of the organisation that owns a case may edit it; observers view.
 */
import type { Case } from '../db/database.js';
import type { DocAccess } from '../../shared/roles.js';
import type { RoomKind } from '../../shared/rooms.js';
import type { Principal } from '../services/auth-service.js';

/** `null`: the principal has no access to the case at all. */
export function caseAccess(principal: Principal, row: Pick<Case, 'organisation_id'>): DocAccess | null {
  if (row.organisation_id !== principal.organisationId) return null;
  return principal.role === 'observer' ? 'view' : 'edit';
}

/** Access to one of a case's documents. Internal notes follow the case for professionals. */
export function roomAccess(principal: Principal, row: Pick<Case, 'organisation_id'>, _kind: RoomKind): DocAccess | null {
  return caseAccess(principal, row);
}

export function mayCreateCase(principal: Principal): boolean {
  return principal.role !== 'observer';
}
