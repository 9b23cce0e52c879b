/** API middleware: dependencies, session, the error handler and the validation hook. */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ZodError } from 'zod';
import { AppError } from '../errors.js';
import { SESSION_COOKIE } from '../http/request-auth.js';
import { authenticate, type RequestMeta } from '../services/auth-service.js';
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
  let ip: string | null = null;
  try {
    ip = getConnInfo(c).remote.address ?? null;
  } catch {
    ip = null;
  }
  return { ip, userAgent: c.req.header('user-agent') ?? null };
}

export const errorHandler: ErrorHandler<ApiEnv> = (error, c) => {
  if (error instanceof AppError) return c.json(error.toBody(), error.status);
  c.get('deps')?.logger.error({ err: error, path: c.req.path }, 'unhandled API error');
  return c.json({ error: { code: 'internal', message: 'something went wrong' } }, 500);
};

/** Turns a schema failure into a 400 that names the first bad field. */
export function validationHook(result: { success: boolean; error?: Pick<ZodError, 'issues'> }): void {
  if (result.success || !result.error) return;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  throw new AppError(400, 'validation_failed', issue ? `${field ?? 'body'}: ${issue.message}` : 'invalid request', field);
}
