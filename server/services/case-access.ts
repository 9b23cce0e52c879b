/** Loads the facts the policy needs about one case and one principal. */
import type { Case, Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { caseAccess, type CaseFacts } from '../access/policy.js';
import { findCase } from '../repositories/cases.js';
import { findMembership } from '../repositories/case-members.js';
import { hasValidConsent } from '../repositories/consents.js';
import type { DocAccess } from '../../shared/roles.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';

export type LoadedCaseFacts = CaseFacts & { caseRow: Case };

export async function loadCaseFacts(db: Db, p: Principal, caseId: string): Promise<LoadedCaseFacts | null> {
  const caseRow = await findCase(db, caseId);
  if (!caseRow) return null;
  const membership = await findMembership(db, caseId, p.accountId);
  const consentValid = caseRow.organisation_id === p.organisationId ? true : await hasValidConsent(db, caseId, p.organisationId);
  return { caseRow, membership, consentValid };
}

export interface CaseAccessResult {
  facts: LoadedCaseFacts;
  access: DocAccess;
}

/**
 * The principal's access to a case, or 404 for both unknown and inaccessible cases (so nobody
 * learns that a case they may not see exists); a refused existing case is audited.
 */
export async function requireCaseAccess(db: Db, p: Principal, caseId: string, meta: RequestMeta | null): Promise<CaseAccessResult> {
  const facts = await loadCaseFacts(db, p, caseId);
  const access = facts ? caseAccess(p, facts) : null;
  if (!facts || !access) {
    if (facts) await audit(db, { action: 'access_denied', principal: p, caseId, meta });
    throw new AppError(404, 'not_found', 'no such case');
  }
  return { facts, access };
}
