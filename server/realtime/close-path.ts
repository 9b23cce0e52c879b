/**
 * The one way live connections are closed: sign-out, session expiry, deactivation, team
 * removal, consent withdrawal or expiry, and a client's device removed all come here. Each close
 * is done on this instance's Yjs and Socket.IO connections (`LiveConnections`) and sent to the
 * other instances over the cluster channel, where the same function does it on theirs (see
 * `../access/README.md`).
 */
import type { Logger } from '../logger.js';
import type { ControlMessage, Fanout } from '../sync/fanout.js';
import { CASE_PARTS, type CasePart } from '../../shared/access.js';
import type { CloseReason, LiveConnections } from './live-connections.js';

export interface ClosePath {
  /** Sign-out or an ended session: every connection of that session. */
  closeSession(sessionId: string, reason: CloseReason): void;
  /** A deactivated account, a password reset: every connection of every session of the account. */
  closeAccount(accountId: string, reason: CloseReason): void;
  /**
   * These accounts lost access to this case (removed from its team, their organisation's consent
   * withdrawn or expired): their Yjs connections to the case close (4403) and their Socket.IO
   * connections stop hearing of it (`case:revoked`).
   */
  closeCaseAccess(caseId: string, accountIds: readonly string[]): void;
  /**
   * These accounts keep the case but lose these parts of it (a consent ended while a narrower
   * one still holds): their Yjs connections to those parts' documents close (4403), their
   * Socket.IO connections leave the case's meetings if the meetings are among them.
   */
  closeCaseParts(caseId: string, accountIds: readonly string[], parts: readonly CasePart[]): void;
  /** A client's device was removed, declined, left, or its meeting ended: all its connections. */
  closeGuest(guestId: string, reason: CloseReason): void;
}

/** A close as it travels between instances. */
type CloseOrder =
  | { op: 'close-session'; sessionId: string; reason: CloseReason }
  | { op: 'close-account'; accountId: string; reason: CloseReason }
  | { op: 'close-case'; caseId: string; accountIds: string[] }
  | { op: 'close-parts'; caseId: string; accountIds: string[]; parts: CasePart[] }
  | { op: 'close-guest'; guestId: string; reason: CloseReason };

const REASONS: readonly unknown[] = ['signed_out', 'expired', 'revoked'] satisfies CloseReason[];
const isString = (value: unknown): value is string => typeof value === 'string';

/** Another instance's message, if it is a close order. */
function closeOrderOf(message: ControlMessage): CloseOrder | null {
  const m = message as Record<string, unknown>;
  switch (m.op) {
    case 'close-session':
      return isString(m.sessionId) && REASONS.includes(m.reason) ? (m as CloseOrder) : null;
    case 'close-account':
      return isString(m.accountId) && REASONS.includes(m.reason) ? (m as CloseOrder) : null;
    case 'close-case':
      return isString(m.caseId) && Array.isArray(m.accountIds) && m.accountIds.every(isString) ? (m as CloseOrder) : null;
    case 'close-parts':
      return isString(m.caseId) &&
        Array.isArray(m.accountIds) &&
        m.accountIds.every(isString) &&
        Array.isArray(m.parts) &&
        m.parts.every((part) => (CASE_PARTS as readonly unknown[]).includes(part))
        ? (m as CloseOrder)
        : null;
    case 'close-guest':
      return isString(m.guestId) && REASONS.includes(m.reason) ? (m as CloseOrder) : null;
    default:
      return null;
  }
}

export function createClosePath(live: LiveConnections, fanout: Pick<Fanout, 'control' | 'onControl'>, logger: Logger): ClosePath {
  const closeHere = (order: CloseOrder): void => {
    switch (order.op) {
      case 'close-session':
        for (const socket of live.socketsOf((h) => h.kind === 'session' && h.sessionId === order.sessionId)) socket.close(order.reason);
        return;
      case 'close-account':
        for (const socket of live.socketsOf((h) => h.kind === 'session' && h.accountId === order.accountId)) socket.close(order.reason);
        return;
      case 'close-case':
        for (const socket of live.socketsOf((h) => h.kind === 'session' && order.accountIds.includes(h.accountId))) socket.revokeCase(order.caseId);
        return;
      case 'close-parts':
        for (const socket of live.socketsOf((h) => h.kind === 'session' && order.accountIds.includes(h.accountId))) socket.revokeParts(order.caseId, order.parts);
        return;
      case 'close-guest':
        for (const socket of live.socketsOf((h) => h.kind === 'guest' && h.guestId === order.guestId)) socket.close(order.reason);
    }
  };
  // Queued by the fan-out while Redis is down and sent when it is back, so a Redis blip cannot
  // leave a removed member connected elsewhere.
  const everywhere = (order: CloseOrder): void => {
    closeHere(order);
    fanout.control(order);
  };
  fanout.onControl((message) => {
    const order = closeOrderOf(message);
    if (order) closeHere(order);
    else logger.warn({ op: message.op }, 'unknown control message from another instance');
  });
  return {
    closeSession: (sessionId, reason) => everywhere({ op: 'close-session', sessionId, reason }),
    closeAccount: (accountId, reason) => everywhere({ op: 'close-account', accountId, reason }),
    closeCaseAccess: (caseId, accountIds) => everywhere({ op: 'close-case', caseId, accountIds: [...accountIds] }),
    closeCaseParts: (caseId, accountIds, parts) => everywhere({ op: 'close-parts', caseId, accountIds: [...accountIds], parts: [...parts] }),
    closeGuest: (guestId, reason) => everywhere({ op: 'close-guest', guestId, reason })
  };
}
