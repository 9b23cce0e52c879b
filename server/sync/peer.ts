/** What a room needs from one of its connections; keeps room.ts free of WebSocket details. */
import type { Principal } from '../services/auth-service.js';

export interface RoomPeer {
  readonly id: string;
  readonly principal: Principal;
  /** Whether the peer asked for "saved" messages (URL parameter `saved=1`). */
  readonly wantsSaved: boolean;
  /** Awareness client ids this peer owns in the room. */
  readonly ownedClientIds: Set<number>;
  /** Updates from this peer that changed the document (for the edit-session audit record). */
  updatesApplied: number;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}
