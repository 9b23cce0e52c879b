/**
 * The one admission path of live connections, for both endpoints (Yjs and Socket.IO): session
 * or guest → principal → room access → (the endpoint's own preparation: an audit row, a
 * document load) → registered where the close path finds it → access checked again. The second
 * check is what makes a revocation that lands while the endpoint prepared still close the
 * connection: the close path could not find it then, the check after registering sees the
 * revocation (see `../access/README.md`).
 */
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import type { DocAccess } from '../../shared/roles.js';
import { clientRooms } from '../../shared/rooms.js';
import { AppError } from '../errors.js';
import { guestTokenFromCookieHeader, sessionTokenFromCookieHeader } from '../http/request-auth.js';
import { authenticate, currentPrincipal } from '../services/auth-service.js';
import { authoriseRoom } from '../services/case-service.js';
import { authenticateGuest, type Guest } from '../services/guest-auth.js';
import type { CloseReason, Holder, LiveConnections, LiveSocket } from './live-connections.js';

export interface AdmissionDeps {
  db: Db;
  config: Pick<Config, 'sessionIdleMs' | 'sessionAbsoluteMs' | 'maxConnectionsPerSession'>;
  live: LiveConnections;
}

export interface AdmissionRequest {
  /** The raw Cookie header (session or guest cookie). */
  cookieHeader: string | undefined;
  meta: RequestMeta;
  /**
   * A Yjs room: the case's access decides (a client's device may open only its case's plan and
   * views, read-only). `null` for Socket.IO, whose events check access one by one.
   */
  room: string | null;
}

/** A room the connection may open. */
export interface RoomGrant {
  name: string;
  caseId: string;
  access: DocAccess;
}

export interface Admission {
  holder: Holder;
  principal: Principal | null;
  guest: Guest | null;
  room: RoomGrant | null;
  /**
   * Registers the connection with the close path, then checks access again; resolves to whether
   * the connection may stay (if not, `socket.close` has been called). `unregister` undoes the
   * registration when the connection closes.
   */
  register(socket: LiveSocket): { unregister: () => void; allowed: Promise<boolean> };
}

/**
 * Which guests may connect: any live one to Socket.IO (the lobby included), only an admitted one
 * to a room — its case's plan or one of its views, never the internal notes. The client sees all
 * of their own case: consent scopes limit other organisations, not the client.
 */
function guestMay(guest: Guest, room: string | null): boolean {
  if (room === null) return guest.status === 'waiting' || guest.status === 'admitted';
  return guest.status === 'admitted' && guest.meetingStatus === 'live' && clientRooms(guest.caseId).includes(room);
}

/**
 * Admits a connection or answers the HTTP status to refuse it with (401 nobody, 404 no such
 * room for them, 429 too many connections, 503 something failed).
 */
export async function admit(deps: AdmissionDeps, request: AdmissionRequest): Promise<Admission | number> {
  const { db, config, live } = deps;
  const { room, meta } = request;
  const guestToken = guestTokenFromCookieHeader(request.cookieHeader);
  const principal = await authenticate(db, config, sessionTokenFromCookieHeader(request.cookieHeader)).catch(() => null);

  if (principal) {
    const holder: Holder = { kind: 'session', sessionId: principal.sessionId, accountId: principal.accountId };
    if (live.count(holder) >= config.maxConnectionsPerSession) return 429;
    let grant: RoomGrant | null = null;
    if (room !== null) {
      try {
        grant = { name: room, ...(await authoriseRoom(db, principal, room, meta)) };
      } catch (error) {
        return error instanceof AppError ? error.status : 503;
      }
    }
    const stillAllowed = async (): Promise<CloseReason | null> => {
      const now = await currentPrincipal(db, principal.sessionId);
      if (!now) return 'expired';
      if (!grant) return null;
      const again = await authoriseRoom(db, now, grant.name, meta).catch(() => null);
      // Access lowered from edit to view also ends an edit connection (it reconnects read-only).
      return again && (grant.access === 'view' || again.access === 'edit') ? null : 'revoked';
    };
    return admission(live, holder, principal, null, grant, stillAllowed);
  }

  const guest = await authenticateGuest(db, guestToken).catch(() => null);
  if (!guest || !guestMay(guest, null)) return 401;
  if (room !== null && !guestMay(guest, room)) return guest.status === 'admitted' && guest.meetingStatus === 'live' ? 404 : 401;
  const holder: Holder = { kind: 'guest', guestId: guest.id };
  if (live.count(holder) >= config.maxConnectionsPerSession) return 429;
  const grant: RoomGrant | null = room === null ? null : { name: room, caseId: guest.caseId, access: 'view' };
  const stillAllowed = async (): Promise<CloseReason | null> => {
    const now = await authenticateGuest(db, guestToken);
    return now?.id === guest.id && guestMay(now, room) ? null : 'revoked';
  };
  return admission(live, holder, null, guest, grant, stillAllowed);
}

function admission(
  live: LiveConnections,
  holder: Holder,
  principal: Principal | null,
  guest: Guest | null,
  room: RoomGrant | null,
  stillAllowed: () => Promise<CloseReason | null>
): Admission {
  return {
    holder,
    principal,
    guest,
    room,
    register(socket) {
      const unregister = live.add(holder, socket);
      const allowed = stillAllowed()
        .catch((): CloseReason => 'revoked')
        .then((refused) => {
          if (refused) socket.close(refused);
          return refused === null;
        });
      return { unregister, allowed };
    }
  };
}
