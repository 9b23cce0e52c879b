/** What meeting services need from the live sockets: tell the meeting's pages, and cut off a client's device. */
import type { GuestStatus } from '../../shared/meetings.js';

export interface MeetingRealtime {
  /** The case's list of meetings changed (one was scheduled). */
  caseChanged(caseId: string): void;
  /** Something in the meeting changed (agenda turn, decisions, lobby); open meeting pages refresh. */
  changed(meetingId: string, caseId: string): void;
  /** The meeting ended: tell its pages. */
  ended(meetingId: string, caseId: string): void;
  /**
   * A client's device changed state: tell it; unless it is waiting or admitted, close all its
   * live connections (Yjs and Socket.IO) at once.
   */
  guestChanged(guestId: string, status: GuestStatus): void;
}
