/**
 * The typed API client (derived from the server's routes) and the one error handler that turns
 * any failure into a human, translated message.
 */
import { hc, type ClientResponse } from 'hono/client';
import type { AppType } from '../../server/api/app';
import { isErrorBody, type ErrorCode } from '../../shared/errors';
import { m } from '$lib/paraglide/messages.js';

export const api = hc<AppType>('/', { init: { credentials: 'same-origin' } }).api;

/** A failed API call: the server's error code and message, or `network`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly field?: string,
    /** From `Retry-After`: how long to wait before trying again (a 429). */
    readonly retryAfterSeconds?: number
  ) {
    super(message);
  }
}

/** The body type of a response's successful (2xx) variants. */
type OkBody<R> = R extends ClientResponse<infer T, infer S, infer _F> ? (S extends 200 | 201 ? T : never) : never;

/** Awaits an API call and returns its JSON, or throws `ApiError`. */
export async function call<R extends ClientResponse<unknown, number, 'json' | 'text' | string>>(request: Promise<R>): Promise<OkBody<R>> {
  let response: R;
  try {
    response = await request;
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  if (response.ok) return (await response.json()) as OkBody<R>;
  const body: unknown = await response.json().catch(() => null);
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  if (isErrorBody(body)) throw new ApiError(response.status, body.error.code, body.error.message, body.error.field, Number.isFinite(retryAfter) ? retryAfter : undefined);
  throw new ApiError(response.status, 'internal', response.statusText);
}

/** The message to show a person for any error. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return m.error_generic();
  switch (error.code) {
    case 'network':
      return m.error_network();
    case 'validation_failed':
      return m.error_validation({ field: error.field ?? '' });
    case 'invalid_credentials':
      return m.login_failed();
    case 'unauthenticated':
      return m.error_unauthenticated();
    case 'forbidden':
      return m.error_forbidden();
    case 'not_found':
      return m.error_not_found();
    case 'setup_done':
      return m.error_setup_done();
    case 'too_many_requests':
      return tooManyRequests(error.retryAfterSeconds);
    case 'consent_required':
      return m.error_consent_required();
    case 'link_expired':
      return m.error_link_expired();
    case 'code_in_use':
      return m.error_code_in_use();
    case 'payload_too_large':
      return m.error_payload_too_large();
    case 'conflict':
      return m.error_conflict();
    case 'not_stored':
      return m.error_not_stored();
    default:
      return m.error_generic();
  }
}

/** "Try again in …" when the server said how long (seconds up to a minute and a half, then whole minutes). */
function tooManyRequests(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 0) return m.error_too_many_requests();
  return seconds <= 90 ? m.error_too_many_requests_seconds({ seconds }) : m.error_too_many_requests_minutes({ minutes: Math.ceil(seconds / 60) });
}
