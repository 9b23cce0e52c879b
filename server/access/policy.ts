/**
 * The one place that decides who may see or change a case. Every REST route and both sockets
 * ask here, with the facts loaded by `case-access.ts`.
 *
 * - Team members see the case; a member from another organisation only while that
 *   organisation has a valid consent (or recorded legal basis) on the case.
 * - Coordinators of the owning organisation see every case of it (view).
 * - Nobody else learns that the case exists (callers answer 404).
 * - `observer` accounts, and members with `view` access, only read.
 * - A member from another organisation sees only the parts of the case (plan, wheel, network
 *   map, guidance path, meetings) that its organisation's valid consents cover; the owning
 *   organisation sees every part.
 */
import type { Case, CaseMember } from '../db/database.js';
import type { DocAccess } from '../../shared/roles.js';
import { CASE_PARTS, type CasePart } from '../../shared/access.js';
import type { RoomKind } from '../../shared/rooms.js';
import type { Principal } from '../domain/principal.js';

export interface CaseFacts {
  caseRow: Pick<Case, 'id' | 'organisation_id'>;
  membership: Pick<CaseMember, 'case_role' | 'access'> | undefined;
  /** Whether the principal's organisation has a valid consent on the case (irrelevant for the owner). */
  consentValid: boolean;
  /** The parts the principal's organisation's valid consents cover (irrelevant for the owner). */
  consentParts: readonly CasePart[];
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

/**
 * The parts of the case the principal may see: every part for the owning organisation, what its
 * consents cover for another organisation's member, nothing without access.
 */
export function visibleParts(p: Principal, facts: CaseFacts): CasePart[] {
  if (caseAccess(p, facts) === null) return [];
  return sameOrganisation(p, facts) ? [...CASE_PARTS] : CASE_PARTS.filter((part) => facts.consentParts.includes(part));
}

/** Access to one part of the case: the case's access, if the part is visible to the principal. */
export function partAccess(p: Principal, facts: CaseFacts, part: CasePart): DocAccess | null {
  return visibleParts(p, facts).includes(part) ? caseAccess(p, facts) : null;
}

/**
 * The part each document belongs to. Internal notes go with the plan: they are the
 * professionals' working notes on it, and a consent that withholds the plan withholds them too.
 */
export const ROOM_PART: Record<RoomKind, CasePart> = { case: 'plan', internal: 'plan', wheel: 'wheel', network: 'network', path: 'path' };

/** Access to one of a case's documents: the access to the part it belongs to. */
export function roomAccess(p: Principal, facts: CaseFacts, kind: RoomKind): DocAccess | null {
  return partAccess(p, facts, ROOM_PART[kind]);
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
