/** The audit log: insert and read only; there is deliberately no update or delete here. */
import type { AuditRow, Db } from '../db/database.js';
import { queries } from '../db/kysely.js';

export async function insertAudit(db: Db, row: AuditRow): Promise<void> {
  await queries(db).insertInto('audit_log').values(row).execute();
}

export interface AuditFilter {
  organisationId: string;
  caseId?: string | undefined;
  accountId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

/** Rows about the organisation's own people or its own cases, newest first. */
export function queryAudit(db: Db, filter: AuditFilter) {
  let query = queries(db)
    .selectFrom('audit_log')
    .leftJoin('accounts', 'accounts.id', 'audit_log.account_id')
    .leftJoin('organisations', 'organisations.id', 'audit_log.organisation_id')
    .leftJoin('cases', 'cases.id', 'audit_log.case_id')
    .select([
      'audit_log.id as id',
      'audit_log.at as at',
      'audit_log.account_id as accountId',
      'accounts.name as accountName',
      'organisations.name as organisationName',
      'audit_log.case_id as caseId',
      'cases.display_name as caseName',
      'audit_log.action as action',
      'audit_log.details as details',
      'audit_log.ip as ip'
    ])
    .where((eb) => eb.or([eb('audit_log.organisation_id', '=', filter.organisationId), eb('cases.organisation_id', '=', filter.organisationId)]));
  if (filter.caseId) query = query.where('audit_log.case_id', '=', filter.caseId);
  if (filter.accountId) query = query.where('audit_log.account_id', '=', filter.accountId);
  if (filter.action) query = query.where('audit_log.action', '=', filter.action);
  if (filter.from) query = query.where('audit_log.at', '>=', filter.from);
  if (filter.to) query = query.where('audit_log.at', '<', filter.to);
  return query.orderBy('audit_log.at', 'desc').limit(filter.limit).execute();
}

/** Who (role and organisation) did one of `actions` on the case and when, newest first, at most 2000 rows. */
export function listCaseAccess(db: Db, caseId: string, actions: readonly string[]) {
  return queries(db)
    .selectFrom('audit_log')
    .innerJoin('accounts', 'accounts.id', 'audit_log.account_id')
    .innerJoin('organisations', 'organisations.id', 'audit_log.organisation_id')
    .select(['audit_log.at as at', 'accounts.role as role', 'organisations.name as organisation'])
    .where('audit_log.case_id', '=', caseId)
    .where('audit_log.action', 'in', [...actions])
    .orderBy('audit_log.at', 'desc')
    .limit(2000)
    .execute();
}

/** Every row, oldest first (to adopt them into the keyed chain and to verify it). */
export function listAllAuditRows(db: Db): Promise<AuditRow[]> {
  return queries(db).selectFrom('audit_log').selectAll().orderBy('at').orderBy('id').execute();
}
