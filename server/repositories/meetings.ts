/** Meeting queries: meetings, invitees, attendance and decisions. */
import type { Db, Insertable, Meeting, MeetingTable } from '../db/database.js';
import { queries } from '../db/kysely.js';

export async function insertMeeting(db: Db, row: Insertable<MeetingTable>, invitees: readonly string[]): Promise<void> {
  await queries(db).insertInto('meetings').values(row).execute();
  if (invitees.length > 0) {
    await queries(db)
      .insertInto('meeting_invitees')
      .values(invitees.map((account_id) => ({ meeting_id: row.id, account_id })))
      .execute();
  }
}

export function findMeeting(db: Db, id: string): Promise<Meeting | undefined> {
  return queries(db).selectFrom('meetings').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A case's meetings with the chair's name, newest scheduled first. */
export function listMeetings(db: Db, caseId: string) {
  return queries(db)
    .selectFrom('meetings')
    .innerJoin('accounts', 'accounts.id', 'meetings.chair_id')
    .selectAll('meetings')
    .select('accounts.name as chair_name')
    .where('meetings.case_id', '=', caseId)
    .orderBy('meetings.scheduled_at', 'desc')
    .execute();
}

/** The next meeting of a case still to be held after `after` (not the one given). */
export function findNextMeeting(db: Db, caseId: string, after: string, except: string | null) {
  let query = queries(db)
    .selectFrom('meetings')
    .select(['id', 'scheduled_at', 'place'])
    .where('case_id', '=', caseId)
    .where('status', '=', 'scheduled')
    .where('scheduled_at', '>', after);
  if (except) query = query.where('id', '!=', except);
  return query.orderBy('scheduled_at', 'asc').executeTakeFirst();
}

export async function updateMeeting(db: Db, id: string, changes: Partial<Omit<Meeting, 'id' | 'case_id'>>): Promise<void> {
  await queries(db).updateTable('meetings').set(changes).where('id', '=', id).execute();
}

/** Moves a meeting from one status to another; false when it was not in `from` (someone else moved it). */
export async function transitionMeeting(db: Db, id: string, from: Meeting['status'], changes: Partial<Meeting>): Promise<boolean> {
  const result = await queries(db).updateTable('meetings').set(changes).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listInvitees(db: Db, meetingId: string) {
  return queries(db)
    .selectFrom('meeting_invitees')
    .innerJoin('accounts', 'accounts.id', 'meeting_invitees.account_id')
    .select(['accounts.id as id', 'accounts.name as name'])
    .where('meeting_invitees.meeting_id', '=', meetingId)
    .orderBy('accounts.name')
    .execute();
}

/** Records that someone joined (the first time only). */
export async function recordAttendance(
  db: Db,
  row: { meeting_id: string; participant: string; name: string; role: string; organisation: string; joined_at: string }
): Promise<void> {
  await queries(db)
    .insertInto('meeting_attendance')
    .values(row)
    .onConflict((oc) => oc.columns(['meeting_id', 'participant']).doNothing())
    .execute();
}

export function listAttendance(db: Db, meetingId: string) {
  return queries(db).selectFrom('meeting_attendance').selectAll().where('meeting_id', '=', meetingId).orderBy('joined_at').execute();
}

export async function insertDecision(
  db: Db,
  row: { id: string; meeting_id: string; text: string; created_by: string; created_at: string }
): Promise<void> {
  await queries(db).insertInto('meeting_decisions').values(row).execute();
}

export function findDecision(db: Db, meetingId: string, id: string) {
  return queries(db).selectFrom('meeting_decisions').selectAll().where('meeting_id', '=', meetingId).where('id', '=', id).executeTakeFirst();
}

/** Links a decision to the action made of it; false when it already had one. */
export async function linkDecision(db: Db, id: string, goalId: string, actionId: string): Promise<boolean> {
  const result = await queries(db)
    .updateTable('meeting_decisions')
    .set({ goal_id: goalId, action_id: actionId })
    .where('id', '=', id)
    .where('action_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listDecisions(db: Db, meetingId: string) {
  return queries(db)
    .selectFrom('meeting_decisions')
    .innerJoin('accounts', 'accounts.id', 'meeting_decisions.created_by')
    .selectAll('meeting_decisions')
    .select('accounts.name as created_by_name')
    .where('meeting_decisions.meeting_id', '=', meetingId)
    .orderBy('meeting_decisions.created_at')
    .execute();
}

/** Undoes `linkDecision` (when making the action failed). */
export async function unlinkDecision(db: Db, id: string): Promise<void> {
  await queries(db).updateTable('meeting_decisions').set({ goal_id: null, action_id: null }).where('id', '=', id).execute();
}
