/** The typed Socket.IO event map, used by both ends. Events are named `domain:verb`. */
export interface ServerToClientEvents {
  /** The session behind this socket ended (signed out, expired or revoked). */
  'session:ended': (payload: { reason: 'signed_out' | 'expired' | 'revoked' }) => void;
  /** The team or the consents of a subscribed case changed. */
  'case:changed': (payload: { caseId: string }) => void;
  /** This person no longer has access to the case; the subscription has ended. */
  'case:revoked': (payload: { caseId: string }) => void;
}

/** Answer to a request that needs access: `ok`, or the reason it was refused. */
export type AccessAck = { ok: true } | { ok: false; code: 'not_found' | 'bad_request' };

export interface ClientToServerEvents {
  /** Round-trip check used by the client to show the connection state. */
  'session:ping': (ack: (payload: { at: string }) => void) => void;
  /** Receive `case:changed` and `case:revoked` for a case this person may see. */
  'case:subscribe': (caseId: string, ack: (result: AccessAck) => void) => void;
  'case:unsubscribe': (caseId: string) => void;
}

export interface InterServerEvents {}

/** What the server knows about an authenticated Socket.IO connection. */
export interface SocketData {
  accountId: string;
  sessionId: string;
}
