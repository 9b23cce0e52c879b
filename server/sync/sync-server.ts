/**
 * The Yjs endpoint's protocol side, `/yjs/<room>`: asks the application (`SyncHooks`) who may
 * open the room, loads the room before the upgrade completes (a refused or failed connection gets
 * a plain HTTP error and never any document data), and holds the connection's messages until the
 * application has registered it. It knows nothing of sessions, cases or the audit log.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type * as Y from 'yjs';
import type { DocAccess } from '../../shared/roles.js';
import { SAVED_PARAM } from '../../shared/sync-protocol.js';
import type { Logger } from '../logger.js';
import { CLOSE, SyncConnection } from './connection.js';
import type { PeerIdentity } from './peer.js';
import type { RoomRegistry } from './room-registry.js';

export const YJS_PATH_PREFIX = '/yjs/';

/** Messages a connection may send before the application has let it start (a client sends two or three). */
const MAX_EARLY_MESSAGES = 64;

/** Who may open a room: the identity shown to the others, the access, and the application's own context. */
export interface Admitted<Context> {
  identity: PeerIdentity;
  access: DocAccess;
  context: Context;
}

/**
 * The typed lifecycle the application plugs into (as Hocuspocus's hooks): authorise before the
 * upgrade, then connect, then disconnect.
 */
export interface SyncHooks<Context> {
  /**
   * Before the upgrade and the room's load: who may open `room`, or the HTTP status to refuse
   * with. Whatever must happen before any document data flows (an audit row) happens here.
   */
  onUpgrade(request: IncomingMessage, room: string): Promise<Admitted<Context> | number>;
  /**
   * The socket is open and the room loaded; nothing has been sent or handled yet. Resolves to
   * whether the connection may start (the application closes it otherwise, e.g. because access
   * was revoked while the room loaded).
   */
  onConnect(connection: SyncConnection, context: Context): Promise<boolean>;
  /** The connection closed (after `onConnect`, whatever it answered). */
  onDisconnect(connection: SyncConnection, context: Context): void;
  /**
   * Before an edit is applied to `doc` (the room's document): why the application refuses it, or
   * null. A refused edit is treated as a malformed one: nothing of it is applied and the
   * connection is closed with 1007.
   */
  refuseUpdate?(room: string, doc: Y.Doc, update: Uint8Array): string | null;
}

/** Plain limits (see README.md, "Limits"). */
export interface SyncLimits {
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
  /** Largest a document may grow (encoded); an edit past it is refused. */
  maxDocumentBytes: number;
  /** A connection that answers no ping for two of these is terminated. */
  heartbeatMs: number;
}

export class SyncServer<Context> {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<SyncConnection>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly hooks: SyncHooks<Context>,
    private readonly limits: SyncLimits,
    private readonly logger: Logger
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false, allowSynchronousEvents: false });
    // A connection that dropped without closing (a laptop lid, a lost network) is noticed within
    // two heartbeats, so its presence disappears and its room can unload.
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, limits.heartbeatMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Handles an upgrade whose path starts with `/yjs/`. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const { registry, hooks, limits, logger } = this;
    const url = new URL(req.url ?? '/', 'http://localhost');
    let roomName: string;
    try {
      roomName = decodeURIComponent(url.pathname.slice(YJS_PATH_PREFIX.length));
    } catch {
      return refuseUpgrade(socket, 400);
    }

    const admitted = await hooks.onUpgrade(req, roomName);
    if (typeof admitted === 'number') return refuseUpgrade(socket, admitted);
    const { identity, access, context } = admitted;

    let room;
    try {
      room = await registry.acquire(roomName);
    } catch {
      return refuseUpgrade(socket, 503);
    }

    let released = false;
    let attached = false;
    const release = (): void => {
      if (released) return;
      released = true;
      registry.release(roomName);
    };
    // If the upgrade cannot complete (the socket went away meanwhile), give the room back.
    socket.once('close', () => {
      if (!attached) release();
    });
    if (socket.destroyed) return release();

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      attached = true;
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      const connection = new SyncConnection(
        ws,
        room,
        identity,
        access,
        url.searchParams.get(SAVED_PARAM) === '1',
        { maxMessageBytes: limits.maxMessageBytes, maxMessagesPerSecond: limits.maxMessagesPerSecond, maxBufferedBytes: Math.max(16 * 1024 * 1024, limits.maxMessageBytes * 2), maxDocumentBytes: limits.maxDocumentBytes },
        logger,
        hooks.refuseUpdate && ((update) => hooks.refuseUpdate!(roomName, room.doc, update))
      );
      this.connections.add(connection);
      // The listener is attached at once; what arrives before the application lets the
      // connection start waits here, so nothing is answered to a connection that may yet be refused.
      let early: Uint8Array[] | null = [];
      ws.on('message', (data: RawData) => {
        // A peer whose messages still arrive is alive, even while its pong waits behind them
        // (messages are handled one per turn; a refused flood can take a while to read out).
        this.alive.add(ws);
        const message = toUint8Array(data);
        if (!early) return connection.receive(message);
        if (early.length < MAX_EARLY_MESSAGES) early.push(message);
        else connection.refuse(CLOSE.flooding, 'too many messages before the start');
      });
      ws.on('error', (error) => logger.debug({ err: error, connection: connection.id }, 'websocket error'));
      ws.on('close', () => {
        this.connections.delete(connection);
        early = null;
        hooks.onDisconnect(connection, context);
        connection.dispose();
        release();
      });
      void hooks
        .onConnect(connection, context)
        .catch((error: unknown) => {
          logger.error({ err: error, connection: connection.id }, 'sync connect hook failed');
          return false;
        })
        .then((go) => {
          if (!go || !connection.isOpen) {
            connection.close(CLOSE.accessRevoked, 'access revoked');
            return;
          }
          connection.start();
          const waiting = early ?? [];
          early = null;
          for (const message of waiting) connection.receive(message);
          logger.debug({ room: roomName, connection: connection.id, access }, 'sync connection opened');
        });
    });
  }

  /** Closes every connection (clients reconnect, possibly to another instance). */
  closeAll(code: number = CLOSE.serverRestart, reason = 'server restarting'): void {
    for (const connection of this.connections) connection.close(code, reason);
  }

  /**
   * Waits (at most `ms`) until every connection has closed. A socket reports 'close' only after
   * every message it had received was handled (they are handled one per turn), so after a
   * `closeAll` this is when everything the clients sent is in the writer's queue.
   */
  async closed(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Drops every connection at once and waits until each one has reported its close. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    // A terminated socket reports 'close' on a later tick.
    await this.closed(2_000);
  }
}

/** Answers an upgrade with a plain HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (!socket.destroyed && socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
