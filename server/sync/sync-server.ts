/**
 * The Yjs endpoint, `/yjs/<room>`: authorises the upgrade (origin, session, per-session limit,
 * room access) and loads the room before the upgrade completes, so a refused or failed
 * connection gets a plain HTTP error and never any document data.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SAVED_PARAM } from '../../shared/sync-protocol.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { clientIp, guestTokenFromCookieHeader, isAllowedOrigin, refuseUpgrade as refuse, sessionTokenFromCookieHeader } from '../http/request-auth.js';
import { audit } from '../services/audit-service.js';
import type { Logger } from '../logger.js';
import type { LiveConnections } from '../realtime/live-connections.js';
import { authenticate } from '../services/auth-service.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { authenticateGuest } from '../services/guest-auth.js';
import type { SocketOwner } from '../realtime/live-connections.js';
import type { DocAccess } from '../../shared/roles.js';
import { caseRoom } from '../../shared/rooms.js';
import { CLIENT_PRESENCE } from '../../shared/presence.js';
import { userOfPrincipal } from '../domain/principal.js';
import type { PeerIdentity } from './peer.js';
import { authoriseRoom } from '../services/case-service.js';
import { CLOSE, SyncConnection } from './connection.js';
import type { RoomRegistry } from './room-registry.js';

export const YJS_PATH_PREFIX = '/yjs/';

export interface SyncServerDeps {
  db: Db;
  config: Config;
  registry: RoomRegistry;
  live: LiveConnections;
  /** The client's devices in meetings, by guest session. */
  guests: LiveConnections;
  logger: Logger;
}

interface Admission {
  identity: PeerIdentity;
  owner: SocketOwner;
  registry: LiveConnections;
  access: DocAccess;
  caseId: string;
  auditAs: { principal: Principal | null; guestOf: string | null };
}

export class SyncServer {
  private readonly wss: WebSocketServer;
  /** Open connections with the case they belong to. */
  private readonly connections = new Map<SyncConnection, string>();
  /** Closing audit rows being written (shutdown waits for them before closing the database). */
  private readonly auditsInFlight = new Set<Promise<unknown>>();

  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly deps: SyncServerDeps) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxMessageBytes, perMessageDeflate: false, allowSynchronousEvents: false });
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
    }, deps.config.heartbeatMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Handles an upgrade whose path starts with `/yjs/`. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const { config, db, registry, logger } = this.deps;
    const url = new URL(req.url ?? '/', 'http://localhost');
    let roomName: string;
    try {
      roomName = decodeURIComponent(url.pathname.slice(YJS_PATH_PREFIX.length));
    } catch {
      return refuse(socket, 400);
    }
    if (!isAllowedOrigin(req.headers.origin, req.headers.host, config.allowedOrigins)) return refuse(socket, 403);

    const meta = { ip: clientIp(req, this.deps.config.trustProxy), userAgent: req.headers['user-agent'] ?? null };
    const admission = await this.admit(req, roomName, meta);
    if (typeof admission === 'number') return refuse(socket, admission);
    const { identity, owner, registry: liveRegistry, access, caseId, auditAs } = admission;

    // Access to client data is audited before any of it is sent: no audit row, no connection.
    const sessionKind = access === 'edit' ? ('edit_session' as const) : ('view_session' as const);
    const auditDetails = { room: roomName, ...(auditAs.guestOf ? { meeting: auditAs.guestOf, client: true } : {}) };
    try {
      await audit(db, { action: `${sessionKind}_opened`, principal: auditAs.principal, caseId, details: auditDetails, meta });
    } catch (error) {
      logger.error({ err: error }, 'audit failed; refusing the connection');
      return refuse(socket, 503);
    }

    let room;
    try {
      room = await registry.acquire(roomName);
    } catch {
      return refuse(socket, 503);
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
        { maxMessageBytes: config.maxMessageBytes, maxMessagesPerSecond: config.maxMessagesPerSecond, maxBufferedBytes: Math.max(16 * 1024 * 1024, config.maxMessageBytes * 2), maxDocumentBytes: config.maxDocumentBytes },
        logger
      );
      this.connections.set(connection, caseId);
      const unregister = liveRegistry.add(owner, {
        close: (reason) => connection.close(reason === 'revoked' ? CLOSE.accessRevoked : CLOSE.sessionEnded, reason)
      });
      // A client's device removed (or its meeting ended) while this upgrade was being prepared was
      // not registered yet when its connections were closed: look again now that it is.
      if (auditAs.guestOf) {
        void authenticateGuest(db, guestTokenFromCookieHeader(req.headers.cookie))
          .then((guest) => {
            if (!guest || guest.status !== 'admitted' || guest.meetingStatus !== 'live') connection.close(CLOSE.accessRevoked, 'access revoked');
          })
          .catch(() => connection.close(CLOSE.accessRevoked, 'access revoked'));
      }
      ws.on('message', (data: RawData) => connection.receive(toUint8Array(data)));
      ws.on('error', (error) => logger.debug({ err: error, connection: connection.id }, 'websocket error'));
      ws.on('close', () => {
        this.connections.delete(connection);
        const closing = audit(db, {
          action: `${sessionKind}_closed` as const,
          principal: auditAs.principal,
          caseId,
          details: { ...auditDetails, updates: connection.updatesApplied, dropped: connection.droppedMessages },
          meta
        })
          .catch((error: unknown) => logger.error({ err: error }, 'audit failed'))
          .finally(() => this.auditsInFlight.delete(closing));
        this.auditsInFlight.add(closing);
        unregister();
        connection.dispose();
        release();
      });
      connection.start();
      logger.debug({ room: roomName, connection: connection.id, access }, 'sync connection opened');
    });
  }

  /** Closes every connection (clients reconnect, possibly to another instance). */
  closeAll(code: number = CLOSE.serverRestart, reason = 'server restarting'): void {
    for (const connection of this.connections.keys()) connection.close(code, reason);
  }

  /** Closes the connections of these accounts to the rooms of one case (access revoked). */
  closeFor(caseId: string, accountIds: readonly string[]): void {
    for (const [connection, ofCase] of this.connections) {
      if (ofCase === caseId && connection.identity.accountId !== null && accountIds.includes(connection.identity.accountId)) connection.close(CLOSE.accessRevoked, 'access revoked');
    }
  }

  /**
   * Who may open `roomName`: a signed-in person with access to the case, or an admitted client
   * whose meeting is live (the case's shared document only, read-only). A number is the HTTP
   * status to refuse with.
   */
  private async admit(req: IncomingMessage, roomName: string, meta: RequestMeta): Promise<Admission | number> {
    const { db, config, live, guests } = this.deps;
    const principal = await authenticate(db, config, sessionTokenFromCookieHeader(req.headers.cookie)).catch(() => null);
    if (principal) {
      if (live.count(principal.sessionId) >= config.maxConnectionsPerSession) return 429;
      try {
        const { access, caseId } = await authoriseRoom(db, principal, roomName, meta);
        return {
          identity: { accountId: principal.accountId, user: userOfPrincipal(principal) },
          owner: principal,
          registry: live,
          access,
          caseId,
          auditAs: { principal, guestOf: null }
        };
      } catch (error) {
        return error instanceof AppError ? error.status : 503;
      }
    }
    const guest = await authenticateGuest(db, guestTokenFromCookieHeader(req.headers.cookie)).catch(() => null);
    if (!guest || guest.status !== 'admitted' || guest.meetingStatus !== 'live') return 401;
    // A client's device sees their own case's shared document, nothing else.
    if (roomName !== caseRoom(guest.caseId)) return 404;
    if (guests.count(guest.id) >= config.maxConnectionsPerSession) return 429;
    return {
      identity: { accountId: null, user: CLIENT_PRESENCE },
      owner: { sessionId: guest.id, accountId: guest.id },
      registry: guests,
      access: 'view',
      caseId: guest.caseId,
      auditAs: { principal: null, guestOf: guest.meetingId }
    };
  }

  /** Drops every connection at once and waits until each one's closing audit row is written. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    // A terminated socket reports 'close' on a later tick; wait for those, then for their rows.
    const deadline = Date.now() + 2_000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all(this.auditsInFlight);
  }
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
