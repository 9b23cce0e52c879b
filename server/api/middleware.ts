/** API middleware: dependencies, session, the error handler and the validation hook. */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ZodError } from 'zod';
import { AppError, TooManyRequests } from '../errors.js';
import { NotStoredError } from '../sync/server-edits.js';
import { SESSION_COOKIE, clientAddress } from '../http/request-auth.js';
import { authenticate } from '../services/auth-service.js';
import type { RequestMeta } from '../domain/principal.js';
import type { ApiDeps, ApiEnv, AuthedEnv } from './context.js';

export function withDeps(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set('deps', deps);
    c.set('principal', await authenticate(deps.db, deps.config, getCookie(c, SESSION_COOKIE)));
    await next();
  };
}

/** Lets the request through only with a valid session. */
export const requireAuth = createMiddleware<AuthedEnv>(async (c, next) => {
  if (!c.get('principal')) throw new AppError(401, 'unauthenticated', 'please sign in');
  await next();
});

export function requestMeta(c: Context): RequestMeta {
  let peer: string | null = null;
  try {
    peer = getConnInfo(c).remote.address ?? null;
  } catch {
    peer = null;
  }
  const ip = clientAddress(peer, c.req.header('x-forwarded-for'), (c.get('deps') as ApiDeps | undefined)?.config.trustProxy ?? false);
  return { ip, userAgent: c.req.header('user-agent') ?? null };
}

export const errorHandler: ErrorHandler<ApiEnv> = (error, c) => {
  if (error instanceof TooManyRequests) c.header('Retry-After', String(error.retryAfterSeconds));
  if (error instanceof AppError) return c.json(error.toBody(), error.status);
  // A change the server made for someone is live but not stored yet: say so, not "something went wrong".
  if (error instanceof NotStoredError) return c.json({ error: { code: 'not_stored', message: error.message } }, 503);
  c.get('deps')?.logger.error({ err: error, reqId: (c as unknown as Context).get('requestId') as string | undefined, route: c.req.routePath }, 'unhandled API error');
  return c.json({ error: { code: 'internal', message: 'something went wrong' } }, 500);
};

/** Turns a schema failure into a 400 that names the first bad field. */
export function validationHook(result: { success: boolean; error?: Pick<ZodError, 'issues'> }): void {
  if (result.success || !result.error) return;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  throw new AppError(400, 'validation_failed', issue ? `${field ?? 'body'}: ${issue.message}` : 'invalid request', field);
}
