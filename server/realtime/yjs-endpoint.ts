/**
 * Everything the application decides about the Yjs endpoint, as the sync server's hooks: the
 * origin, admission (`admission.ts`), the audit rows of each document session, and registering
 * the connection with the close path. `../sync` does the protocol.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { userOfPrincipal, type RequestMeta } from '../domain/principal.js';
import { clientIp, isAllowedOrigin } from '../http/request-auth.js';
import type { Logger } from '../logger.js';
import { audit } from '../services/audit-service.js';
import { CLIENT_PRESENCE } from '../../shared/presence.js';
import { countedValueViolation } from '../../shared/counted-values.js';
import { parseRoomName } from '../../shared/rooms.js';
import { ROOM_PART } from '../access/policy.js';
import { CLOSE, type SyncConnection } from '../sync/connection.js';
import type { SyncHooks } from '../sync/sync-server.js';
import { admit, type Admission } from './admission.js';
import type { LiveConnections } from './live-connections.js';

export interface YjsEndpointDeps {
  db: Db;
  config: Pick<Config, 'allowedOrigins' | 'trustProxy' | 'sessionIdleMs' | 'sessionAbsoluteMs' | 'maxConnectionsPerSession'>;
  live: LiveConnections;
  logger: Logger;
}

/** What the endpoint remembers of an admitted connection. */
export interface YjsContext {
  admission: Admission & { room: NonNullable<Admission['room']> };
  meta: RequestMeta;
  sessionKind: 'edit_session' | 'view_session';
  auditDetails: Record<string, unknown>;
  unregister?: () => void;
}

export interface YjsEndpoint {
  hooks: SyncHooks<YjsContext>;
  /** Waits for the closing audit rows still being written (shutdown, before closing the database). */
  drained(): Promise<void>;
}

export function createYjsEndpoint(deps: YjsEndpointDeps): YjsEndpoint {
  const { db, config, live, logger } = deps;
  const auditsInFlight = new Set<Promise<unknown>>();

  const hooks: SyncHooks<YjsContext> = {
    async onUpgrade(req: IncomingMessage, room: string) {
      if (!isAllowedOrigin(req.headers.origin, req.headers.host, config.allowedOrigins)) return 403;
      const meta = { ip: clientIp(req, config.trustProxy), userAgent: req.headers['user-agent'] ?? null };
      const admission = await admit({ db, config, live }, { cookieHeader: req.headers.cookie, meta, room });
      if (typeof admission === 'number') return admission;
      const grant = admission.room!;
      const sessionKind = grant.access === 'edit' ? ('edit_session' as const) : ('view_session' as const);
      const auditDetails = { room, ...(admission.guest ? { meeting: admission.guest.meetingId, client: true } : {}) };
      // Access to client data is audited before any of it is sent: no audit row, no connection.
      try {
        await audit(db, { action: `${sessionKind}_opened`, principal: admission.principal, caseId: grant.caseId, details: auditDetails, meta });
      } catch (error) {
        logger.error({ err: error }, 'audit failed; refusing the connection');
        return 503;
      }
      return {
        identity: admission.principal ? { accountId: admission.principal.accountId, user: userOfPrincipal(admission.principal) } : { accountId: null, user: CLIENT_PRESENCE },
        access: grant.access,
        context: { admission: { ...admission, room: grant }, meta, sessionKind, auditDetails }
      };
    },

    refuseUpdate(room, doc, update) {
      const kind = parseRoomName(room)?.kind;
      const key = kind ? countedValueViolation(kind, doc, update) : null;
      return key && `a value outside the list of ${key}`;
    },

    onConnect(connection: SyncConnection, context: YjsContext) {
      const caseId = context.admission.room.caseId;
      const close = (code: number, reason: string) => connection.close(code, reason);
      const { unregister, allowed } = context.admission.register({
        close: (reason) => close(reason === 'revoked' ? CLOSE.accessRevoked : CLOSE.sessionEnded, reason),
        revokeCase: (revoked) => {
          if (revoked === caseId) close(CLOSE.accessRevoked, 'access revoked');
        },
        revokeParts: (revoked, parts) => {
          if (revoked === caseId && parts.includes(ROOM_PART[parseRoomName(context.admission.room.name)!.kind])) close(CLOSE.accessRevoked, 'access revoked');
        }
      });
      context.unregister = unregister;
      return allowed;
    },

    onDisconnect(connection: SyncConnection, context: YjsContext) {
      context.unregister?.();
      const closing = audit(db, {
        action: `${context.sessionKind}_closed` as const,
        principal: context.admission.principal,
        caseId: context.admission.room.caseId,
        details: { ...context.auditDetails, updates: connection.updatesApplied, dropped: connection.droppedMessages },
        meta: context.meta
      })
        .catch((error: unknown) => logger.error({ err: error }, 'audit failed'))
        .finally(() => auditsInFlight.delete(closing));
      auditsInFlight.add(closing);
    }
  };

  return {
    hooks,
    async drained() {
      await Promise.all(auditsInFlight);
    }
  };
}
