/** Who is behind a request or a socket, and where it came from: shared by every layer. */
import { colorFor, type PresenceUser } from '../../shared/presence.js';
import type { Role } from '../../shared/roles.js';

/** The authenticated person behind a request or a socket (a session joined with its account). */
export interface Principal {
  sessionId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  accountId: string;
  name: string;
  email: string;
  role: Role;
  deactivatedAt: string | null;
  organisationId: string;
  organisationName: string;
}

/** Where a request came from, for sessions and the audit log. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** The presence identity of a signed-in person. */
export function userOfPrincipal(p: Principal): PresenceUser {
  return { id: p.accountId, name: p.name, role: p.role, organisation: p.organisationName, color: colorFor(p.accountId) };
}
