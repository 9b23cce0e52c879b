/** `/api/reports`: the coordinator's follow-up figures, on screen and as CSV or PDF (small numbers masked). */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { reportQuerySchema } from '../../../shared/reports.js';
import { exportReport, getReport } from '../../services/report-service.js';
import type { AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

export const reportRoutes = new Hono<AuthedEnv>()
  .get('/reports', requireAuth, zValidator('query', reportQuerySchema, validationHook), async (c) =>
    c.json(await getReport(c.get('deps').db, c.get('principal'), c.req.valid('query')))
  )
  .get('/reports/csv', requireAuth, zValidator('query', reportQuerySchema, validationHook), async (c) => {
    const file = await exportReport(c.get('deps').db, c.get('principal'), c.req.valid('query'), 'csv', requestMeta(c));
    return c.body(file.body, 200, { 'content-type': file.type, 'content-disposition': `attachment; filename="${file.filename}"` });
  })
  .get('/reports/pdf', requireAuth, zValidator('query', reportQuerySchema, validationHook), async (c) => {
    const file = await exportReport(c.get('deps').db, c.get('principal'), c.req.valid('query'), 'pdf', requestMeta(c));
    return c.body(file.body, 200, { 'content-type': file.type, 'content-disposition': `attachment; filename="${file.filename}"` });
  });
