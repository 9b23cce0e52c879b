/** Who a client's device is: its guest session, found by the token in its cookie. */
import { createHash } from 'node:crypto';
import type { Db, GuestStatus, MeetingStatus } from '../db/database.js';
import { now } from '../db/time.js';
import { findGuestWithMeeting } from '../repositories/guests.js';

export interface Guest {
  /** The guest session id (the token's hash). */
  id: string;
  status: GuestStatus;
  meetingId: string;
  meetingStatus: MeetingStatus;
  caseId: string;
  expiresAt: string;
}

/** Guest session ids, like session ids, are hashes of the token kept in the cookie. */
export function guestIdOf(token: string): string {
  return createHash('sha256').update(`guest:${token}`).digest('hex');
}

/** The guest behind a token, or `null` when unknown or past its time. */
export async function authenticateGuest(db: Db, token: string | undefined): Promise<Guest | null> {
  if (!token || token.length > 100) return null;
  const row = await findGuestWithMeeting(db, guestIdOf(token));
  if (!row || row.expiresAt <= now()) return null;
  // A guest outlives nothing: when the meeting is over, so is the guest (whatever its row says).
  if (row.meetingStatus === 'ended' && (row.status === 'waiting' || row.status === 'admitted')) return { ...row, status: 'ended' };
  return row;
}
