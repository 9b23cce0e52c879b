/** `/api/cases`: cases, their team and their consents. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { addMemberSchema, recordConsentSchema } from '../../../shared/access.js';
import { caseIdSchema, createCaseBodySchema } from '../../../shared/schemas.js';
import { createCase, getCase, listCases, recordPrint } from '../../services/case-service.js';
import { getConsents, recordConsent, withdrawConsent } from '../../services/consent-service.js';
import { planAt, planHistory } from '../../services/history-service.js';
import { addMember, handOver, listCandidates, listTeam, removeMember } from '../../services/team-service.js';
import type { AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

const memberParams = caseIdSchema.extend({ accountId: z.uuid({ message: 'invalid account id' }) });
const consentParams = caseIdSchema.extend({ consentId: z.uuid({ message: 'invalid consent id' }) });
const searchQuery = z.object({ q: z.string().trim().max(100).optional() });
const historyParams = caseIdSchema.extend({ seq: z.coerce.number().int().min(1, { message: 'invalid point in history' }) });

export const caseRoutes = new Hono<AuthedEnv>()
  .get('/cases', requireAuth, zValidator('query', searchQuery, validationHook), async (c) =>
    c.json(await listCases(c.get('deps').db, c.get('principal'), c.req.valid('query').q || undefined))
  )
  .post('/cases', requireAuth, zValidator('json', createCaseBodySchema, validationHook), async (c) =>
    c.json(await createCase(c.get('deps').db, c.get('principal'), c.req.valid('json'), requestMeta(c)), 201)
  )
  .get('/cases/:id', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await getCase(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .get('/cases/:id/history', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await planHistory(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .get('/cases/:id/history/:seq', requireAuth, zValidator('param', historyParams, validationHook), async (c) => {
    const { id, seq } = c.req.valid('param');
    return c.json(await planAt(c.get('deps').db, c.get('principal'), id, seq, requestMeta(c)));
  })
  .post('/cases/:id/print', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) => {
    await recordPrint(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .get('/cases/:id/team', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await listTeam(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .get('/cases/:id/candidates', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await listCandidates(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .post(
    '/cases/:id/team',
    requireAuth,
    zValidator('param', caseIdSchema, validationHook),
    zValidator('json', addMemberSchema, validationHook),
    async (c) => {
      await addMember(c.get('deps'), c.get('principal'), c.req.valid('param').id, c.req.valid('json'), requestMeta(c));
      return c.json({ ok: true as const }, 201);
    }
  )
  .delete('/cases/:id/team/:accountId', requireAuth, zValidator('param', memberParams, validationHook), async (c) => {
    const { id, accountId } = c.req.valid('param');
    await removeMember(c.get('deps'), c.get('principal'), id, accountId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/cases/:id/team/:accountId/responsible', requireAuth, zValidator('param', memberParams, validationHook), async (c) => {
    const { id, accountId } = c.req.valid('param');
    await handOver(c.get('deps'), c.get('principal'), id, accountId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .get('/cases/:id/consents', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await getConsents(c.get('deps'), c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .post(
    '/cases/:id/consents',
    requireAuth,
    zValidator('param', caseIdSchema, validationHook),
    zValidator('json', recordConsentSchema, validationHook),
    async (c) => c.json(await recordConsent(c.get('deps'), c.get('principal'), c.req.valid('param').id, c.req.valid('json'), requestMeta(c)), 201)
  )
  .post('/cases/:id/consents/:consentId/withdraw', requireAuth, zValidator('param', consentParams, validationHook), async (c) => {
    const { id, consentId } = c.req.valid('param');
    await withdrawConsent(c.get('deps'), c.get('principal'), id, consentId, requestMeta(c));
    return c.json({ ok: true as const });
  });
