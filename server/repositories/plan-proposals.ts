/** Plans proposed as final and their signatures. */
import type { Db, Insertable, PlanProposalTable, PlanSignatureTable } from '../db/database.js';
import { queries } from '../db/kysely.js';

/** A proposal by id. */
export function findProposal(db: Db, id: string) {
  return queries(db).selectFrom('plan_proposals').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The case's open proposal (the latest, should there be several). */
export function findOpenProposal(db: Db, caseId: string) {
  return queries(db).selectFrom('plan_proposals').selectAll().where('case_id', '=', caseId).where('status', '=', 'proposed').orderBy('proposed_at', 'desc').executeTakeFirst();
}

/** Withdraws the case's open proposals (a new one replaces them). */
export async function withdrawOpenProposals(db: Db, caseId: string): Promise<void> {
  await queries(db).updateTable('plan_proposals').set({ status: 'withdrawn' }).where('case_id', '=', caseId).where('status', '=', 'proposed').execute();
}

/** Stores a new proposal. */
export async function insertProposal(db: Db, row: Insertable<PlanProposalTable>): Promise<void> {
  await queries(db).insertInto('plan_proposals').values(row).execute();
}

/** Records the meeting in which the proposal was agreed. */
export async function setAgreedInMeeting(db: Db, id: string, meetingId: string): Promise<void> {
  await queries(db).updateTable('plan_proposals').set({ agreed_in_meeting: meetingId }).where('id', '=', id).execute();
}

/** Marks an open proposal archived; false when it was no longer open (someone else got there first). */
export async function claimProposalForArchive(db: Db, id: string): Promise<boolean> {
  const claimed = await queries(db).updateTable('plan_proposals').set({ status: 'archived' }).where('id', '=', id).where('status', '=', 'proposed').executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/** A proposal's signatures, oldest first. */
export function listSignatures(db: Db, proposalId: string) {
  return queries(db).selectFrom('plan_signatures').selectAll().where('proposal_id', '=', proposalId).orderBy('at').execute();
}

/** Adds a signature; signing the same step twice keeps the first. */
export async function insertSignature(db: Db, row: Insertable<PlanSignatureTable>): Promise<void> {
  await queries(db)
    .insertInto('plan_signatures')
    .values(row)
    .onConflict((oc) => oc.columns(['proposal_id', 'account_id', 'step']).doNothing())
    .execute();
}
