/**
 * The typed Socket.IO event maps, used by both ends. Events are named `domain:verb`.
 * Professionals use the main namespace; a client's device uses `/guest`, which has its own,
 * much smaller map, so it cannot even name a professional's event.
 */
import type { FollowState, GuestStatus } from './meetings.js';

/** Someone present in a meeting (from their live sockets). */
export interface MeetingPresence {
  id: string;
  name: string;
  role: string;
  organisation: string;
  chair: boolean;
}

export interface ServerToClientEvents {
  /** The session behind this socket ended (signed out, expired or revoked). */
  'session:ended': (payload: { reason: 'signed_out' | 'expired' | 'revoked' }) => void;
  /** The team or the consents of a subscribed case changed. */
  'case:changed': (payload: { caseId: string }) => void;
  /** This person no longer has access to the case; the subscription has ended. */
  'case:revoked': (payload: { caseId: string }) => void;
  /** A meeting was scheduled on a subscribed case. */
  'case:meetings': (payload: { caseId: string }) => void;
  /** Who is in a joined meeting now (the client counts as present while their device is connected). */
  'meeting:presence': (payload: { meetingId: string; people: MeetingPresence[]; client: boolean }) => void;
  /** The meeting's data changed (turn, decisions, lobby): reload it. */
  'meeting:changed': (payload: { meetingId: string }) => void;
  /** The chair's lead: followers show this view and goal. */
  'meeting:focus': (payload: { meetingId: string; state: FollowState }) => void;
  'meeting:ended': (payload: { meetingId: string }) => void;
}

/** Answer to a request that needs access: `ok`, or the reason it was refused. */
export type AccessAck = { ok: true } | { ok: false; code: 'not_found' | 'bad_request' };

export interface ClientToServerEvents {
  /** Round-trip check used by the client to show the connection state. */
  'session:ping': (ack: (payload: { at: string }) => void) => void;
  /** Receive `case:changed` and `case:revoked` for a case this person may see. */
  'case:subscribe': (caseId: string, ack: (result: AccessAck) => void) => void;
  'case:unsubscribe': (caseId: string) => void;
  /** Be present in a meeting of a case this person may see; the answer carries the chair's current lead. */
  'meeting:join': (meetingId: string, ack: (result: MeetingJoinAck) => void) => void;
  'meeting:leave': (meetingId: string) => void;
  /** The chair leads (or stops leading) everyone's view. */
  'meeting:focus': (payload: { meetingId: string; state: FollowState }, ack: (result: AccessAck) => void) => void;
}

export type MeetingJoinAck = { ok: true; follow: FollowState | null } | { ok: false; code: 'not_found' | 'bad_request' | 'forbidden' };

/** Events to a client's device (namespace `/guest`). */
export interface GuestServerToClientEvents {
  /** The device's place in the meeting changed: admitted, declined, removed, or the meeting ended. */
  'guest:status': (payload: { status: GuestStatus }) => void;
}

/** A client's device sends nothing over Socket.IO: its words go through the API, which checks them. */
export interface GuestClientToServerEvents {}

/** What the server knows about a client's device socket. */
export interface GuestSocketData {
  guestId: string;
  meetingId: string;
}

export interface InterServerEvents {}

/** What the server knows about an authenticated Socket.IO connection. */
export interface SocketData {
  accountId: string;
  sessionId: string;
  name: string;
  role: string;
  organisation: string;
  /** Meetings this socket joined, and whether it may chair each. */
  meetings: Record<string, { chair: boolean; caseId: string }>;
}
