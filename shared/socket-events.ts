/** The typed Socket.IO event map, used by both ends. Events are named `domain:verb`. */
export interface ServerToClientEvents {
  /** The session behind this socket ended (signed out, expired or revoked). */
  'session:ended': (payload: { reason: 'signed_out' | 'expired' | 'revoked' }) => void;
}

export interface ClientToServerEvents {
  /** Round-trip check used by the client to show the connection state. */
  'session:ping': (ack: (payload: { at: string }) => void) => void;
}

export interface InterServerEvents {}

/** What the server knows about an authenticated Socket.IO connection. */
export interface SocketData {
  accountId: string;
  sessionId: string;
}
