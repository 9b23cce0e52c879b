/**
 * Retention and hand-over. A case can be closed (and reopened); once its organisation's retention
 * period (default 10 years after closing, as for working-age social-welfare records) has passed,
 * `npm run polku -- retention` lists it and, only with `--confirm`, removes it — archived versions
 * included, through a recorded release — leaving an audit row. Polku is not the legal record
 * system: each archived version can be exported as a package for the client-record system.
 */
import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now, nowMs } from '../db/time.js';
import { AppError } from '../errors.js';
import { mayManageTeam, visibleParts } from '../access/policy.js';
import type { CaseRealtime } from '../realtime/case-realtime.js';
import { caseRooms, VIEW_KINDS } from '../../shared/rooms.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { releaseFromChain } from './chain.js';
import { removeDocuments } from '../repositories/documents.js';
import { archivedIdsOfCase, countArchivedPlans, findArchivedPlan } from '../repositories/archive.js';
import { closedCases, releaseAndDeleteCase, setCaseClosedAt } from '../repositories/cases.js';
import { findOrganisationByName, setRetentionYears as setOrganisationRetention } from '../repositories/organisations.js';
import { requireCaseAccess } from './case-access.js';
import { documentSections, renderPlanPdf } from './archive-pdf.js';
import type { ArchiveContent } from './archive-service.js';

/** Closes or reopens a case (its responsible person or the owning organisation's coordinator). */
export async function setCaseClosed(deps: { db: Db; realtime: CaseRealtime }, p: Principal, caseId: string, closed: boolean, meta: RequestMeta): Promise<void> {
  const { facts } = await requireCaseAccess(deps.db, p, caseId, meta);
  if (!mayManageTeam(p, facts)) throw new AppError(403, 'forbidden', 'only the responsible person or a coordinator closes a case');
  await setCaseClosedAt(deps.db, caseId, closed ? now() : null);
  await audit(deps.db, { action: 'case_change', principal: p, caseId, details: { closed }, meta });
  deps.realtime.changed(caseId);
}

/** Sets an organisation's retention period; the change is audited. */
export async function setRetentionYears(db: Db, organisationName: string, years: number): Promise<void> {
  const org = await findOrganisationByName(db, organisationName);
  if (!org) throw new AppError(404, 'not_found', `no organisation called "${organisationName}"`);
  await inTransaction(db, async (trx) => {
    await setOrganisationRetention(trx, org.id, years);
    await audit(trx, { action: 'organisation_change', principal: null, details: { organisation: org.id, retentionYears: { from: org.retention_years, to: years } }, meta: null });
  });
}

export interface DueCase {
  caseId: string;
  displayName: string;
  organisation: string;
  closedAt: string;
  dueSince: string;
  archivedVersions: number;
}

/** Closed cases whose organisation's retention period has passed by `at`. */
export async function dueForRemoval(db: Db, at: Date = new Date(nowMs())): Promise<DueCase[]> {
  const rows = await closedCases(db);
  const due: DueCase[] = [];
  for (const row of rows) {
    const closed = new Date(row.closedAt!);
    const until = new Date(closed);
    until.setUTCFullYear(closed.getUTCFullYear() + row.years);
    if (until > at) continue;
    due.push({ caseId: row.id, displayName: row.name, organisation: row.organisation, closedAt: row.closedAt!, dueSince: until.toISOString(), archivedVersions: await countArchivedPlans(db, row.id) });
  }
  return due;
}

/** Removes one due case with everything of it, archived versions included; the audit log keeps a row. */
export async function removeCase(db: Db, due: DueCase): Promise<void> {
  await inTransaction(db, async (trx) => {
    const docs = caseRooms(due.caseId);
    // Through the document store's repository, which locks them first: no instance may append meanwhile.
    await removeDocuments(trx, docs);
    // The keyed chain records the release, so the versions' absence is not read as tampering.
    const archived = await archivedIdsOfCase(trx, due.caseId);
    if (archived.length > 0) await releaseFromChain(trx, 'archive', due.caseId, archived);
    await releaseAndDeleteCase(trx, due.caseId, now());
    await audit(trx, {
      action: 'retention_removal',
      caseId: due.caseId,
      details: { closedAt: due.closedAt, dueSince: due.dueSince, archivedVersions: due.archivedVersions },
      meta: null
    });
  });
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * A hand-over package of one archived version for the organisation's client-record system: the
 * official PDF, the client's copy, the archived JSON, both documents' sections as JSON (the same
 * description the PDFs are laid out from, in Finnish words), and a manifest with every file's hash.
 */
export async function handOverPackage(db: Db, p: Principal, archivedId: string, meta: RequestMeta): Promise<{ bytes: Uint8Array<ArrayBuffer>; filename: string }> {
  const row = await findArchivedPlan(db, archivedId);
  if (!row) throw new AppError(404, 'not_found', 'no such archived plan');
  const { facts } = await requireCaseAccess(db, p, row.case_id, meta, 'plan');
  if (!mayManageTeam(p, facts)) throw new AppError(403, 'forbidden', 'the responsible person or a coordinator hands plans over');
  // The package is the archived version whole: only for whoever may see every part of it.
  if (VIEW_KINDS.some((view) => !visibleParts(p, facts).includes(view))) {
    throw new AppError(403, 'forbidden', "the client's consent does not cover every part of this plan");
  }
  const content = JSON.parse(row.content) as ArchiveContent;
  const files: Record<string, Uint8Array> = {
    'suunnitelma.pdf': new Uint8Array(await renderPlanPdf(content, 'official')),
    'asiakkaan-kopio.pdf': new Uint8Array(await renderPlanPdf(content, 'client')),
    'suunnitelma.json': strToU8(row.content),
    'suunnitelma-osiot.json': strToU8(JSON.stringify({ official: documentSections(content, 'official'), client: documentSections(content, 'client') }, null, 2))
  };
  const manifest = {
    format: 'polku-handover/1',
    caseId: row.case_id,
    version: row.version,
    archivedAt: row.archived_at,
    contentHash: row.content_hash,
    previousHash: row.previous_hash,
    files: Object.entries(files).map(([name, data]) => ({ name, bytes: data.byteLength, sha256: sha256(data) }))
  };
  const zip = zipSync({ ...files, 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)) });
  await audit(db, { action: 'export', principal: p, caseId: row.case_id, details: { archived: archivedId, format: 'handover' }, meta });
  return { bytes: new Uint8Array(zip), filename: `luovutus-v${row.version}.zip` };
}
