/**
 * Meetings on a case: schedule, start, run (agenda turn, decisions, decisions made into plan
 * actions) and end with a generated record. Every function checks access to the case first;
 * chairing (start, end, turn, the client's admission, leading the view) is for the chair and
 * for those who manage the case.
 */
import type { Db, Meeting } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import { mayManageTeam } from '../access/policy.js';
import { listMembers } from '../repositories/case-members.js';
import { endMeetingGuests, revokeMeetingCodes } from '../repositories/guests.js';
import { NotStoredError } from '../sync/server-edits.js';
import {
  findDecision,
  findMeeting,
  findNextMeeting,
  insertDecision,
  insertMeeting,
  linkDecision,
  listAttendance,
  listDecisions,
  listInvitees,
  listMeetings as listMeetingRows,
  recordAttendance,
  transitionMeeting,
  unlinkDecision,
  updateMeeting
} from '../repositories/meetings.js';
import type { MeetingRealtime } from '../realtime/meeting-realtime.js';
import type { ServerDocs } from '../sync/server-edits.js';
import { userOfPrincipal } from '../domain/principal.js';
import { changedActions } from '../../shared/meeting-record.js';
import {
  agendaItemSchema,
  followSchema,
  type AgendaItem,
  type CreateMeeting,
  type FollowState,
  type MeetingRecord,
  type MeetingSummary,
  type MeetingView,
  type Participant,
  createMeetingSchema
} from '../../shared/meetings.js';
import { addAction, goalsMap } from '../../shared/plan/doc.js';
import { CLIENT_RESPONSIBLE } from '../../shared/plan/vocabulary.js';
import { clientEntries } from '../../shared/plan/client-voice.js';
import { saveVersion } from '../../shared/views/network.js';
import { planJsonSchema, planToJson, type PlanJson } from '../../shared/plan/json.js';
import { caseRoom, viewRoom } from '../../shared/rooms.js';
import type { CasePart } from '../../shared/access.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { requireCaseAccess, type CaseAccessResult } from './case-access.js';
import { z } from 'zod';

export interface MeetingDeps {
  db: Db;
  docs: ServerDocs;
  meetings: MeetingRealtime;
}

export interface LoadedMeeting extends CaseAccessResult {
  meeting: Meeting;
}

const noSuchMeeting = () => new AppError(404, 'not_found', 'no such meeting');

/**
 * The meeting and the principal's access to its case; 404 when either is unknown or out of
 * reach — the same answer for both, so that nobody learns a meeting (or its case) exists — and
 * 403 when the client's consent does not cover the meetings (or the other `parts` asked for).
 */
export async function loadMeeting(db: Db, p: Principal, meetingId: string, meta: RequestMeta | null, ...parts: CasePart[]): Promise<LoadedMeeting> {
  const meeting = await findMeeting(db, meetingId);
  if (!meeting) throw noSuchMeeting();
  const access = await requireCaseAccess(db, p, meeting.case_id, meta, 'meetings', ...parts).catch((error: unknown) => {
    throw error instanceof AppError && error.status === 404 ? noSuchMeeting() : error;
  });
  return { ...access, meeting };
}

export function mayChair(p: Principal, loaded: LoadedMeeting): boolean {
  return loaded.access === 'edit' && (loaded.meeting.chair_id === p.accountId || mayManageTeam(p, loaded.facts));
}

async function requireChair(db: Db, p: Principal, meetingId: string, meta: RequestMeta): Promise<LoadedMeeting> {
  const loaded = await loadMeeting(db, p, meetingId, meta);
  if (!mayChair(p, loaded)) throw new AppError(403, 'forbidden', 'only the chair may do this');
  return loaded;
}

async function requireEditor(db: Db, p: Principal, meetingId: string, meta: RequestMeta, ...parts: CasePart[]): Promise<LoadedMeeting> {
  const loaded = await loadMeeting(db, p, meetingId, meta, ...parts);
  if (loaded.access !== 'edit') throw new AppError(403, 'forbidden', 'you can follow this meeting but not change it');
  return loaded;
}

function requireLive(meeting: Meeting): void {
  if (meeting.status !== 'live') throw new AppError(409, 'conflict', meeting.status === 'ended' ? 'the meeting has ended' : 'the meeting has not started');
}

const agendaOf = (meeting: Meeting): AgendaItem[] => z.array(agendaItemSchema).catch([]).parse(JSON.parse(meeting.agenda));
const followOf = (meeting: Meeting): FollowState | null =>
  meeting.follow ? (followSchema.nullable().catch(null).parse(JSON.parse(meeting.follow)) as FollowState | null) : null;

function summaryOf(meeting: Meeting, chairName: string): MeetingSummary {
  return {
    id: meeting.id,
    caseId: meeting.case_id,
    status: meeting.status,
    scheduledAt: meeting.scheduled_at,
    place: meeting.place,
    videoUrl: meeting.video_url,
    chairId: meeting.chair_id,
    chairName,
    startedAt: meeting.started_at,
    endedAt: meeting.ended_at
  };
}

export async function listCaseMeetings(db: Db, p: Principal, caseId: string, meta: RequestMeta): Promise<MeetingSummary[]> {
  await requireCaseAccess(db, p, caseId, meta, 'meetings');
  return (await listMeetingRows(db, caseId)).map((row) => summaryOf(row, row.chair_name));
}

/** Schedules a meeting chaired by the principal; invitees and presenters must be on the case team. */
export async function createMeeting(deps: MeetingDeps, p: Principal, caseId: string, body: CreateMeeting, meta: RequestMeta): Promise<{ id: string }> {
  const { db } = deps;
  const { access } = await requireCaseAccess(db, p, caseId, meta, 'meetings');
  if (access !== 'edit') throw new AppError(403, 'forbidden', 'you may not schedule meetings on this case');
  const input = createMeetingSchema.parse(body);
  const team = new Set((await listMembers(db, caseId)).map((m) => m.accountId));
  const outsider = [...input.invitees, ...input.agenda.flatMap((a) => (a.presenterId ? [a.presenterId] : []))].find((id) => !team.has(id));
  if (outsider) throw new AppError(400, 'validation_failed', 'invitees and presenters must be on the case team', 'invitees');
  const id = crypto.randomUUID();
  await inTransaction(db, async (trx) => {
    await insertMeeting(
      trx,
      {
        id,
        case_id: caseId,
        status: 'scheduled',
        scheduled_at: new Date(input.scheduledAt).toISOString(),
        place: input.place,
        video_url: input.videoUrl,
        agenda: JSON.stringify(input.agenda),
        follow: null,
        chair_id: p.accountId,
        created_by: p.accountId,
        created_at: now(),
        started_at: null,
        ended_at: null,
        plan_at_start: null,
        record: null
      },
      [...new Set(input.invitees)]
    );
    await audit(trx, { action: 'meeting_change', principal: p, caseId, details: { created: id }, meta });
  });
  deps.meetings.caseChanged(caseId);
  return { id };
}

export async function getMeeting(db: Db, p: Principal, meetingId: string, meta: RequestMeta): Promise<MeetingView> {
  const loaded = await loadMeeting(db, p, meetingId, meta);
  const { meeting } = loaded;
  const [invitees, decisions, attendance, members] = await Promise.all([
    listInvitees(db, meetingId),
    listDecisions(db, meetingId),
    listAttendance(db, meetingId),
    listMembers(db, meeting.case_id)
  ]);
  const chairName = members.find((m) => m.accountId === meeting.chair_id)?.name ?? '';
  return {
    ...summaryOf(meeting, chairName),
    agenda: agendaOf(meeting),
    currentItem: meeting.current_item,
    invitees,
    decisions: decisions.map((d) => ({
      id: d.id,
      text: d.text,
      createdBy: d.created_by,
      createdByName: d.created_by_name,
      createdAt: d.created_at,
      goalId: d.goal_id,
      actionId: d.action_id
    })),
    participants: attendance.map(participantOf),
    follow: followOf(meeting),
    canChair: mayChair(p, loaded),
    canEdit: loaded.access === 'edit'
  };
}

function participantOf(row: { participant: string; name: string; role: string; organisation: string; joined_at: string }): Participant {
  return { id: row.participant, name: row.name, role: row.role, organisation: row.organisation, joinedAt: row.joined_at };
}

/** Starts a scheduled meeting; the plan as it stands now is kept, to list what the meeting changed. */
export async function startMeeting(deps: MeetingDeps, p: Principal, meetingId: string, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  const { meeting } = await requireChair(db, p, meetingId, meta);
  if (meeting.status !== 'scheduled') throw new AppError(409, 'conflict', 'the meeting has already started');
  const live = (await listMeetingRows(db, meeting.case_id)).find((m) => m.status === 'live');
  if (live) throw new AppError(409, 'conflict', 'another meeting of this case is going on');
  const plan = await deps.docs.read(caseRoom(meeting.case_id), planToJson);
  const at = now();
  if (!(await transitionMeeting(db, meetingId, 'scheduled', { status: 'live', started_at: at, plan_at_start: JSON.stringify(plan) }))) {
    throw new AppError(409, 'conflict', 'the meeting has already started');
  }
  await audit(db, { action: 'meeting_change', principal: p, caseId: meeting.case_id, details: { started: meetingId }, meta });
  deps.meetings.changed(meetingId, meeting.case_id);
}

/** Whose turn it is on the agenda (-1: nobody's). */
export async function setTurn(deps: MeetingDeps, p: Principal, meetingId: string, index: number, meta: RequestMeta): Promise<void> {
  const { meeting } = await requireChair(deps.db, p, meetingId, meta);
  requireLive(meeting);
  if (index >= agendaOf(meeting).length) throw new AppError(400, 'validation_failed', 'no such agenda item', 'index');
  await updateMeeting(deps.db, meetingId, { current_item: index });
  deps.meetings.changed(meetingId, meeting.case_id);
}

export async function addDecision(deps: MeetingDeps, p: Principal, meetingId: string, text: string, meta: RequestMeta): Promise<{ id: string }> {
  const { meeting } = await requireEditor(deps.db, p, meetingId, meta);
  requireLive(meeting);
  const id = crypto.randomUUID();
  await inTransaction(deps.db, async (trx) => {
    await insertDecision(trx, { id, meeting_id: meetingId, text, created_by: p.accountId, created_at: now() });
    await audit(trx, { action: 'meeting_change', principal: p, caseId: meeting.case_id, details: { decision: id }, meta });
  });
  deps.meetings.changed(meetingId, meeting.case_id);
  return { id };
}

/** Turns a decision into an action under a goal of the plan, in one step (once per decision). */
export async function decisionToAction(
  deps: MeetingDeps,
  p: Principal,
  meetingId: string,
  decisionId: string,
  body: { goalId: string; responsible: string; due: string },
  meta: RequestMeta
): Promise<{ actionId: string }> {
  const { db } = deps;
  const { meeting } = await requireEditor(db, p, meetingId, meta, 'plan');
  requireLive(meeting);
  const decision = await findDecision(db, meetingId, decisionId);
  if (!decision) throw new AppError(404, 'not_found', 'no such decision');
  if (decision.action_id) throw new AppError(409, 'conflict', 'this decision is already an action');
  const team = new Set((await listMembers(db, meeting.case_id)).map((m) => m.accountId));
  if (body.responsible !== '' && body.responsible !== CLIENT_RESPONSIBLE && !team.has(body.responsible)) {
    throw new AppError(400, 'validation_failed', 'the responsible person must be on the case team', 'responsible');
  }
  const actionId = crypto.randomUUID();
  // Claim the decision first, so two people pressing at once make one action, not two.
  if (!(await linkDecision(db, decisionId, body.goalId, actionId))) throw new AppError(409, 'conflict', 'this decision is already an action');
  try {
    await deps.docs.change(caseRoom(meeting.case_id), { accountId: p.accountId, user: userOfPrincipal(p) }, (doc) => {
      if (!goalsMap(doc)?.has(body.goalId)) throw new AppError(400, 'validation_failed', 'no such goal in the plan', 'goalId');
      addAction(doc, body.goalId, { id: actionId, text: decision.text, responsible: body.responsible, due: body.due });
    });
  } catch (error) {
    // A change that is live but not stored yet stays: the writer stores it, and the decision
    // keeps pointing at its action (pressing again must not make a second one).
    if (!(error instanceof NotStoredError)) await unlinkDecision(db, decisionId);
    throw error;
  }
  await audit(db, { action: 'meeting_change', principal: p, caseId: meeting.case_id, details: { decision: decisionId, action: actionId }, meta });
  deps.meetings.changed(meetingId, meeting.case_id);
  return { actionId };
}

/** Records who joined (the first time) when they open the live meeting. */
export async function noteAttendance(db: Db, meeting: Meeting, participant: Omit<Participant, 'joinedAt'>): Promise<void> {
  if (meeting.status !== 'live') return;
  await recordAttendance(db, {
    meeting_id: meeting.id,
    participant: participant.id,
    name: participant.name,
    role: participant.role,
    organisation: participant.organisation,
    joined_at: now()
  });
}

/** The chair's lead: everyone following sees this view and goal. */
export async function setFollow(db: Db, p: Principal, meetingId: string, state: FollowState): Promise<Meeting> {
  const loaded = await loadMeeting(db, p, meetingId, null);
  if (!mayChair(p, loaded)) throw new AppError(403, 'forbidden', 'only the chair may lead the view');
  requireLive(loaded.meeting);
  await updateMeeting(db, meetingId, { follow: JSON.stringify(state) });
  return loaded.meeting;
}

/** Ends a live meeting: the client's access ends at once, and the record is generated and stored. */
export async function endMeeting(deps: MeetingDeps, p: Principal, meetingId: string, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  const { meeting } = await requireChair(db, p, meetingId, meta);
  requireLive(meeting);
  const at = now();
  if (!(await transitionMeeting(db, meetingId, 'live', { status: 'ended', ended_at: at, follow: null }))) {
    throw new AppError(409, 'conflict', 'the meeting has already ended');
  }
  // Access first, record second: the client is cut off even if building the record fails.
  await revokeMeetingCodes(db, meetingId, at);
  const guests = await endMeetingGuests(db, meetingId, at);
  for (const guest of guests) deps.meetings.guestChanged(guest, 'ended');
  await audit(db, { action: 'meeting_change', principal: p, caseId: meeting.case_id, details: { ended: meetingId, clientsRemoved: guests.length }, meta });
  try {
    // The network map is kept over time: a version with each meeting, to compare any two later.
    await deps.docs.change(viewRoom(meeting.case_id, 'network'), { accountId: p.accountId, user: userOfPrincipal(p) }, (doc) => saveVersion(doc, meetingId, at));
    await storeRecord(deps, { ...meeting, status: 'ended', ended_at: at });
  } finally {
    // Whatever failed above, the meeting has ended for everyone (a missing record is made when first read).
    deps.meetings.ended(meetingId, meeting.case_id);
  }
}

async function storeRecord(deps: MeetingDeps, meeting: Meeting): Promise<MeetingRecord> {
  const record = await buildRecord(deps, meeting);
  await updateMeeting(deps.db, meeting.id, { record: JSON.stringify(record) });
  return record;
}

async function buildRecord(deps: MeetingDeps, meeting: Meeting): Promise<MeetingRecord> {
  const { db } = deps;
  const [members, attendance, decisions, next] = await Promise.all([
    listMembers(db, meeting.case_id),
    listAttendance(db, meeting.id),
    listDecisions(db, meeting.id),
    findNextMeeting(db, meeting.case_id, meeting.ended_at ?? now(), meeting.id)
  ]);
  const names = new Map(members.map((m) => [m.accountId, m.name]));
  const { plan, entries } = await deps.docs.read(caseRoom(meeting.case_id), (doc) => ({ plan: planToJson(doc), entries: clientEntries(doc) }));
  const before = meeting.plan_at_start ? (planJsonSchema.safeParse(JSON.parse(meeting.plan_at_start)).data ?? null) : null;
  const goalTitle = (goalId: string | null) => (goalId ? (plan.goals.find((g) => g.id === goalId)?.title ?? '') : null);
  const actionText = (actionId: string | null) => findAction(plan, actionId)?.text ?? null;
  return {
    startedAt: meeting.started_at ?? '',
    endedAt: meeting.ended_at ?? '',
    participants: attendance.map(participantOf),
    agenda: agendaOf(meeting),
    decisions: decisions.map((d) => ({ text: d.text, by: d.created_by_name, action: actionText(d.action_id) })),
    actions: changedActions(before, plan, (r) => (r === CLIENT_RESPONSIBLE ? CLIENT_RESPONSIBLE : (names.get(r) ?? ''))),
    clientWords: entries
      .filter((e) => e.meetingId === meeting.id)
      .map((e) => ({ kind: e.kind, text: e.text, goal: goalTitle(e.goalId), action: actionText(e.actionId), stance: e.stance })),
    nextMeeting: next ? { scheduledAt: next.scheduled_at, place: next.place } : null
  };
}

function findAction(plan: PlanJson, actionId: string | null) {
  if (!actionId) return undefined;
  for (const goal of plan.goals) for (const action of goal.actions) if (action.id === actionId) return action;
  return undefined;
}

/** The record of an ended meeting, made now if ending could not make it (reading it is audited like opening the case). */
export async function getMeetingRecord(deps: MeetingDeps, p: Principal, meetingId: string, meta: RequestMeta): Promise<{ meeting: MeetingSummary; record: MeetingRecord }> {
  const { db } = deps;
  // The record lists what changed in the plan and the client's own words on it.
  const { meeting } = await loadMeeting(db, p, meetingId, meta, 'plan');
  if (meeting.status !== 'ended') throw new AppError(404, 'not_found', 'this meeting has no record yet');
  const record = meeting.record ? (JSON.parse(meeting.record) as MeetingRecord) : await storeRecord(deps, meeting);
  await audit(db, { action: 'case_view', principal: p, caseId: meeting.case_id, details: { meetingRecord: meetingId }, meta });
  const members = await listMembers(db, meeting.case_id);
  return {
    meeting: summaryOf(meeting, members.find((m) => m.accountId === meeting.chair_id)?.name ?? ''),
    record
  };
}
