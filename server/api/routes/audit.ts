/** `/api/audit`: the audit log for coordinators and administrators. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { auditQuerySchema } from '../../../shared/access.js';
import { caseIdSchema } from '../../../shared/schemas.js';
import { exportCaseAudit, searchAudit } from '../../services/audit-read-service.js';
import type { AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

export const auditRoutes = new Hono<AuthedEnv>()
  .get('/audit', requireAuth, zValidator('query', auditQuerySchema, validationHook), async (c) =>
    c.json(await searchAudit(c.get('deps').db, c.get('principal'), c.req.valid('query')))
  )
  .get('/audit/cases/:id/csv', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) => {
    const { filename, csv } = await exportCaseAudit(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c));
    c.header('Content-Disposition', `attachment; filename="${filename}"`);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    return c.body(csv);
  });
