/** The Hono application: `/api/*` plus, when built, the single-page client. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../errors.js';
import type { ApiDeps, ApiEnv } from './context.js';
import { errorHandler, withDeps } from './middleware.js';
import { authRoutes, meRoutes } from './routes/auth.js';
import { adminRoutes, invitationRoutes, organisationRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { caseRoutes } from './routes/cases.js';
import { guestRoutes } from './routes/guest.js';
import { meetingRoutes } from './routes/meetings.js';
import { templateRoutes } from './routes/templates.js';
import { archiveRoutes } from './routes/archive.js';
import { reportRoutes } from './routes/reports.js';

/** The API routes; its type is what the client's typed API client is derived from. */
export function createApi(deps: ApiDeps) {
  return new Hono<ApiEnv>()
    .basePath('/api')
    .use(
      secureHeaders({
        crossOriginResourcePolicy: 'same-origin',
        contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
        referrerPolicy: 'same-origin',
        xFrameOptions: 'DENY'
      })
    )
    .use(async (c, next) => {
      await next();
      // Client data must never be kept by a shared or browser cache.
      c.header('Cache-Control', 'no-store');
    })
    .use(
      csrf({
        origin: (origin, c) => deps.config.allowedOrigins.includes(origin) || origin === new URL(c.req.url).origin
      })
    )
    .use(
      bodyLimit({
        maxSize: 64 * 1024,
        onError: () => {
          throw new AppError(413, 'payload_too_large', 'request body too large');
        }
      })
    )
    .use(withDeps(deps))
    .onError((error, c) => {
      if (error instanceof HTTPException && !(error instanceof AppError)) {
        const status = error.status;
        return c.json(
          { error: { code: status === 403 ? ('forbidden' as const) : ('bad_request' as const), message: error.message || 'bad request' } },
          status === 403 ? 403 : 400
        );
      }
      return errorHandler(error, c);
    })
    .notFound((c) => c.json({ error: { code: 'not_found' as const, message: 'no such API route' } }, 404))
    .route('/', authRoutes)
    .route('/', meRoutes)
    .route('/', caseRoutes)
    .route('/', organisationRoutes)
    .route('/', adminRoutes)
    .route('/', invitationRoutes)
    .route('/', auditRoutes)
    .route('/', meetingRoutes)
    .route('/', guestRoutes)
    .route('/', templateRoutes)
    .route('/', archiveRoutes)
    .route('/', reportRoutes);
}

export type AppType = ReturnType<typeof createApi>;
