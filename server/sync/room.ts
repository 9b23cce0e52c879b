/** One loaded Yjs document with its awareness and the peers connected to it. */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE_AWARENESS, MESSAGE_SYNC, encodeSaved } from '../../shared/sync-protocol.js';
import { applyStored, type DocumentStore } from './store.js';
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

/**
 * A sync message of `syncType` (step 2 or update) carrying `update`. Written with one copy of
 * the update: a whole document's encoding can be megabytes.
 */
export function encodeSyncMessage(syncType: number, update: Uint8Array): Uint8Array {
  const header = encoding.createEncoder();
  encoding.writeVarUint(header, MESSAGE_SYNC);
  encoding.writeVarUint(header, syncType);
  encoding.writeVarUint(header, update.byteLength);
  const head = encoding.toUint8Array(header);
  const message = new Uint8Array(head.byteLength + update.byteLength);
  message.set(head);
  message.set(update, head.byteLength);
  return message;
}

export function encodeAwarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}

/** How much a document must have changed before its size is measured again near the cap. */
const REMEASURE_AFTER_BYTES = 64 * 1024;

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
  /**
   * The state vector of what is stored: as loaded, then as of this instance's last commit. A
   * newcomer who asked for "saved" messages is told it at once, so content it restored from its
   * own offline copy counts as saved only where the server already holds it.
   */
  storedStateVector: Uint8Array = Y.encodeStateVector(new Y.Doc());
  /**
   * The whole document as one encoded update at some moment, and the updates applied since:
   * together they are the document, so a newcomer gets them without a fresh encoding. Encoded
   * again only once the updates since outgrow a quarter of it.
   */
  private encoded: Uint8Array | null = null;
  private since: Uint8Array[] = [];
  private bytesSince = 0;
  /** An upper bound of the encoded document's size: its last encoding plus every update since. */
  private approximateBytes = 0;
  private readonly unsubscribe: () => void;

  private constructor(
    readonly name: string,
    private readonly sink: UpdateSink,
    private readonly fanout: Fanout
  ) {
    this.awareness.setLocalState(null);
    this.doc.on('update', this.onUpdate);
    this.awareness.on('update', this.onAwareness);
    this.unsubscribe = fanout.subscribe(name, { message: this.onRemote, resync: () => this.resync(false), state: () => Y.encodeStateAsUpdate(this.doc) });
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
    room.storedStateVector = Y.encodeStateVector(room.doc);
    room.wholeDocument();
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
    this.storedStateVector = stateVector;
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

  /**
   * What a peer with `stateVector` is missing, as updates to apply in order. Entries for clients
   * this document does not know are ignored, so a peer that has nothing of it (an empty state
   * vector, as every new connection sends, or made-up entries) gets the kept encoding.
   */
  missingFor(stateVector: Uint8Array): Uint8Array[] {
    const known = new Map<number, number>();
    for (const [client, clock] of Y.decodeStateVector(stateVector)) {
      const state = Y.getState(this.doc.store, client);
      if (clock > 0 && state > 0) known.set(client, Math.min(clock, state));
    }
    if (known.size === 0) return this.wholeDocument();
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, known.size);
    for (const [client, clock] of known) {
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, clock);
    }
    return [Y.encodeStateAsUpdate(this.doc, encoding.toUint8Array(encoder))];
  }

  /** The whole document as updates (its kept encoding and the updates since). */
  wholeDocument(): Uint8Array[] {
    if (!this.encoded) {
      this.encoded = Y.encodeStateAsUpdate(this.doc);
      this.since = [];
      this.bytesSince = 0;
      this.approximateBytes = this.encoded.byteLength;
    }
    return [this.encoded, ...this.since];
  }

  /**
   * Whether the document may grow by an update of `bytes` and stay within `maxBytes`. Judged by
   * the upper bound; the document is measured again only when that says no and it changed
   * enough since it was last measured for that to be worth an encoding.
   */
  hasRoomFor(bytes: number, maxBytes: number): boolean {
    if (this.approximateBytes + bytes <= maxBytes) return true;
    if (this.encoded && this.bytesSince < REMEASURE_AFTER_BYTES) return false;
    this.encoded = null;
    return this.wholeDocument()[0]!.byteLength + bytes <= maxBytes;
  }

  destroy(): void {
    this.unsubscribe();
    this.awareness.destroy();
    this.doc.destroy();
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    this.approximateBytes += update.byteLength;
    if (this.encoded) {
      this.since.push(update);
      this.bytesSince += update.byteLength;
      if (this.bytesSince > Math.max(REMEASURE_AFTER_BYTES, this.encoded.byteLength / 4)) this.encoded = null;
    }
    if (origin === LOAD_ORIGIN) return;
    const message = encodeSyncMessage(syncProtocol.messageYjsUpdate, update);
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
