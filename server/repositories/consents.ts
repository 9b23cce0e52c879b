/**
 * Consent queries. A consent is valid when not withdrawn and not past its last day: `valid_until`
 * is inclusive and compared with today's Finnish date, so access ends at the following Finnish
 * midnight. Once its end has been processed (`expired_at`) it stays ended.
 */
import type { Consent, Db } from '../db/database.js';
import { queries } from '../db/kysely.js';
import { today } from '../db/time.js';
import { CASE_PARTS, type CasePart } from '../../shared/access.js';

/** The `parts` column (comma separated) as a list, in `CASE_PARTS` order; unknown names are dropped. */
export function partsFromColumn(column: string): CasePart[] {
  const named = new Set(column.split(','));
  return CASE_PARTS.filter((part) => named.has(part));
}

/** A list of parts as the `parts` column stores it. */
export function partsToColumn(parts: readonly CasePart[]): string {
  return CASE_PARTS.filter((part) => parts.includes(part)).join(',');
}

/** `organisationId`'s consents and legal bases on `caseId` that are valid today (Finnish date). */
function validConsents(db: Db, caseId: string, organisationId: string) {
  return queries(db)
    .selectFrom('consents')
    .where('case_id', '=', caseId)
    .where('organisation_id', '=', organisationId)
    .where('withdrawn_at', 'is', null)
    .where('expired_at', 'is', null)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today())]));
}

/** Whether `organisationId` has a valid consent or legal basis on `caseId` now. */
export async function hasValidConsent(db: Db, caseId: string, organisationId: string): Promise<boolean> {
  const row = await validConsents(db, caseId, organisationId).select('id').executeTakeFirst();
  return row !== undefined;
}

/**
 * The parts of `caseId` that `organisationId`'s valid consents and legal bases open now (their
 * union; empty when it has none).
 */
export async function validConsentParts(db: Db, caseId: string, organisationId: string): Promise<CasePart[]> {
  const rows = await validConsents(db, caseId, organisationId).select('parts').execute();
  return partsFromColumn(rows.map((r) => r.parts).join(','));
}

export function isConsentValid(consent: Pick<Consent, 'withdrawn_at' | 'valid_until' | 'expired_at'>): boolean {
  return consent.withdrawn_at === null && consent.expired_at === null && (consent.valid_until === null || consent.valid_until >= today());
}

export function listConsents(db: Db, caseId: string) {
  return queries(db)
    .selectFrom('consents')
    .innerJoin('organisations', 'organisations.id', 'consents.organisation_id')
    .innerJoin('accounts', 'accounts.id', 'consents.recorded_by')
    .selectAll('consents')
    .select(['organisations.name as organisation_name', 'accounts.name as recorded_by_name'])
    .where('consents.case_id', '=', caseId)
    .orderBy('consents.recorded_at', 'desc')
    .execute();
}

export function findConsent(db: Db, id: string): Promise<Consent | undefined> {
  return queries(db).selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertConsent(db: Db, consent: Consent): Promise<void> {
  await queries(db).insertInto('consents').values(consent).execute();
}

export async function markWithdrawn(db: Db, id: string, by: string, at: string): Promise<void> {
  await queries(db).updateTable('consents').set({ withdrawn_by: by, withdrawn_at: at }).where('id', '=', id).execute();
}

export type EndedConsent = Pick<Consent, 'id' | 'case_id' | 'organisation_id' | 'valid_until'>;

/** Consents whose last day is before `day`, not withdrawn, whose end nobody has processed yet. */
export function listEndedUnprocessed(db: Db, day: string): Promise<EndedConsent[]> {
  return queries(db)
    .selectFrom('consents')
    .select(['id', 'case_id', 'organisation_id', 'valid_until'])
    .where('valid_until', '<', day)
    .where('expired_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .orderBy('valid_until')
    .execute();
}

/**
 * Marks a consent's end as processed, only if nobody has (a conditional UPDATE: of several
 * instances racing, exactly one gets `true`).
 */
export async function claimExpiry(db: Db, id: string, day: string, at: string): Promise<boolean> {
  const result = await queries(db)
    .updateTable('consents')
    .set({ expired_at: at })
    .where('id', '=', id)
    .where('expired_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .where('valid_until', '<', day)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
