/** One loaded Yjs document with its awareness and the peers connected to it. */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE_AWARENESS, MESSAGE_SYNC, encodeSaved } from '../../shared/sync-protocol.js';
import { applyStored, type DocumentStore } from '../repositories/documents.js';
import { withoutLocalOwners } from './awareness-guard.js';
import type { Fanout, FanoutMessage } from './fanout.js';
import type { RoomPeer } from './peer.js';

/** Origin of updates applied while loading from storage: neither stored again nor broadcast. */
export const LOAD_ORIGIN = Symbol('load');
/** Origin of updates that arrived from another instance: broadcast here, stored there. */
export const REMOTE_ORIGIN = Symbol('remote');

/** Receives every update that a peer applied, so that it is stored. */
export interface UpdateSink {
  /** Returns the update's ticket in the write queue. */
  enqueue(room: Room, update: Uint8Array, peer: RoomPeer): number;
  /** The ticket of the last update queued. */
  readonly lastTicket: number;
}

export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeAwarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}

export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly peers = new Set<RoomPeer>();
  /** Which peer owns each awareness client id. */
  readonly awarenessOwners = new Map<number, RoomPeer>();
  /** Updates handed to the writer and not yet stored. */
  pending = 0;
  /** Log rows stored since the last compaction (as far as this instance knows). */
  logLength = 0;
  private readonly unsubscribe: () => void;

  private constructor(
    readonly name: string,
    private readonly sink: UpdateSink,
    private readonly fanout: Fanout
  ) {
    this.awareness.setLocalState(null);
    this.doc.on('update', this.onUpdate);
    this.awareness.on('update', this.onAwareness);
    this.unsubscribe = fanout.subscribe(name, { message: this.onRemote, resync: () => this.resync(false) });
  }

  /** Loads a room from storage; throws (and stores nothing) when the load fails. */
  static async load(name: string, store: DocumentStore, sink: UpdateSink, fanout: Fanout): Promise<Room> {
    const stored = await store.load(name);
    const room = new Room(name, sink, fanout);
    try {
      applyStored(room.doc, stored, LOAD_ORIGIN);
    } catch (error) {
      room.destroy();
      throw error;
    }
    room.logLength = stored.logLength;
    return room;
  }

  add(peer: RoomPeer): void {
    this.peers.add(peer);
  }

  remove(peer: RoomPeer): void {
    if (!this.peers.delete(peer)) return;
    const owned = [...peer.ownedClientIds];
    for (const id of owned) this.awarenessOwners.delete(id);
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, peer);
  }

  /** Tells peers whose updates were just stored that they are safe, with the stored state vector. */
  notifySaved(peers: Iterable<RoomPeer>, stateVector: Uint8Array): void {
    const message = encodeSaved(stateVector);
    for (const peer of peers) if (peer.wantsSaved && this.peers.has(peer)) peer.send(message);
  }

  /** The sync step 1 and the current awareness a new peer needs. */
  greeting(): Uint8Array[] {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    const messages: Uint8Array[] = [encoding.toUint8Array(encoder)];
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) messages.push(encodeAwarenessMessage(this.awareness, states));
    return messages;
  }

  destroy(): void {
    this.unsubscribe();
    this.awareness.destroy();
    this.doc.destroy();
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOAD_ORIGIN) return;
    const message = encodeUpdateMessage(update);
    for (const peer of this.peers) if (peer !== origin) peer.send(message);
    if (origin === REMOTE_ORIGIN) return;
    if (this.peers.has(origin as RoomPeer)) {
      const peer = origin as RoomPeer;
      peer.updatesApplied++;
      const ticket = this.sink.enqueue(this, update, peer);
      this.fanout.publish({ room: this.name, kind: 'update', payload: update, ticket, accountId: peer.identity.accountId });
    }
  };

  private readonly onAwareness = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown
  ): void => {
    const changed = change.added.concat(change.updated, change.removed);
    const message = encodeAwarenessMessage(this.awareness, changed);
    for (const peer of this.peers) peer.send(message);
    if (origin !== REMOTE_ORIGIN) {
      this.fanout.publish({ room: this.name, kind: 'awareness', payload: awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed) });
    }
  };

  /**
   * The instance-to-instance version of the y-websocket sync exchange: sends this instance's
   * state vector; every other instance holding the room answers with what it is missing (and,
   * unless this is itself an answer, with its own state vector, so that both sides catch up).
   */
  private resync(reply: boolean): void {
    this.fanout.publish({ room: this.name, kind: 'sync', payload: Y.encodeStateVector(this.doc), reply });
  }

  private readonly onRemote = (message: FanoutMessage): void => {
    if (message.kind === 'update') Y.applyUpdate(this.doc, message.payload, REMOTE_ORIGIN);
    else if (message.kind === 'awareness') {
      const allowed = withoutLocalOwners(message.payload, this);
      if (allowed) awarenessProtocol.applyAwarenessUpdate(this.awareness, allowed, REMOTE_ORIGIN);
    }
    else {
      const missing = Y.encodeStateAsUpdate(this.doc, message.payload);
      // An update with no structs and no deletions is two zero bytes: nothing to send. The
      // answer may hold updates this instance has not stored yet: it carries the ticket of the
      // last one queued, so the others keep it until this instance says it stored that far.
      if (missing.byteLength > 2) this.fanout.publish({ room: this.name, kind: 'update', payload: missing, ticket: this.sink.lastTicket, accountId: null });
      // The presence of this instance's own peers (remote ones are told by their instance).
      const own = [...this.awarenessOwners.keys()].filter((id) => this.awareness.getStates().has(id));
      if (own.length > 0) {
        this.fanout.publish({ room: this.name, kind: 'awareness', payload: awarenessProtocol.encodeAwarenessUpdate(this.awareness, own) });
      }
      if (!message.reply) this.resync(true);
    }
  };
}

/** Reads a var-length byte array, throwing on truncated input (lib0 may silently under-read). */
export function readBytes(decoder: decoding.Decoder): Uint8Array {
  const length = decoding.readVarUint(decoder);
  if (decoder.pos + length > decoder.arr.length) throw new Error('truncated message');
  return decoding.readUint8Array(decoder, length);
}
