/**
 * Socket.IO at `/socket.io` for meeting events. The handshake goes through the one admission
 * path (`admission.ts`) and is refused with its HTTP status (403 from a foreign origin); each
 * connection is registered with the close path and checked again; events are typed by the
 * shared event map.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Namespace } from 'socket.io';
import type {
  ClientToServerEvents,
  GuestClientToServerEvents,
  GuestServerToClientEvents,
  GuestSocketData,
  InterServerEvents,
  MeetingPresence,
  ServerToClientEvents,
  SocketData
} from '../../shared/socket-events.js';
import { followSchema } from '../../shared/meetings.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { clientIp, guestTokenFromCookieHeader, isAllowedOrigin } from '../http/request-auth.js';
import { authenticateGuest } from '../services/guest-auth.js';
import { loadMeeting, mayChair, noteAttendance, setFollow } from '../services/meeting-service.js';
import type { MeetingRealtime } from './meeting-realtime.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import type { Principal } from '../domain/principal.js';
import { currentPrincipal } from '../services/auth-service.js';
import { requireCaseAccess } from '../services/case-access.js';
import { refuseUpgrade } from '../sync/sync-server.js';
import { admit, type Admission } from './admission.js';
import type { CaseRealtime } from './case-realtime.js';
import type { ClosePath } from './close-path.js';
import type { LiveConnections } from './live-connections.js';

export type PolkuIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GuestNamespace = Namespace<GuestClientToServerEvents, GuestServerToClientEvents, InterServerEvents, GuestSocketData>;

/** The Socket.IO namespace of clients' devices. */
export const GUEST_NAMESPACE = '/guest';

/** The `/guest` namespace with its own event map (Socket.IO types every namespace like the main one). */
function guestNamespaceOf(io: PolkuIo): GuestNamespace {
  return io.of(GUEST_NAMESPACE) as unknown as GuestNamespace;
}

export interface SocketServerDeps {
  db: Db;
  config: Config;
  live: LiveConnections;
  logger: Logger;
}

export function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): PolkuIo {
  const { db, config, live, logger } = deps;
  /** Handshakes admitted, until their namespace connection registers them. */
  const admissions = new WeakMap<IncomingMessage, Admission>();

  const io: PolkuIo = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    // Leave other WebSocket upgrades (Yjs, Vite) alone.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
    // A device that went offline leaves the meeting's presence within three heartbeats (its pong is
    // answered in JavaScript, so a busy page gets two); engine.io's defaults would take 45 s.
    pingInterval: config.heartbeatMs,
    pingTimeout: 2 * config.heartbeatMs,
    allowRequest: (req, callback) => {
      // engine.io answers every refused WebSocket upgrade with 400; answer with the real status first.
      const refuse = (status: number, message: string) => {
        if (req.headers.upgrade) refuseUpgrade(req.socket, status);
        callback(message, false);
      };
      if (!isAllowedOrigin(req.headers.origin, req.headers.host, config.allowedOrigins)) return refuse(403, 'origin not allowed');
      const meta = { ip: clientIp(req, config.trustProxy), userAgent: req.headers['user-agent'] ?? null };
      admit({ db, config, live }, { cookieHeader: req.headers.cookie, meta, room: null })
        .then((admission) => {
          if (typeof admission === 'number') return refuse(admission, admission === 429 ? 'too many connections' : 'not signed in');
          admissions.set(req, admission);
          callback(null, true);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'socket.io handshake failed');
          refuse(503, 'unavailable');
        });
    }
  });

  io.use((socket, next) => {
    const principal = admissions.get(socket.request)?.principal;
    if (!principal) return next(new Error('not signed in'));
    socket.data.accountId = principal.accountId;
    socket.data.sessionId = principal.sessionId;
    socket.data.name = principal.name;
    socket.data.role = principal.role;
    socket.data.organisation = principal.organisationName;
    socket.data.meetings = {};
    next();
  });

  const guestNs = guestNamespaceOf(io);
  guestNs.use((socket, next) => {
    const guest = admissions.get(socket.request)?.guest;
    if (!guest) return next(new Error('not in a meeting'));
    socket.data.guestId = guest.id;
    socket.data.meetingId = guest.meetingId;
    next();
  });
  guestNs.on('connection', (socket) => {
    const { guestId, meetingId } = socket.data;
    const { unregister, allowed } = admissions.get(socket.request)!.register({
      close: () => socket.disconnect(true),
      revokeCase: () => undefined,
      revokeParts: () => undefined
    });
    void socket.join(guestRoomOf(guestId));
    void (async () => {
      if (!(await allowed)) return;
      // Re-read: the chair may have decided between the handshake and now.
      const guest = await authenticateGuest(db, guestTokenFromCookieHeader(socket.request.headers.cookie));
      if (!guest || guest.id !== guestId) return socket.disconnect(true);
      socket.emit('guest:status', { status: guest.status });
      if (guest.status === 'admitted') {
        await socket.join(clientsInRoomOf(meetingId));
        await emitPresence(io, meetingId);
      } else if (guest.status !== 'waiting') {
        socket.disconnect(true);
      }
    })().catch((error: unknown) => logger.warn({ err: error }, 'guest socket check failed'));
    socket.on('disconnect', () => {
      unregister();
      void emitPresence(io, meetingId).catch(() => undefined);
    });
  });

  /** The principal behind a socket, re-read so that a changed session is noticed. */
  const principalOf = (sessionId: string): Promise<Principal | null> => currentPrincipal(db, sessionId);

  io.on('connection', (socket) => {
    const { unregister } = admissions.get(socket.request)!.register({
      close: (reason) => {
        socket.emit('session:ended', { reason });
        socket.disconnect(true);
      },
      revokeCase: (caseId) => {
        if (!socket.rooms.has(caseRoomOf(caseId))) return;
        socket.emit('case:revoked', { caseId });
        void socket.leave(caseRoomOf(caseId));
      },
      revokeParts: (caseId, parts) => {
        if (!parts.includes('meetings')) return;
        for (const [meetingId, joined] of Object.entries(socket.data.meetings)) {
          if (joined.caseId !== caseId) continue;
          const { [meetingId]: _left, ...rest } = socket.data.meetings;
          socket.data.meetings = rest;
          void Promise.resolve(socket.leave(meetingRoomOf(meetingId)))
            .then(() => emitPresence(io, meetingId))
            .catch(() => undefined);
        }
      }
    });
    socket.on('disconnect', () => {
      unregister();
      // The socket has left its rooms by now, so presence no longer counts it.
      for (const meetingId of Object.keys(socket.data.meetings)) void emitPresence(io, meetingId).catch(() => undefined);
    });
    socket.on('meeting:join', (meetingId, ack) => {
      if (typeof ack !== 'function') return;
      if (typeof meetingId !== 'string' || !UUID.test(meetingId)) return ack({ ok: false, code: 'bad_request' });
      void (async () => {
        const principal = await principalOf(socket.data.sessionId);
        if (!principal) return ack({ ok: false, code: 'not_found' });
        const meta = { ip: clientIp(socket.request, config.trustProxy), userAgent: socket.handshake.headers['user-agent'] ?? null };
        const loaded = await loadMeeting(db, principal, meetingId, meta);
        socket.data.meetings = { ...socket.data.meetings, [meetingId]: { chair: mayChair(principal, loaded), caseId: loaded.meeting.case_id } };
        await socket.join(meetingRoomOf(meetingId));
        await noteAttendance(db, loaded.meeting, { id: principal.accountId, name: principal.name, role: principal.role, organisation: principal.organisationName });
        const follow = loaded.meeting.follow ? followSchema.safeParse(JSON.parse(loaded.meeting.follow)).data ?? null : null;
        ack({ ok: true, follow });
        await emitPresence(io, meetingId);
      })().catch((error: unknown) => {
        if (!(error instanceof AppError)) logger.error({ err: error }, 'meeting:join failed');
        // 403: a member whose organisation's consent does not cover the meetings.
        ack({ ok: false, code: error instanceof AppError && error.status === 403 ? 'forbidden' : 'not_found' });
      });
    });
    socket.on('meeting:leave', (meetingId) => {
      if (typeof meetingId !== 'string' || !socket.data.meetings[meetingId]) return;
      const { [meetingId]: _left, ...rest } = socket.data.meetings;
      socket.data.meetings = rest;
      void Promise.resolve(socket.leave(meetingRoomOf(meetingId)))
        .then(() => emitPresence(io, meetingId))
        .catch(() => undefined);
    });
    socket.on('meeting:focus', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const meetingId = typeof payload === 'object' && payload !== null ? (payload as { meetingId?: unknown }).meetingId : undefined;
      const state = followSchema.safeParse(typeof payload === 'object' && payload !== null ? (payload as { state?: unknown }).state : undefined);
      if (typeof meetingId !== 'string' || !state.success) return ack({ ok: false, code: 'bad_request' });
      if (!socket.data.meetings[meetingId]?.chair) return ack({ ok: false, code: 'not_found' });
      void (async () => {
        const principal = await principalOf(socket.data.sessionId);
        if (!principal) return ack({ ok: false, code: 'not_found' });
        await setFollow(db, principal, meetingId, state.data);
        socket.to(meetingRoomOf(meetingId)).emit('meeting:focus', { meetingId, state: state.data });
        ack({ ok: true });
      })().catch((error: unknown) => {
        if (!(error instanceof AppError)) logger.error({ err: error }, 'meeting:focus failed');
        ack({ ok: false, code: 'not_found' });
      });
    });
    socket.on('session:ping', (ack) => {
      if (typeof ack === 'function') ack({ at: new Date().toISOString() });
    });
    socket.on('case:subscribe', (caseId, ack) => {
      if (typeof ack !== 'function') return;
      if (typeof caseId !== 'string' || !UUID.test(caseId)) return ack({ ok: false, code: 'bad_request' });
      void (async () => {
        const principal = await principalOf(socket.data.sessionId);
        if (!principal) return ack({ ok: false, code: 'not_found' });
        const meta = { ip: clientIp(socket.request, config.trustProxy), userAgent: socket.handshake.headers['user-agent'] ?? null };
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The Socket.IO room of the people present in a meeting. */
export function meetingRoomOf(meetingId: string): string {
  return `meeting:${meetingId}`;
}

/** The `/guest` room of one client device's sockets. */
function guestRoomOf(guestId: string): string {
  return `guest:${guestId}`;
}

/** The `/guest` room of the admitted client devices of a meeting. */
function clientsInRoomOf(meetingId: string): string {
  return `clients-in:${meetingId}`;
}

/** Tells everyone in a meeting who is there (from the live sockets, so it works across instances). */
async function emitPresence(io: PolkuIo, meetingId: string): Promise<void> {
  const sockets = await io.in(meetingRoomOf(meetingId)).fetchSockets();
  const people = new Map<string, MeetingPresence>();
  for (const s of sockets) {
    const chair = s.data.meetings?.[meetingId]?.chair ?? false;
    const known = people.get(s.data.accountId);
    people.set(s.data.accountId, { id: s.data.accountId, name: s.data.name, role: s.data.role, organisation: s.data.organisation, chair: chair || (known?.chair ?? false) });
  }
  const clients = await guestNamespaceOf(io).in(clientsInRoomOf(meetingId)).fetchSockets();
  const list = [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  io.to(meetingRoomOf(meetingId)).emit('meeting:presence', { meetingId, people: list, client: clients.length > 0 });
}

/** Live-socket side effects of meeting changes. */
export function createMeetingRealtime(io: PolkuIo, close: ClosePath): MeetingRealtime {
  const guestNs = guestNamespaceOf(io);
  return {
    caseChanged(caseId) {
      io.to(caseRoomOf(caseId)).emit('case:meetings', { caseId });
    },
    changed(meetingId, caseId) {
      io.to(meetingRoomOf(meetingId)).emit('meeting:changed', { meetingId });
      io.to(caseRoomOf(caseId)).emit('case:meetings', { caseId });
    },
    ended(meetingId, caseId) {
      io.to(meetingRoomOf(meetingId)).emit('meeting:ended', { meetingId });
      io.to(caseRoomOf(caseId)).emit('case:meetings', { caseId });
    },
    guestChanged(guestId, status) {
      guestNs.to(guestRoomOf(guestId)).emit('guest:status', { status });
      if (status === 'admitted') {
        void guestNs
          .in(guestRoomOf(guestId))
          .fetchSockets()
          .then(async (sockets) => {
            for (const s of sockets) s.join(clientsInRoomOf(s.data.meetingId));
            const meetingId = sockets[0]?.data.meetingId;
            if (meetingId) await emitPresence(io, meetingId);
          })
          .catch(() => undefined);
        return;
      }
      if (status === 'waiting') return;
      close.closeGuest(guestId, 'revoked');
    }
  };
}

/** The Socket.IO room of a case's subscribers (not a Yjs room). */
export function caseRoomOf(caseId: string): string {
  return `case:${caseId}`;
}

/** Live-socket side effects of access changes (closing connections is the close path's). */
export function createCaseRealtime(io: PolkuIo): CaseRealtime {
  return {
    changed(caseId) {
      io.to(caseRoomOf(caseId)).emit('case:changed', { caseId });
    }
  };
}
