/** Authentication and origin checks shared by the REST API and both WebSocket endpoints. */
import type { IncomingMessage } from 'node:http';
import { parse } from 'hono/utils/cookie';

export const SESSION_COOKIE = 'polku_session';
/** A browser that has signed in before (a known device passes the per-address sign-in bound); sent to the sign-in route only. */
export const DEVICE_COOKIE = 'polku_device';
/** The client's device in a meeting (no account): a separate cookie, never a session. */
export const GUEST_COOKIE = 'polku_guest';

/** The session token from a raw Cookie header. */
export function sessionTokenFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return parse(header, SESSION_COOKIE)[SESSION_COOKIE];
}

/** The guest token from a raw Cookie header. */
export function guestTokenFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return parse(header, GUEST_COOKIE)[GUEST_COOKIE];
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

/**
 * The client's address: the peer's, or — behind our own reverse proxy (`POLKU_TRUST_PROXY`) —
 * the last `X-Forwarded-For` entry, which is the address that proxy saw (earlier entries come
 * from the client and cannot be trusted).
 */
export function clientAddress(peer: string | null | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string | null {
  if (trustProxy && forwardedFor) {
    const last = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').pop()?.trim();
    if (last) return last;
  }
  return peer ?? null;
}

export function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy);
}
