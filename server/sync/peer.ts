/** What a room needs from one of its connections; keeps room.ts free of WebSocket details. */
import type { PresenceUser } from '../../shared/presence.js';

/** Who is behind a peer: an account, or the client through their meeting (no account). */
export interface PeerIdentity {
  /** Stored with the peer's updates; `null` for the client's entries written by the server. */
  accountId: string | null;
  /** What the others see in awareness (the server sets it; peers cannot). */
  user: PresenceUser;
}

export interface RoomPeer {
  readonly id: string;
  readonly identity: PeerIdentity;
  /** Whether the peer asked for "saved" messages (URL parameter `saved=1`). */
  readonly wantsSaved: boolean;
  /** Awareness client ids this peer owns in the room. */
  readonly ownedClientIds: Set<number>;
  /** Updates from this peer that changed the document (for the edit-session audit record). */
  updatesApplied: number;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}
