/** Reading and exporting the audit log (coordinators and administrators, own organisation). */
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { mayReadAudit } from '../access/policy.js';
import { queryAudit } from '../repositories/audit-log.js';
import { findCase } from '../repositories/cases.js';
import type { AuditEntry, AuditQuery } from '../../shared/access.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { toCsv } from './csv.js';

function requireReader(p: Principal): void {
  if (!mayReadAudit(p)) throw new AppError(403, 'forbidden', 'only coordinators and administrators read the audit log');
}

export async function searchAudit(db: Db, p: Principal, query: AuditQuery): Promise<AuditEntry[]> {
  requireReader(p);
  // Stored times are `toISOString()` text; compare like with like.
  const instant = (value: string | undefined) => (value ? new Date(value).toISOString() : undefined);
  return queryAudit(db, { organisationId: p.organisationId, ...query, from: instant(query.from), to: instant(query.to) });
}

/** The whole log of one case of the own organisation as CSV (for a data-subject request). */
export async function exportCaseAudit(db: Db, p: Principal, caseId: string, meta: RequestMeta): Promise<{ filename: string; csv: string }> {
  requireReader(p);
  const row = await findCase(db, caseId);
  if (!row || row.organisation_id !== p.organisationId) throw new AppError(404, 'not_found', 'no such case');
  const entries = await queryAudit(db, { organisationId: p.organisationId, caseId, limit: 100_000 });
  await audit(db, { action: 'audit_export', principal: p, caseId, details: { rows: entries.length }, meta });
  const csv = toCsv(
    entries.map((e) => [e.at, e.action, e.accountName ?? '', e.organisationName ?? '', e.ip ?? '', e.details ?? '']),
    ['time', 'action', 'person', 'organisation', 'ip', 'details']
  );
  return { filename: `audit-${caseId}.csv`, csv };
}
