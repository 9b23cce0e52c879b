/** `/api/organisations`, `/api/admin/*` (accounts of the own organisation) and `/api/invitations/*`. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { inviteSchema } from '../../../shared/access.js';
import { passwordSchema } from '../../../shared/schemas.js';
import { acceptLink, deactivate, describeLink, invite, listAccounts, listOrganisations, reactivate, resetPassword } from '../../services/account-service.js';
import { checkpointsFor } from '../../services/chain.js';
import type { ApiEnv, AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';
import { setSessionCookie } from './auth.js';

const accountParams = z.object({ accountId: z.uuid({ message: 'invalid account id' }) });
const tokenParams = z.object({ token: z.string().regex(/^[\w-]{20,100}$/, { message: 'invalid link' }) });

export const organisationRoutes = new Hono<AuthedEnv>().get('/organisations', requireAuth, async (c) =>
  c.json(await listOrganisations(c.get('deps').db))
);

export const adminRoutes = new Hono<AuthedEnv>()
  .get('/admin/checkpoints', requireAuth, async (c) => c.json(await checkpointsFor(c.get('deps').db, c.get('principal'))))
  .get('/admin/accounts', requireAuth, async (c) => c.json(await listAccounts(c.get('deps').db, c.get('principal'))))
  .post('/admin/invitations', requireAuth, zValidator('json', inviteSchema, validationHook), async (c) =>
    c.json(await invite(c.get('deps').db, c.get('principal'), c.req.valid('json'), requestMeta(c)), 201)
  )
  .post('/admin/accounts/:accountId/deactivate', requireAuth, zValidator('param', accountParams, validationHook), async (c) => {
    await deactivate(c.get('deps'), c.get('principal'), c.req.valid('param').accountId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/admin/accounts/:accountId/reactivate', requireAuth, zValidator('param', accountParams, validationHook), async (c) => {
    await reactivate(c.get('deps'), c.get('principal'), c.req.valid('param').accountId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/admin/accounts/:accountId/reset-password', requireAuth, zValidator('param', accountParams, validationHook), async (c) =>
    c.json(await resetPassword(c.get('deps').db, c.get('principal'), c.req.valid('param').accountId, requestMeta(c)), 201)
  );

export const invitationRoutes = new Hono<ApiEnv>()
  .get('/invitations/:token', zValidator('param', tokenParams, validationHook), async (c) =>
    c.json(await describeLink(c.get('deps').db, c.req.valid('param').token, requestMeta(c)))
  )
  .post(
    '/invitations/:token/accept',
    zValidator('param', tokenParams, validationHook),
    zValidator('json', z.object({ password: passwordSchema }), validationHook),
    async (c) => {
      const { db, config, close } = c.get('deps');
      const session = await acceptLink(db, config, close, c.req.valid('param').token, c.req.valid('json').password, requestMeta(c));
      setSessionCookie(c, session);
      return c.json({ ok: true as const });
    }
  );
