/**
 * Socket.IO at `/socket.io` for meeting events. The handshake is refused (HTTP 403) without a
 * valid session or from a foreign origin; events are typed by the shared event map.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData
} from '../../shared/socket-events.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { isAllowedOrigin, refuseUpgrade, sessionTokenFromCookieHeader } from '../http/request-auth.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { findSessionWithAccount } from '../repositories/sessions.js';
import { authenticate, type Principal } from '../services/auth-service.js';
import { requireCaseAccess } from '../services/case-access.js';
import type { CaseRealtime } from './case-realtime.js';
import type { LiveConnections } from './live-connections.js';

export type PolkuIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SocketServerDeps {
  db: Db;
  config: Config;
  live: LiveConnections;
  logger: Logger;
}

export function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): PolkuIo {
  const { db, config, live, logger } = deps;
  const principals = new WeakMap<IncomingMessage, Principal>();

  const io: PolkuIo = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    // Leave other WebSocket upgrades (Yjs, Vite) alone.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, callback) => {
      // engine.io answers every refused WebSocket upgrade with 400; answer with the real status first.
      const refuse = (status: number, message: string) => {
        if (req.headers.upgrade) refuseUpgrade(req.socket, status);
        callback(message, false);
      };
      if (!isAllowedOrigin(req.headers.origin, req.headers.host, config.allowedOrigins)) return refuse(403, 'origin not allowed');
      authenticate(db, config, sessionTokenFromCookieHeader(req.headers.cookie))
        .then((principal) => {
          if (!principal) return refuse(401, 'not signed in');
          if (live.count(principal.sessionId) >= config.maxConnectionsPerSession) return refuse(429, 'too many connections');
          principals.set(req, principal);
          callback(null, true);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'socket.io handshake failed');
          refuse(503, 'unavailable');
        });
    }
  });

  io.use((socket, next) => {
    const principal = principals.get(socket.request);
    if (!principal) return next(new Error('not signed in'));
    socket.data.accountId = principal.accountId;
    socket.data.sessionId = principal.sessionId;
    next();
  });

  /** The principal behind a socket, re-read so that a changed session is noticed. */
  const principalOf = async (sessionId: string): Promise<Principal | null> => {
    const principal = await findSessionWithAccount(db, sessionId);
    return principal && principal.deactivatedAt === null ? principal : null;
  };

  io.on('connection', (socket) => {
    const unregister = live.add(socket.data, {
      close: (reason) => {
        socket.emit('session:ended', { reason });
        socket.disconnect(true);
      }
    });
    socket.on('disconnect', unregister);
    socket.on('session:ping', (ack) => {
      if (typeof ack === 'function') ack({ at: new Date().toISOString() });
    });
    socket.on('case:subscribe', (caseId, ack) => {
      if (typeof ack !== 'function') return;
      if (typeof caseId !== 'string' || !/^[0-9a-f-]{36}$/.test(caseId)) return ack({ ok: false, code: 'bad_request' });
      void (async () => {
        const principal = await principalOf(socket.data.sessionId);
        if (!principal) return ack({ ok: false, code: 'not_found' });
        const meta = { ip: socket.handshake.address, userAgent: socket.handshake.headers['user-agent'] ?? null };
        await requireCaseAccess(db, principal, caseId, meta);
        await socket.join(caseRoomOf(caseId));
        ack({ ok: true });
      })().catch((error: unknown) => {
        if (!(error instanceof AppError)) logger.error({ err: error }, 'case:subscribe failed');
        ack({ ok: false, code: 'not_found' });
      });
    });
    socket.on('case:unsubscribe', (caseId) => {
      if (typeof caseId === 'string') void socket.leave(caseRoomOf(caseId));
    });
  });

  return io;
}

/** The Socket.IO room of a case's subscribers (not a Yjs room). */
export function caseRoomOf(caseId: string): string {
  return `case:${caseId}`;
}

/** Live-socket side effects of access changes, over Socket.IO and the Yjs server. */
export function createCaseRealtime(io: PolkuIo, closeYjs: (caseId: string, accountIds: readonly string[]) => void): CaseRealtime {
  return {
    changed(caseId) {
      io.to(caseRoomOf(caseId)).emit('case:changed', { caseId });
    },
    revoke(caseId, accountIds) {
      closeYjs(caseId, accountIds);
      void io
        .in(caseRoomOf(caseId))
        .fetchSockets()
        .then((sockets) => {
          for (const socket of sockets) {
            if (!accountIds.includes(socket.data.accountId)) continue;
            socket.emit('case:revoked', { caseId });
            socket.leave(caseRoomOf(caseId));
          }
        });
    },
    revokeAccount(accountId) {
      void io.fetchSockets().then((sockets) => {
        for (const socket of sockets) if (socket.data.accountId === accountId) socket.disconnect(true);
      });
    }
  };
}
