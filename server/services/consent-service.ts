/** The client's consents (and recorded legal bases) for sharing the case with other organisations. */
import { now, today } from '../db/time.js';
import { AppError } from '../errors.js';
import { inTransaction } from '../repositories/transaction.js';
import { mayManageTeam } from '../access/policy.js';
import { memberIdsOfOrganisation } from '../repositories/case-members.js';
import {
  claimExpiry,
  findConsent,
  insertConsent,
  isConsentValid,
  listConsents,
  listEndedUnprocessed,
  markWithdrawn,
  partsFromColumn,
  partsToColumn,
  validConsentParts
} from '../repositories/consents.js';
import { findOrganisation } from '../repositories/organisations.js';
import { CASE_PARTS, type ConsentView, type RecordConsent } from '../../shared/access.js';
import { compareDates } from '../../shared/finnish-time.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { requireCaseAccess } from './case-access.js';
import type { TeamDeps } from './team-service.js';

export async function getConsents(deps: TeamDeps, p: Principal, caseId: string, meta: RequestMeta): Promise<ConsentView[]> {
  await requireCaseAccess(deps.db, p, caseId, meta);
  const rows = await listConsents(deps.db, caseId);
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    basis: r.basis,
    method: r.method,
    legalBasis: r.legal_basis,
    scope: { parts: partsFromColumn(r.parts), note: r.scope },
    validUntil: r.valid_until,
    recordedBy: r.recorded_by_name,
    recordedAt: r.recorded_at,
    withdrawnAt: r.withdrawn_at,
    active: isConsentValid(r)
  }));
}

async function requireManager(deps: TeamDeps, p: Principal, caseId: string, meta: RequestMeta) {
  const result = await requireCaseAccess(deps.db, p, caseId, meta);
  if (!mayManageTeam(p, result.facts)) throw new AppError(403, 'forbidden', 'only the responsible person or a coordinator may record consents');
  return result;
}

export async function recordConsent(deps: TeamDeps, p: Principal, caseId: string, body: RecordConsent, meta: RequestMeta): Promise<{ id: string }> {
  const { facts } = await requireManager(deps, p, caseId, meta);
  const organisation = await findOrganisation(deps.db, body.organisationId);
  if (!organisation) throw new AppError(400, 'validation_failed', 'no such organisation', 'organisationId');
  if (organisation.id === facts.caseRow.organisation_id) {
    throw new AppError(400, 'validation_failed', 'the owning organisation needs no consent', 'organisationId');
  }
  if (body.validUntil && compareDates(body.validUntil, today()) < 0) {
    throw new AppError(400, 'validation_failed', 'validUntil: the date is in the past', 'validUntil');
  }
  const id = crypto.randomUUID();
  await inTransaction(deps.db, async (trx) => {
    await insertConsent(trx, {
      id,
      case_id: caseId,
      organisation_id: organisation.id,
      basis: body.basis,
      method: body.basis === 'consent' ? body.method : null,
      legal_basis: body.basis === 'legal_basis' ? body.legalBasis : null,
      scope: body.scope.note,
      parts: partsToColumn(body.scope.parts),
      valid_until: body.validUntil,
      recorded_by: p.accountId,
      recorded_at: now(),
      withdrawn_by: null,
      withdrawn_at: null,
      expired_at: null
    });
    await audit(trx, { action: 'consent_change', principal: p, caseId, details: { recorded: id, organisationId: organisation.id, basis: body.basis, parts: body.scope.parts }, meta });
  });
  deps.realtime.changed(caseId);
  return { id };
}

/** Withdraws a consent; if the organisation has no other valid one, its members lose access at once. */
export async function withdrawConsent(deps: TeamDeps, p: Principal, caseId: string, consentId: string, meta: RequestMeta): Promise<void> {
  await requireManager(deps, p, caseId, meta);
  const consent = await findConsent(deps.db, consentId);
  if (!consent || consent.case_id !== caseId) throw new AppError(404, 'not_found', 'no such consent');
  if (consent.withdrawn_at !== null) return;
  await inTransaction(deps.db, async (trx) => {
    await markWithdrawn(trx, consentId, p.accountId, now());
    await audit(trx, { action: 'consent_change', principal: p, caseId, details: { withdrawn: consentId, organisationId: consent.organisation_id }, meta });
  });
  await closeLostParts(deps, caseId, consent.organisation_id);
  deps.realtime.changed(caseId);
}

/**
 * The organisation lost its ground for seeing the case (its consent withdrawn or expired): its
 * members' connections to the case close on every instance, through the one close path.
 */
export async function closeOrganisationConnections(deps: Pick<TeamDeps, 'db' | 'close'>, caseId: string, organisationId: string): Promise<void> {
  deps.close.closeCaseAccess(caseId, await memberIdsOfOrganisation(deps.db, caseId, organisationId));
}

/**
 * After one of the organisation's consents ended: without another valid one its members lose the
 * case; with a narrower one still valid they lose the parts it does not cover.
 */
async function closeLostParts(deps: Pick<TeamDeps, 'db' | 'close'>, caseId: string, organisationId: string): Promise<void> {
  const remaining = await validConsentParts(deps.db, caseId, organisationId);
  if (remaining.length === 0) return closeOrganisationConnections(deps, caseId, organisationId);
  const lost = CASE_PARTS.filter((part) => !remaining.includes(part));
  if (lost.length > 0) deps.close.closeCaseParts(caseId, await memberIdsOfOrganisation(deps.db, caseId, organisationId), lost);
}

/**
 * Ends the consents whose last day has passed in Finnish time, as a withdrawal does: an audit row
 * and, unless the organisation has another valid consent, its members' live connections closed
 * (on every instance). Each consent is claimed by a conditional UPDATE, so however many instances
 * sweep at once, one of them processes it, once. Returns how many this call processed.
 */
export async function expireEndedConsents(deps: TeamDeps): Promise<number> {
  const day = today();
  let processed = 0;
  for (const consent of await listEndedUnprocessed(deps.db, day)) {
    const claimed = await inTransaction(deps.db, async (trx) => {
      if (!(await claimExpiry(trx, consent.id, day, now()))) return false;
      await audit(trx, {
        action: 'consent_change',
        principal: null,
        caseId: consent.case_id,
        details: { expired: consent.id, organisationId: consent.organisation_id, validUntil: consent.valid_until },
        meta: null
      });
      return true;
    });
    if (!claimed) continue;
    processed++;
    await closeLostParts(deps, consent.case_id, consent.organisation_id);
    deps.realtime.changed(consent.case_id);
  }
  return processed;
}
