/** Consent queries. A consent is valid when not withdrawn and not past its last day. */
import type { Consent, Db } from '../db/database.js';
import { queries } from '../db/kysely.js';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Whether `organisationId` has a valid consent or legal basis on `caseId` now. */
export async function hasValidConsent(db: Db, caseId: string, organisationId: string): Promise<boolean> {
  const row = await queries(db)
    .selectFrom('consents')
    .select('id')
    .where('case_id', '=', caseId)
    .where('organisation_id', '=', organisationId)
    .where('withdrawn_at', 'is', null)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today())]))
    .executeTakeFirst();
  return row !== undefined;
}

export function isConsentValid(consent: Pick<Consent, 'withdrawn_at' | 'valid_until'>): boolean {
  return consent.withdrawn_at === null && (consent.valid_until === null || consent.valid_until >= today());
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
