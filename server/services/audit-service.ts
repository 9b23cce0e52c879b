/** Writes the audit log: who did what to which case, when, from where. */
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';
import { insertAudit } from '../repositories/audit-log.js';
import type { AuditAction } from '../../shared/access.js';
import type { Principal, RequestMeta } from '../domain/principal.js';

export interface AuditEvent {
  action: AuditAction;
  principal?: Pick<Principal, 'accountId' | 'organisationId'> | null;
  caseId?: string | null;
  details?: Record<string, unknown>;
  meta?: RequestMeta | null;
}

export async function audit(db: Db, event: AuditEvent): Promise<void> {
  await insertAudit(db, {
    id: crypto.randomUUID(),
    at: now(),
    account_id: event.principal?.accountId ?? null,
    organisation_id: event.principal?.organisationId ?? null,
    case_id: event.caseId ?? null,
    action: event.action,
    details: event.details ? JSON.stringify(event.details).slice(0, 2000) : null,
    ip: event.meta?.ip ?? null,
    user_agent: event.meta?.userAgent?.slice(0, 300) ?? null
  });
}
