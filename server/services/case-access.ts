/** Loads the facts the policy needs about one case and one principal. */
import type { Case, Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { caseAccess, partAccess, type CaseFacts } from '../access/policy.js';
import { findCase } from '../repositories/cases.js';
import { findMembership } from '../repositories/case-members.js';
import { validConsentParts } from '../repositories/consents.js';
import type { CasePart } from '../../shared/access.js';
import type { DocAccess } from '../../shared/roles.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';

export type LoadedCaseFacts = CaseFacts & { caseRow: Case };

export async function loadCaseFacts(db: Db, p: Principal, caseId: string): Promise<LoadedCaseFacts | null> {
  const caseRow = await findCase(db, caseId);
  if (!caseRow) return null;
  const membership = await findMembership(db, caseId, p.accountId);
  if (caseRow.organisation_id === p.organisationId) return { caseRow, membership, consentValid: true, consentParts: [] };
  const consentParts = await validConsentParts(db, caseId, p.organisationId);
  return { caseRow, membership, consentValid: consentParts.length > 0, consentParts };
}

export interface CaseAccessResult {
  facts: LoadedCaseFacts;
  access: DocAccess;
}

/**
 * The principal's access to a case, or 404 for both unknown and inaccessible cases (so nobody
 * learns that a case they may not see exists); a refused existing case is audited. With `parts`,
 * also those parts of it: a member whose organisation's consent does not cover it gets 403 (they
 * know the case exists), audited too.
 */
export async function requireCaseAccess(
  db: Db,
  p: Principal,
  caseId: string,
  meta: RequestMeta | null,
  ...parts: CasePart[]
): Promise<CaseAccessResult> {
  const facts = await loadCaseFacts(db, p, caseId);
  const access = facts ? caseAccess(p, facts) : null;
  if (!facts || !access) {
    if (facts) await audit(db, { action: 'access_denied', principal: p, caseId, meta });
    throw new AppError(404, 'not_found', 'no such case');
  }
  const part = parts.find((wanted) => !partAccess(p, facts, wanted));
  if (part) {
    await audit(db, { action: 'access_denied', principal: p, caseId, details: { part }, meta });
    throw new AppError(403, 'forbidden', `the client's consent does not cover the ${part}`);
  }
  return { facts, access };
}
