/** `/api/auth/*` and `/api/me`. */
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { loginBodySchema, setupBodySchema } from '../../../shared/schemas.js';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../../http/request-auth.js';
import { audit } from '../../services/audit-service.js';
import { KNOWN_DEVICE_LIFETIME_MS, isSetupNeeded, logIn, logOut, setUp, toMe, type NewSession } from '../../services/auth-service.js';
import type { ApiEnv, AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** Sets the HttpOnly session cookie (Secure over HTTPS). */
export function setSessionCookie(c: Context<ApiEnv>, session: NewSession): void {
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: '/',
    maxAge: Math.floor(c.get('deps').config.sessionAbsoluteMs / 1000)
  });
}

const LOGIN_PATH = '/api/auth/login';

/** Remembers this browser as a known device of the account that signed in (HttpOnly, sent to the sign-in route only). */
function setDeviceCookie(c: Context<ApiEnv>, token: string): void {
  setCookie(c, DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    path: LOGIN_PATH,
    maxAge: Math.floor(KNOWN_DEVICE_LIFETIME_MS / 1000)
  });
}

export const authRoutes = new Hono<ApiEnv>()
  .get('/auth/status', async (c) => {
    return c.json({ setupNeeded: await isSetupNeeded(c.get('deps').db), signedIn: c.get('principal') !== null });
  })
  .post('/auth/setup', zValidator('json', setupBodySchema, validationHook), async (c) => {
    const { db, config } = c.get('deps');
    const session = await setUp(db, config, c.req.valid('json'), requestMeta(c));
    setSessionCookie(c, session);
    return c.json({ ok: true as const }, 201);
  })
  .post('/auth/login', zValidator('json', loginBodySchema, validationHook), async (c) => {
    const deps = c.get('deps');
    const { db, close } = deps;
    const previous = c.get('principal');
    const session = await logIn(deps, c.req.valid('json'), requestMeta(c), getCookie(c, DEVICE_COOKIE));
    // Rotate: a session that existed before sign-in is ended, never upgraded.
    if (previous) {
      await logOut(db, previous.sessionId);
      close.closeSession(previous.sessionId, 'signed_out');
    }
    setSessionCookie(c, session);
    if (session.deviceToken) setDeviceCookie(c, session.deviceToken);
    return c.json({ ok: true as const });
  })
  .post('/auth/logout', async (c) => {
    const { db, close } = c.get('deps');
    const principal = c.get('principal');
    if (principal) {
      await logOut(db, principal.sessionId);
      await audit(db, { action: 'sign_out', principal, meta: requestMeta(c) });
      close.closeSession(principal.sessionId, 'signed_out');
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true as const });
  });

export const meRoutes = new Hono<AuthedEnv>().get('/me', requireAuth, (c) => c.json(toMe(c.get('principal'))));
