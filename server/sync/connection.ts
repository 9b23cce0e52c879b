/**
 * One WebSocket connected to one room. It is created only after the upgrade was authorised and
 * the room loaded, and handles messages once the application has let it start. Messages a `view`
 * connection may not send (sync step 2, updates, unknown types) are dropped; a malformed
 * message closes this connection only.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import type { DocAccess } from '../../shared/roles.js';
import { MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC, encodeSaved } from '../../shared/sync-protocol.js';
import type { Logger } from '../logger.js';
import { guardAwareness } from './awareness-guard.js';
import { TokenBucket } from './token-bucket.js';
import { assertApplicable } from './update-guard.js';
import type { PeerIdentity, RoomPeer } from './peer.js';
import { encodeAwarenessMessage, encodeSyncMessage, readBytes, type Room } from './room.js';

/** WebSocket close codes used by the sync server. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  malformed: 1007,
  flooding: 1008,
  tooBig: 1009,
  serverRestart: 1012,
  slowConsumer: 4008,
  documentTooLarge: 4413,
  sessionEnded: 4401,
  accessRevoked: 4403
} as const;

/** How many seconds' worth of messages a connection may send at once. */
const BURST_SECONDS = 20;
/**
 * Sync requests (step 1) and awareness queries are answered at most this often per connection
 * after the first few: an honest client asks once per connection, and an answer may cost an
 * encoding of the whole document. Requests arriving meanwhile are merged into one answer.
 */
const ANSWERS_PER_SECOND = 1;
const ANSWER_BURST = 3;

export interface ConnectionLimits {
  maxMessageBytes: number;
  /**
   * Messages per second a connection may send on average; bursts of `BURST_SECONDS` worth are
   * fine (a script filling a document, a burst of typing after a stall). Past that it is
   * flooding and is closed.
   */
  maxMessagesPerSecond: number;
  /** Close a peer whose unsent data grows past this (it resyncs on reconnect). */
  maxBufferedBytes: number;
  /** Refuse an edit that would take the document past this size (encoded). */
  maxDocumentBytes: number;
}

export class SyncConnection implements RoomPeer {
  readonly id = crypto.randomUUID();
  readonly ownedClientIds = new Set<number>();
  updatesApplied = 0;
  droppedMessages = 0;
  /** Closed for breaking the rules (too big, malformed, flooding). */
  private refused = false;
  /** The message rate limit. */
  private readonly messages: TokenBucket;
  /** The latest sync request not answered yet (only the latest matters). */
  private askedStateVector: Uint8Array | null = null;
  private askedAwareness = false;
  private answerTimer: NodeJS.Timeout | null = null;
  private readonly answers = new TokenBucket(ANSWERS_PER_SECOND, ANSWER_BURST);

  constructor(
    private readonly ws: WebSocket,
    private readonly room: Room,
    readonly identity: PeerIdentity,
    readonly access: DocAccess,
    readonly wantsSaved: boolean,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    /** The application's reason to refuse an edit (see `SyncHooks.refuseUpdate`). */
    private readonly refuseUpdate?: (update: Uint8Array) => string | null
  ) {
    this.messages = new TokenBucket(limits.maxMessagesPerSecond, limits.maxMessagesPerSecond * BURST_SECONDS);
  }

  /** Joins the room and sends the greeting; call in the upgrade callback, before any await. */
  start(): void {
    this.room.add(this);
    for (const message of this.room.greeting()) this.send(message);
    if (this.wantsSaved) this.send(encodeSaved(this.room.storedStateVector));
  }

  receive(data: Uint8Array): void {
    // After a violation, what is still buffered on the socket is not handled (nor logged again).
    // A socket closed for other reasons (a restart) is still heard out: its edits are stored.
    if (this.refused) return;
    if (data.byteLength > this.limits.maxMessageBytes) {
      this.refuse(CLOSE.tooBig, 'message too big');
      return;
    }
    if (!this.messages.take()) {
      this.logger.warn({ room: this.room.name, connection: this.id }, 'connection sends too many messages; closing it');
      this.refuse(CLOSE.flooding, 'too many messages');
      return;
    }
    try {
      this.handle(data);
    } catch (error) {
      this.logger.warn({ err: error, room: this.room.name, connection: this.id }, 'malformed message; closing connection');
      this.refuse(CLOSE.malformed, 'malformed message');
    }
  }

  send(message: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CLOSE.slowConsumer, 'too far behind');
      return;
    }
    this.ws.send(message, (error) => {
      if (error) this.close(CLOSE.goingAway, 'send failed');
    });
  }

  /** Closes the connection for breaking the rules; nothing more it sent is handled. */
  refuse(code: number, reason: string): void {
    if (this.refused) return;
    this.refused = true;
    this.close(code, reason);
  }

  /** Whether the socket is still open (not closing or closed). */
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  /** Leaves the room; called once the socket closed. */
  dispose(): void {
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.answerTimer = null;
    this.room.remove(this);
  }

  /** Answers what was asked on a later turn, no more often than the answer rate allows. */
  private scheduleAnswer(): void {
    if (this.answerTimer) return;
    this.answerTimer = setTimeout(this.answer, this.answers.waitMs());
  }

  private readonly answer = (): void => {
    this.answerTimer = null;
    if (this.refused || this.ws.readyState !== WebSocket.OPEN) return;
    if (!this.answers.take()) return this.scheduleAnswer();
    const stateVector = this.askedStateVector;
    this.askedStateVector = null;
    if (stateVector) {
      // The updates since the kept encoding go first: the peer holds them back until the sync
      // step 2 brings what they build on, so it has everything once it counts itself synced.
      const [first, ...since] = this.room.missingFor(stateVector);
      for (const update of since) this.send(encodeSyncMessage(syncProtocol.messageYjsUpdate, update));
      this.send(encodeSyncMessage(syncProtocol.messageYjsSyncStep2, first!));
    }
    if (this.askedAwareness) {
      this.askedAwareness = false;
      const states = [...this.room.awareness.getStates().keys()];
      if (states.length > 0) this.send(encodeAwarenessMessage(this.room.awareness, states));
    }
  };

  private handle(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC:
        return this.handleSync(decoder);
      case MESSAGE_AWARENESS: {
        const update = guardAwareness(readBytes(decoder), this, this.room);
        if (update) awarenessProtocol.applyAwarenessUpdate(this.room.awareness, update, this);
        return;
      }
      case MESSAGE_QUERY_AWARENESS:
        this.askedAwareness = true;
        return this.scheduleAnswer();
      default:
        this.droppedMessages++;
    }
  }

  private handleSync(decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder);
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      const stateVector = readBytes(decoder);
      Y.decodeStateVector(stateVector);
      this.askedStateVector = stateVector;
      return this.scheduleAnswer();
    }
    if (syncType !== syncProtocol.messageYjsSyncStep2 && syncType !== syncProtocol.messageYjsUpdate) {
      throw new Error(`unknown sync message type ${syncType}`);
    }
    const update = readBytes(decoder);
    if (this.access !== 'edit') {
      this.droppedMessages++;
      return;
    }
    // Check the whole update before applying it, so a malformed one changes nothing.
    assertApplicable(update);
    const refused = this.refuseUpdate?.(update);
    if (refused) throw new Error(`edit refused: ${refused}`);
    if (!this.room.hasRoomFor(update.byteLength, this.limits.maxDocumentBytes)) {
      this.logger.warn({ room: this.room.name, connection: this.id }, 'document would grow past its size cap; refusing the edit');
      this.refuse(CLOSE.documentTooLarge, 'document too large');
      return;
    }
    Y.applyUpdate(this.room.doc, update, this);
  }
}
