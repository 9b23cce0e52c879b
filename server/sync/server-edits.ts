/**
 * Edits the server makes to a live document on someone's behalf (a decision turned into an
 * action, the client's own words). They go through the loaded room like any peer's update:
 * origin-tagged, broadcast to everyone in the room, and stored by the writer.
 */
import * as Y from 'yjs';
import type { Logger } from '../logger.js';
import type { PeerIdentity, RoomPeer } from './peer.js';
import type { RoomRegistry } from './room-registry.js';
import type { UpdateWriter } from './update-writer.js';

export interface ServerDocs {
  /** Reads a document (loading it if needed). */
  read<T>(roomName: string, read: (doc: Y.Doc) => T): Promise<T>;
  /**
   * Runs `change` on the document as one update by `identity` and waits until it is stored.
   * `change` may throw to change nothing (it runs before the transaction is applied).
   */
  change<T>(roomName: string, identity: PeerIdentity, change: (doc: Y.Doc) => T): Promise<T>;
}

/** The edit is live (everyone sees it) but storing it failed; the writer keeps retrying. */
export class NotStoredError extends Error {
  constructor() {
    super('the change is live but could not be stored yet');
    this.name = 'NotStoredError';
  }
}

/** A peer with no socket: the server acting for someone. */
class ServerPeer implements RoomPeer {
  readonly id = `server:${crypto.randomUUID()}`;
  readonly ownedClientIds = new Set<number>();
  readonly wantsSaved = false;
  updatesApplied = 0;
  constructor(readonly identity: PeerIdentity) {}
  send(): void {}
  close(): void {}
}

export function createServerDocs(registry: RoomRegistry, writer: UpdateWriter, logger: Logger): ServerDocs {
  const withRoom = async <T>(roomName: string, use: (room: Awaited<ReturnType<RoomRegistry['acquire']>>) => Promise<T>): Promise<T> => {
    const room = await registry.acquire(roomName);
    try {
      return await use(room);
    } finally {
      registry.release(roomName);
    }
  };
  return {
    read: (roomName, read) => withRoom(roomName, async (room) => read(room.doc)),
    change: (roomName, identity, change) =>
      withRoom(roomName, async (room) => {
        // Work on a copy first, so a change that throws leaves the live document untouched.
        const draft = new Y.Doc();
        Y.applyUpdate(draft, Y.encodeStateAsUpdate(room.doc));
        const before = Y.encodeStateVector(draft);
        const result = change(draft);
        const update = Y.encodeStateAsUpdate(draft, before);
        draft.destroy();
        const peer = new ServerPeer(identity);
        room.add(peer);
        try {
          Y.applyUpdate(room.doc, update, peer);
        } finally {
          room.remove(peer);
        }
        // The writer queued the update as it was applied, so its ticket is the writer's last.
        if (peer.updatesApplied > 0 && !(await writer.stored(writer.lastTicket))) {
          logger.warn({ room: roomName }, 'server edit is live but not yet stored; the writer retries');
          throw new NotStoredError();
        }
        return result;
      })
  };
}
