/**
 * The one place that decides who may see or change a case. Every REST route and both sockets
 * ask here, with the facts loaded by `case-access.ts`.
 *
 * - Team members see the case; a member from another organisation only while that
 *   organisation has a valid consent (or recorded legal basis) on the case.
 * - Coordinators of the owning organisation see every case of it (view).
 * - Nobody else learns that the case exists (callers answer 404).
 * - `observer` accounts, and members with `view` access, only read.
 */
import type { Case, CaseMember } from '../db/database.js';
import type { DocAccess } from '../../shared/roles.js';
import type { RoomKind } from '../../shared/rooms.js';
import type { Principal } from '../domain/principal.js';

export interface CaseFacts {
  caseRow: Pick<Case, 'id' | 'organisation_id'>;
  membership: Pick<CaseMember, 'case_role' | 'access'> | undefined;
  /** Whether the principal's organisation has a valid consent on the case (irrelevant for the owner). */
  consentValid: boolean;
}

const sameOrganisation = (p: Principal, facts: CaseFacts) => p.organisationId === facts.caseRow.organisation_id;

/** `null`: the principal has no access to the case at all. */
export function caseAccess(p: Principal, facts: CaseFacts): DocAccess | null {
  if (facts.membership && (sameOrganisation(p, facts) || facts.consentValid)) {
    return p.role === 'observer' ? 'view' : facts.membership.access;
  }
  if (p.role === 'coordinator' && sameOrganisation(p, facts)) return 'view';
  return null;
}

/** Access to one of a case's documents. Internal notes are for professionals, as the case is. */
export function roomAccess(p: Principal, facts: CaseFacts, _kind: RoomKind): DocAccess | null {
  return caseAccess(p, facts);
}

/** The responsible person and the owning organisation's coordinators manage team and consents. */
export function mayManageTeam(p: Principal, facts: CaseFacts): boolean {
  if (caseAccess(p, facts) === null) return false;
  return facts.membership?.case_role === 'responsible' || (p.role === 'coordinator' && sameOrganisation(p, facts));
}

export function mayCreateCase(p: Principal): boolean {
  return p.role !== 'observer' && p.role !== 'admin';
}

/** Who may read (and export) the audit log of their organisation. */
export function mayReadAudit(p: Principal): boolean {
  return p.role === 'coordinator' || p.role === 'admin';
}

/** Administrators manage the accounts of their own organisation. */
export function mayManageAccounts(p: Principal): boolean {
  return p.role === 'admin';
}

/** Roles that can be members of a client's team (not administrators). */
export function mayJoinTeam(role: string): boolean {
  return role !== 'admin';
}
