/**
 * `/api/join` and `/api/guest/*`: the client's device in a meeting, with no account. It is
 * known by its own HttpOnly cookie, separate from sessions, that lasts no longer than its code.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientVoiceSchema, joinBodySchema } from '../../../shared/meetings.js';
import { GUEST_COOKIE } from '../../http/request-auth.js';
import { authenticateGuest } from '../../services/guest-auth.js';
import { ADMITTED_FOR_MS, addClientVoice, guestContext, leave, redeemCode, stateOf } from '../../services/guest-service.js';
import { AppError } from '../../errors.js';
import type { ApiEnv } from '../context.js';
import { requestMeta, validationHook } from '../middleware.js';

const guestOf = (c: Context<ApiEnv>) => authenticateGuest(c.get('deps').db, getCookie(c, GUEST_COOKIE));

export const guestRoutes = new Hono<ApiEnv>()
  .post('/join', zValidator('json', joinBodySchema, validationHook), async (c) => {
    const redeemed = await redeemCode(c.get('deps'), c.req.valid('json').code, await guestOf(c), requestMeta(c));
    if (redeemed.token) {
      setCookie(c, GUEST_COOKIE, redeemed.token, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
        path: '/',
        // The server decides how long the device may stay; the cookie only needs to outlast that.
        maxAge: Math.floor(ADMITTED_FOR_MS / 1000)
      });
    }
    return c.json(redeemed.state, 201);
  })
  .get('/guest', async (c) => {
    const guest = await guestOf(c);
    if (!guest) throw new AppError(401, 'unauthenticated', 'join the meeting with its code first');
    return c.json(stateOf(guest));
  })
  .get('/guest/context', async (c) => c.json(await guestContext(c.get('deps').db, await guestOf(c))))
  .post('/guest/voice', zValidator('json', clientVoiceSchema, validationHook), async (c) =>
    c.json(await addClientVoice(c.get('deps'), await guestOf(c), c.req.valid('json'), requestMeta(c)), 201)
  )
  .post('/guest/leave', async (c) => {
    const guest = await guestOf(c);
    if (guest) await leave(c.get('deps'), guest, requestMeta(c));
    deleteCookie(c, GUEST_COOKIE, { path: '/' });
    return c.json({ ok: true as const });
  });
