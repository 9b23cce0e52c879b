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
import { authenticate, type Principal } from '../services/auth-service.js';
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

  io.on('connection', (socket) => {
    const unregister = live.add(socket.data.sessionId, {
      close: (reason) => {
        socket.emit('session:ended', { reason });
        socket.disconnect(true);
      }
    });
    socket.on('disconnect', unregister);
    socket.on('session:ping', (ack) => {
      if (typeof ack === 'function') ack({ at: new Date().toISOString() });
    });
  });

  return io;
}
