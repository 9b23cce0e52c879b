/** The case team: members, the responsible person, and who may join. */
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import { mayJoinTeam, mayManageTeam } from '../access/policy.js';
import type { CaseRealtime } from '../realtime/case-realtime.js';
import type { ClosePath } from '../realtime/close-path.js';
import { findAccountStanding, listTeamCandidates } from '../repositories/accounts.js';
import { deleteMember, findMemberWithAccount, findMembership, findResponsible, insertMember, listMembers, setCaseRole } from '../repositories/case-members.js';
import { hasValidConsent } from '../repositories/consents.js';
import type { AddMember, TeamMember } from '../../shared/access.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { requireCaseAccess, type CaseAccessResult } from './case-access.js';

export interface TeamDeps {
  db: Db;
  realtime: CaseRealtime;
  close: ClosePath;
}

async function requireManager(db: Db, p: Principal, caseId: string, meta: RequestMeta): Promise<CaseAccessResult> {
  const result = await requireCaseAccess(db, p, caseId, meta);
  if (!mayManageTeam(p, result.facts)) {
    throw new AppError(403, 'forbidden', 'only the responsible person or a coordinator may change the team');
  }
  return result;
}

export async function listTeam(db: Db, p: Principal, caseId: string, meta: RequestMeta): Promise<TeamMember[]> {
  const { facts } = await requireCaseAccess(db, p, caseId, meta);
  const members = await listMembers(db, caseId);
  const consentByOrg = new Map<string, boolean>();
  const result: TeamMember[] = [];
  for (const m of members) {
    let active = m.organisationId === facts.caseRow.organisation_id;
    if (!active) {
      if (!consentByOrg.has(m.organisationId)) consentByOrg.set(m.organisationId, await hasValidConsent(db, caseId, m.organisationId));
      active = consentByOrg.get(m.organisationId)!;
    }
    result.push({ ...m, active });
  }
  return result;
}

/** People who could be added: active accounts of the owning organisation and of organisations with consent. */
export async function listCandidates(db: Db, p: Principal, caseId: string, meta: RequestMeta) {
  const { facts } = await requireManager(db, p, caseId, meta);
  const rows = await listTeamCandidates(db, caseId);
  const allowed: typeof rows = [];
  for (const row of rows) {
    if (row.organisationId === facts.caseRow.organisation_id || (await hasValidConsent(db, caseId, row.organisationId))) allowed.push(row);
  }
  return allowed;
}

export async function addMember(deps: TeamDeps, p: Principal, caseId: string, body: AddMember, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  const { facts } = await requireManager(db, p, caseId, meta);
  const account = await findAccountStanding(db, body.accountId);
  if (!account || account.deactivated_at !== null || !mayJoinTeam(account.role)) {
    throw new AppError(400, 'validation_failed', 'no such active professional', 'accountId');
  }
  if (account.organisation_id !== facts.caseRow.organisation_id && !(await hasValidConsent(db, caseId, account.organisation_id))) {
    throw new AppError(409, 'consent_required', "record the client's consent (or a legal basis) for this organisation first", 'accountId');
  }
  if (await findMembership(db, caseId, account.id)) throw new AppError(409, 'conflict', 'already a member of the team', 'accountId');
  await inTransaction(db, async (trx) => {
    await insertMember(trx, {
      case_id: caseId,
      account_id: account.id,
      case_role: body.caseRole,
      access: account.role === 'observer' || body.caseRole === 'observer' ? 'view' : body.access,
      added_by: p.accountId,
      added_at: now()
    });
    await audit(trx, { action: 'team_change', principal: p, caseId, details: { added: account.id, caseRole: body.caseRole, access: body.access }, meta });
  });
  deps.realtime.changed(caseId);
}

export async function removeMember(deps: TeamDeps, p: Principal, caseId: string, accountId: string, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  await requireManager(db, p, caseId, meta);
  const membership = await findMembership(db, caseId, accountId);
  if (!membership) throw new AppError(404, 'not_found', 'not a member of the team');
  if (membership.case_role === 'responsible') {
    throw new AppError(409, 'conflict', 'hand the responsibility over to someone else first');
  }
  await inTransaction(db, async (trx) => {
    await deleteMember(trx, caseId, accountId);
    await audit(trx, { action: 'team_change', principal: p, caseId, details: { removed: accountId }, meta });
  });
  deps.close.closeCaseAccess(caseId, [accountId]);
  deps.realtime.changed(caseId);
}

/** Hands the responsible person's role to another member, in one step. */
export async function handOver(deps: TeamDeps, p: Principal, caseId: string, accountId: string, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  const { facts } = await requireManager(db, p, caseId, meta);
  const next = await findMemberWithAccount(db, caseId, accountId);
  if (!next) throw new AppError(404, 'not_found', 'not a member of the team');
  if (next.caseRole === 'responsible') return;
  if (next.role === 'observer' || next.deactivatedAt !== null) {
    throw new AppError(409, 'conflict', 'the responsible person must be an active professional with edit rights');
  }
  if (next.organisationId !== facts.caseRow.organisation_id && !(await hasValidConsent(db, caseId, next.organisationId))) {
    throw new AppError(409, 'consent_required', "the organisation has no valid consent on this case");
  }
  await inTransaction(db, async (trx) => {
    const current = await findResponsible(trx, caseId);
    if (current) await setCaseRole(trx, caseId, current.account_id, 'member', 'edit');
    await setCaseRole(trx, caseId, accountId, 'responsible', 'edit');
    await audit(trx, { action: 'team_change', principal: p, caseId, details: { responsibleFrom: current?.account_id ?? null, responsibleTo: accountId }, meta });
  });
  deps.realtime.changed(caseId);
}
