/** Finalising a case's plan (`/api/cases/:id/finalising`, `/api/proposals/*`) and the archive (`/api/archive/*`). */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { caseIdSchema } from '../../../shared/schemas.js';
import { CONTRACT_TYPES } from '../../../shared/plan/vocabulary.js';
import {
  agreedInMeeting,
  approveProposal,
  confirmProposal,
  diffArchived,
  finalisingState,
  getArchived,
  proposePlan,
  searchArchive
} from '../../services/archive-service.js';
import { archivedPdf } from '../../services/archive-pdf.js';
import { handOverPackage, setCaseClosed } from '../../services/retention-service.js';
import type { AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

const proposalParams = z.object({ proposalId: z.uuid({ message: 'invalid proposal id' }) });
const archivedParams = z.object({ archivedId: z.uuid({ message: 'invalid archived plan id' }) });
const diffParams = archivedParams.extend({ otherId: z.uuid({ message: 'invalid archived plan id' }) });
const searchQuery = z.object({
  q: z.string().trim().max(100).optional(),
  from: z.iso.datetime({ message: 'use an ISO date and time' }).optional(),
  to: z.iso.datetime({ message: 'use an ISO date and time' }).optional(),
  contractType: z.enum(CONTRACT_TYPES).optional()
});
const pdfQuery = z.object({ copy: z.enum(['official', 'client']).default('official') });

export const archiveRoutes = new Hono<AuthedEnv>()
  .get('/cases/:id/finalising', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await finalisingState(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .post('/cases/:id/proposals', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await proposePlan(c.get('deps'), c.get('principal'), c.req.valid('param').id, requestMeta(c)), 201)
  )
  .post('/proposals/:proposalId/confirm', requireAuth, zValidator('param', proposalParams, validationHook), async (c) => {
    await confirmProposal(c.get('deps'), c.get('principal'), c.req.valid('param').proposalId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post(
    '/proposals/:proposalId/agreed-in-meeting',
    requireAuth,
    zValidator('param', proposalParams, validationHook),
    zValidator('json', z.object({ meetingId: z.uuid({ message: 'choose the meeting' }) }), validationHook),
    async (c) => {
      await agreedInMeeting(c.get('deps'), c.get('principal'), c.req.valid('param').proposalId, c.req.valid('json').meetingId, requestMeta(c));
      return c.json({ ok: true as const });
    }
  )
  .post('/proposals/:proposalId/approve', requireAuth, zValidator('param', proposalParams, validationHook), async (c) =>
    c.json(await approveProposal(c.get('deps'), c.get('principal'), c.req.valid('param').proposalId, requestMeta(c)), 201)
  )
  .get('/archive', requireAuth, zValidator('query', searchQuery, validationHook), async (c) =>
    c.json(await searchArchive(c.get('deps').db, c.get('principal'), c.req.valid('query')))
  )
  .get('/archive/:archivedId', requireAuth, zValidator('param', archivedParams, validationHook), async (c) =>
    c.json(await getArchived(c.get('deps').db, c.get('principal'), c.req.valid('param').archivedId, requestMeta(c)))
  )
  .get('/archive/:archivedId/diff/:otherId', requireAuth, zValidator('param', diffParams, validationHook), async (c) => {
    const { archivedId, otherId } = c.req.valid('param');
    return c.json(await diffArchived(c.get('deps').db, c.get('principal'), archivedId, otherId, requestMeta(c)));
  })
  .post('/cases/:id/close', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) => {
    await setCaseClosed(c.get('deps'), c.get('principal'), c.req.valid('param').id, true, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/cases/:id/reopen', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) => {
    await setCaseClosed(c.get('deps'), c.get('principal'), c.req.valid('param').id, false, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .get('/archive/:archivedId/package', requireAuth, zValidator('param', archivedParams, validationHook), async (c) => {
    const { bytes, filename } = await handOverPackage(c.get('deps').db, c.get('principal'), c.req.valid('param').archivedId, requestMeta(c));
    return c.body(bytes, 200, { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${filename}"` });
  })
  .get('/archive/:archivedId/pdf', requireAuth, zValidator('param', archivedParams, validationHook), zValidator('query', pdfQuery, validationHook), async (c) => {
    const { bytes, filename } = await archivedPdf(c.get('deps').db, c.get('principal'), c.req.valid('param').archivedId, c.req.valid('query').copy, requestMeta(c));
    return c.body(bytes, 200, { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${filename}"` });
  });
