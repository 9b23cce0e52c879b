/** Authentication and origin checks shared by the REST API and both WebSocket endpoints. */
import type { IncomingMessage } from 'node:http';
import { parse } from 'hono/utils/cookie';

export const SESSION_COOKIE = 'polku_session';

/** The session token from a raw Cookie header. */
export function sessionTokenFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return parse(header, SESSION_COOKIE)[SESSION_COOKIE];
}

/**
 * Whether the request's Origin is the app's own (same host) or explicitly allowed. A request
 * without Origin comes from a non-browser client, which cross-site hijacking cannot use.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function clientIp(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}
