/**
 * Finalising and archiving plans. The responsible person proposes the current plan as final;
 * the team members named on it confirm (or the responsible person records that it was agreed in
 * a meeting with the client present); a coordinator of the owning organisation approves, which
 * archives it: an immutable version whose content hash links to the case's previous version.
 */
import * as Y from 'yjs';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import { listMembers } from '../repositories/case-members.js';
import { findMeeting, listAttendance } from '../repositories/meetings.js';
import { findArchivedPlan, insertArchivedPlan, latestArchivedVersion, listAllArchivedPlans, listArchivedOfCase, searchArchivedPlans } from '../repositories/archive.js';
import { organisationName } from '../repositories/organisations.js';
import {
  claimProposalForArchive,
  findOpenProposal,
  findProposal,
  insertProposal,
  insertSignature,
  listSignatures,
  setAgreedInMeeting,
  withdrawOpenProposals
} from '../repositories/plan-proposals.js';
import type { CaseRealtime } from '../realtime/case-realtime.js';
import type { ServerDocs } from '../sync/server-edits.js';
import { internalNotes } from '../../shared/case-doc.js';
import { clientEntries, type ClientEntry } from '../../shared/plan/client-voice.js';
import type { PlanDocument } from '../../shared/plan/sections.js';
import { CLIENT_RESPONSIBLE } from '../../shared/plan/vocabulary.js';
import { diffPlans, type PlanDiff } from '../../shared/plan/diff.js';
import { planJsonSchema, planToJson, type PlanJson } from '../../shared/plan/json.js';
import { nodesToJson, pathToJson, wheelToJson, type NodeJson, type PathJson, type WheelJson } from '../../shared/views/index.js';
import { caseRoom, internalRoom, VIEW_KINDS, viewRoom, type ViewKind } from '../../shared/rooms.js';
import type { CasePart } from '../../shared/access.js';
import { visibleParts } from '../access/policy.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { appendToChain, archiveChainRow, canonicalJson, missingTriggers, sha256, verifyChain, type Checkpoint } from './chain.js';
import { requireCaseAccess } from './case-access.js';

export { canonicalJson };

export interface ArchiveDeps {
  db: Db;
  docs: ServerDocs;
  realtime: CaseRealtime;
}

export interface Signature {
  accountId: string;
  step: 'proposed' | 'confirmed' | 'agreed_in_meeting' | 'approved';
  name: string;
  role: string;
  organisation: string;
  at: string;
}

export interface ArchivedViews {
  wheel: WheelJson | null;
  network: NodeJson[];
  path: PathJson;
}

/** What an archived version's hash covers (besides the Yjs state, whose hash is inside); the documents are made from it (`PlanDocument`). */
export interface ArchiveContent extends PlanDocument {
  caseId: string;
  caseName: string;
  organisation: string;
  version: number;
  archivedAt: string;
  proposalId: string;
  plan: PlanJson;
  views: ArchivedViews;
  internalNotes: string;
  /** Team members at approval (account id → name and role), to name who is responsible for what. */
  people: Record<string, { name: string; role: string; organisation: string }>;
  signatures: Signature[];
  /** What the client added from their meeting view up to the proposal (absent in versions archived before it was kept). */
  clientVoice?: Array<ClientEntry & { id: string }>;
  agreedInMeeting: string | null;
  stateHash: string;
  previousHash: string;
}

function docFromState(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

const EMPTY_VIEWS: ArchivedViews = { wheel: null, network: [], path: { stages: [] } };

/**
 * An archived version as a reader may see it: the views their organisation's consent does not
 * cover are left out (empty) and named in `withheld`.
 */
export function withholdViews<T extends ArchiveContent>(content: T, parts: readonly CasePart[]): T & { withheld: ViewKind[] } {
  const withheld = VIEW_KINDS.filter((view) => !parts.includes(view));
  const views = { ...content.views };
  for (const view of withheld) Object.assign(views, { [view]: EMPTY_VIEWS[view] });
  return { ...content, views, withheld };
}

const signer = (p: Principal, step: Signature['step'], at: string): Signature => ({
  accountId: p.accountId,
  step,
  name: p.name,
  role: p.role,
  organisation: p.organisationName,
  at
});

async function signaturesOf(db: Db, proposalId: string): Promise<Signature[]> {
  const rows = await listSignatures(db, proposalId);
  return rows.map((r) => ({ accountId: r.account_id, step: r.step, name: r.name, role: r.role, organisation: r.organisation, at: r.at }));
}

async function sign(db: Db, proposalId: string, s: Signature): Promise<void> {
  await insertSignature(db, { proposal_id: proposalId, account_id: s.accountId, step: s.step, name: s.name, role: s.role, organisation: s.organisation, at: s.at });
}

/** The responsible person proposes the plan as it stands now as final. */
export async function proposePlan(deps: ArchiveDeps, p: Principal, caseId: string, meta: RequestMeta): Promise<{ id: string }> {
  const { db } = deps;
  const { facts } = await requireCaseAccess(db, p, caseId, meta, 'plan');
  if (facts.membership?.case_role !== 'responsible') throw new AppError(403, 'forbidden', 'only the responsible person proposes the plan as final');
  const snapshot = await deps.docs.read(caseRoom(caseId), (doc) => ({ plan: planToJson(doc), state: Y.encodeStateAsUpdate(doc) }));
  const views: ArchivedViews = {
    wheel: await deps.docs.read(viewRoom(caseId, 'wheel'), wheelToJson),
    network: await deps.docs.read(viewRoom(caseId, 'network'), nodesToJson),
    path: await deps.docs.read(viewRoom(caseId, 'path'), pathToJson)
  };
  const checked = planJsonSchema.safeParse(snapshot.plan);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new AppError(400, 'validation_failed', `the plan is not complete: ${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  const notes = await deps.docs.read(internalRoom(caseId), (doc) => internalNotes(doc).toString());
  const team = new Set((await listMembers(db, caseId)).map((m) => m.accountId));
  const confirmers = [...new Set(snapshot.plan.goals.flatMap((g) => g.actions.map((a) => a.responsible)))].filter(
    (id) => id !== '' && id !== CLIENT_RESPONSIBLE && id !== p.accountId && team.has(id)
  );
  const id = crypto.randomUUID();
  const at = now();
  await inTransaction(db, async (trx) => {
    await withdrawOpenProposals(trx, caseId);
    await insertProposal(trx, {
      id,
      case_id: caseId,
      status: 'proposed',
      plan: JSON.stringify(snapshot.plan),
      views: JSON.stringify(views),
      internal_notes: notes,
      state: snapshot.state,
      confirmers: JSON.stringify(confirmers),
      agreed_in_meeting: null,
      proposed_by: p.accountId,
      proposed_at: at
    });
    await sign(trx, id, signer(p, 'proposed', at));
    await audit(trx, { action: 'plan_change', principal: p, caseId, details: { proposed: id, confirmers: confirmers.length }, meta });
  });
  deps.realtime.changed(caseId);
  return { id };
}

async function openProposal(db: Db, p: Principal, proposalId: string, meta: RequestMeta) {
  const proposal = await findProposal(db, proposalId);
  if (!proposal) throw new AppError(404, 'not_found', 'no such proposal');
  const access = await requireCaseAccess(db, p, proposal.case_id, meta, 'plan');
  if (proposal.status !== 'proposed') throw new AppError(409, 'conflict', 'this proposal is no longer open');
  return { proposal, ...access };
}

/** A team member named on the plan confirms it. */
export async function confirmProposal(deps: ArchiveDeps, p: Principal, proposalId: string, meta: RequestMeta): Promise<void> {
  const { proposal } = await openProposal(deps.db, p, proposalId, meta);
  if (!(JSON.parse(proposal.confirmers) as string[]).includes(p.accountId)) throw new AppError(403, 'forbidden', 'you are not named on this plan');
  await sign(deps.db, proposalId, signer(p, 'confirmed', now()));
  await audit(deps.db, { action: 'plan_change', principal: p, caseId: proposal.case_id, details: { confirmed: proposalId }, meta });
  deps.realtime.changed(proposal.case_id);
}

/** The responsible person records that the plan was agreed in an ended meeting where the client took part. */
export async function agreedInMeeting(deps: ArchiveDeps, p: Principal, proposalId: string, meetingId: string, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  const { proposal, facts } = await openProposal(db, p, proposalId, meta);
  if (facts.membership?.case_role !== 'responsible') throw new AppError(403, 'forbidden', 'only the responsible person records this');
  const meeting = await findMeeting(db, meetingId);
  if (!meeting || meeting.case_id !== proposal.case_id) throw new AppError(404, 'not_found', 'no such meeting on this case');
  if (meeting.status !== 'ended') throw new AppError(409, 'conflict', 'the meeting has not ended');
  // The agreement is about this proposal: the meeting must have ended after it was made.
  if (!meeting.ended_at || meeting.ended_at < proposal.proposed_at) throw new AppError(409, 'conflict', 'that meeting was over before the plan was proposed');
  if (!(await listAttendance(db, meetingId)).some((a) => a.participant === 'client')) {
    throw new AppError(409, 'conflict', 'the client did not take part in that meeting');
  }
  await setAgreedInMeeting(db, proposalId, meetingId);
  await sign(db, proposalId, signer(p, 'agreed_in_meeting', now()));
  await audit(db, { action: 'plan_change', principal: p, caseId: proposal.case_id, details: { agreedInMeeting: meetingId }, meta });
  deps.realtime.changed(proposal.case_id);
}

/** A coordinator of the owning organisation approves: the proposal becomes the next archived version. */
export async function approveProposal(deps: ArchiveDeps, p: Principal, proposalId: string, meta: RequestMeta): Promise<{ id: string; version: number }> {
  const { db } = deps;
  const { proposal, facts } = await openProposal(db, p, proposalId, meta);
  if (p.role !== 'coordinator' || p.organisationId !== facts.caseRow.organisation_id) {
    throw new AppError(403, 'forbidden', 'a coordinator of the owning organisation approves plans');
  }
  const signatures = await signaturesOf(db, proposalId);
  const confirmers = JSON.parse(proposal.confirmers) as string[];
  const confirmed = new Set(signatures.filter((s) => s.step === 'confirmed').map((s) => s.accountId));
  if (!proposal.agreed_in_meeting && confirmers.some((id) => !confirmed.has(id))) {
    throw new AppError(409, 'conflict', 'everyone named on the plan must confirm it first (or record that it was agreed in a meeting)');
  }
  const at = now();
  const approval = signer(p, 'approved', at);
  const id = crypto.randomUUID();
  const organisation = await organisationName(db, facts.caseRow.organisation_id);
  const people = Object.fromEntries((await listMembers(db, proposal.case_id)).map((m) => [m.accountId, { name: m.name, role: m.role, organisation: m.organisationName }]));
  const version = await inTransaction(db, async (trx) => {
    // Claim the proposal first: of two approvals at once (or an approval racing a new proposal), one archives it.
    if (!(await claimProposalForArchive(trx, proposalId))) throw new AppError(409, 'conflict', 'this proposal is no longer open');
    const previous = await latestArchivedVersion(trx, proposal.case_id);
    const content: ArchiveContent = {
      caseId: proposal.case_id,
      caseName: facts.caseRow.display_name,
      organisation: organisation.name,
      version: (previous?.version ?? 0) + 1,
      archivedAt: at,
      proposalId,
      plan: JSON.parse(proposal.plan) as PlanJson,
      views: JSON.parse(proposal.views) as ArchivedViews,
      internalNotes: proposal.internal_notes,
      people,
      signatures: [...signatures, approval],
      clientVoice: clientEntries(docFromState(proposal.state)),
      agreedInMeeting: proposal.agreed_in_meeting,
      stateHash: sha256(proposal.state),
      previousHash: previous?.content_hash ?? ''
    };
    const text = canonicalJson(content);
    const row = { id, case_id: proposal.case_id, version: content.version, content: text, state: proposal.state, content_hash: sha256(text), previous_hash: content.previousHash, archived_at: at };
    await appendToChain(trx, 'archive', async (chained) => {
      await insertArchivedPlan(chained, row);
      return archiveChainRow(row);
    });
    await sign(trx, proposalId, approval);
    await audit(trx, { action: 'plan_change', principal: p, caseId: proposal.case_id, details: { approved: proposalId, archived: id, version: content.version }, meta });
    return content.version;
  });
  deps.realtime.changed(proposal.case_id);
  return { id, version };
}

export interface ProposalView {
  id: string;
  status: 'proposed' | 'archived' | 'withdrawn';
  proposedAt: string;
  confirmers: Array<{ id: string; name: string; confirmed: boolean }>;
  agreedInMeeting: string | null;
  signatures: Signature[];
  canConfirm: boolean;
  canApprove: boolean;
  canRecordMeeting: boolean;
}

export interface ArchivedSummary {
  id: string;
  caseId: string;
  caseName: string;
  version: number;
  archivedAt: string;
  contractType: string;
  approvedBy: string;
}

function summaryOf(row: { id: string; case_id: string; version: number; archived_at: string; content: string }): ArchivedSummary {
  const content = JSON.parse(row.content) as ArchiveContent;
  return {
    id: row.id,
    caseId: row.case_id,
    caseName: content.caseName,
    version: row.version,
    archivedAt: row.archived_at,
    contractType: content.plan.service.contractType,
    approvedBy: content.signatures.find((s) => s.step === 'approved')?.name ?? ''
  };
}

/** The case's finalising state: the open (or latest) proposal, and its archived versions. */
export async function finalisingState(db: Db, p: Principal, caseId: string, meta: RequestMeta): Promise<{ proposal: ProposalView | null; archived: ArchivedSummary[]; canPropose: boolean }> {
  const { facts } = await requireCaseAccess(db, p, caseId, meta, 'plan');
  const row = await findOpenProposal(db, caseId);
  const archived = (await listArchivedOfCase(db, caseId)).map(summaryOf);
  const isResponsible = facts.membership?.case_role === 'responsible';
  if (!row) return { proposal: null, archived, canPropose: isResponsible };
  const signatures = await signaturesOf(db, row.id);
  const names = new Map((await listMembers(db, caseId)).map((m) => [m.accountId, m.name]));
  const confirmerIds = JSON.parse(row.confirmers) as string[];
  const confirmed = new Set(signatures.filter((s) => s.step === 'confirmed').map((s) => s.accountId));
  const ready = row.agreed_in_meeting !== null || confirmerIds.every((id) => confirmed.has(id));
  return {
    proposal: {
      id: row.id,
      status: row.status,
      proposedAt: row.proposed_at,
      confirmers: confirmerIds.map((id) => ({ id, name: names.get(id) ?? '', confirmed: confirmed.has(id) })),
      agreedInMeeting: row.agreed_in_meeting,
      signatures,
      canConfirm: confirmerIds.includes(p.accountId) && !confirmed.has(p.accountId),
      canApprove: ready && p.role === 'coordinator' && p.organisationId === facts.caseRow.organisation_id,
      canRecordMeeting: isResponsible && row.agreed_in_meeting === null
    },
    archived,
    canPropose: isResponsible
  };
}

/** Coordinators search their organisation's archive. */
export async function searchArchive(
  db: Db,
  p: Principal,
  query: { q?: string | undefined; from?: string | undefined; to?: string | undefined; contractType?: string | undefined }
): Promise<ArchivedSummary[]> {
  if (p.role !== 'coordinator') throw new AppError(403, 'forbidden', 'the archive is for coordinators');
  const found = (await searchArchivedPlans(db, p.organisationId, { from: query.from, to: query.to })).map((r) => ({ summary: summaryOf(r), content: r.content }));
  const q = query.q?.trim().toLowerCase();
  return found
    .filter(({ summary, content }) => {
      if (query.contractType && summary.contractType !== query.contractType) return false;
      if (!q) return true;
      const c = JSON.parse(content) as ArchiveContent;
      return summary.caseName.toLowerCase().includes(q) || c.signatures.some((s) => s.name.toLowerCase().includes(q) || s.organisation.toLowerCase().includes(q));
    })
    .map(({ summary }) => summary);
}

/**
 * One archived version (without the Yjs state), for reading; audited like opening the case. The
 * views the reader's organisation's consent does not cover are withheld.
 */
export async function getArchived(
  db: Db,
  p: Principal,
  id: string,
  meta: RequestMeta
): Promise<ArchiveContent & { id: string; contentHash: string; withheld: ViewKind[] }> {
  const row = await findArchivedPlan(db, id);
  if (!row) throw new AppError(404, 'not_found', 'no such archived plan');
  const { facts } = await requireCaseAccess(db, p, row.case_id, meta, 'plan');
  await audit(db, { action: 'case_view', principal: p, caseId: row.case_id, details: { archived: id }, meta });
  return withholdViews({ ...(JSON.parse(row.content) as ArchiveContent), id, contentHash: row.content_hash }, visibleParts(p, facts));
}

/** What changed between two archived versions of the same case. */
export async function diffArchived(db: Db, p: Principal, fromId: string, toId: string, meta: RequestMeta): Promise<PlanDiff> {
  const [a, b] = [await getArchived(db, p, fromId, meta), await getArchived(db, p, toId, meta)];
  if (a.caseId !== b.caseId) throw new AppError(400, 'bad_request', 'both versions must be of the same client');
  return diffPlans(a.plan, b.plan);
}

export interface ChainProblem {
  /** The version the problem is about; absent for a break of the keyed chain itself. */
  caseId?: string;
  version?: number;
  problem: string;
}

/**
 * `archive verify`: every archived version's hash, its Yjs state's hash and its link to the
 * previous version (the plain SHA-256 chain, which versions archived before the keyed chain
 * have too); the keyed chain over them (`chain.ts`), the given checkpoints, and the protecting
 * triggers.
 */
export async function verifyArchive(db: Db, checkpoints: readonly Checkpoint[] = []): Promise<{ checked: number; problems: ChainProblem[]; missingTriggers: string[] }> {
  const rows = await listAllArchivedPlans(db);
  const problems: ChainProblem[] = [];
  const lastHash = new Map<string, { version: number; hash: string }>();
  for (const row of rows) {
    const at = { caseId: row.case_id, version: row.version };
    if (sha256(row.content) !== row.content_hash) problems.push({ ...at, problem: 'content does not match its hash' });
    let content: ArchiveContent | null = null;
    try {
      content = JSON.parse(row.content) as ArchiveContent;
    } catch {
      problems.push({ ...at, problem: 'content is not valid JSON' });
    }
    const previous = lastHash.get(row.case_id);
    const expectedPrevious = previous?.hash ?? '';
    if (row.previous_hash !== expectedPrevious || (content && content.previousHash !== expectedPrevious)) problems.push({ ...at, problem: 'the link to the previous version is broken' });
    if ((previous?.version ?? 0) + 1 !== row.version) problems.push({ ...at, problem: 'a version is missing before this one' });
    if (content && (content.version !== row.version || content.caseId !== row.case_id)) problems.push({ ...at, problem: 'content names another case or version' });
    if (content && sha256(row.state) !== content.stateHash) problems.push({ ...at, problem: 'the Yjs state does not match its hash' });
    lastHash.set(row.case_id, { version: row.version, hash: row.content_hash });
  }
  const keyed = await verifyChain(db, 'archive', rows.map(archiveChainRow), checkpoints);
  const byId = new Map(rows.map((r) => [r.id, { caseId: r.case_id, version: r.version }]));
  const words = {
    changed: 'changed after it was archived (it does not match the keyed chain)',
    unchained: 'not in the keyed chain (written behind the application’s back)',
    removed: 'removed without a retention release'
  };
  // A removed version has no row left to name its case: the problem names its id.
  for (const r of keyed.rows) problems.push(r.kind === 'removed' ? { problem: `archived version ${r.ref} was ${words.removed}` } : { ...byId.get(r.ref), problem: words[r.kind] });
  problems.push(...keyed.problems.map((problem) => ({ problem })));
  return { checked: rows.length, problems, missingTriggers: await missingTriggers(db, ['archive']) };
}
