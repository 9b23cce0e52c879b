/** `/api/cases`. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { caseIdSchema, createCaseBodySchema } from '../../../shared/schemas.js';
import { createCase, getCase, listCases } from '../../services/case-service.js';
import type { AuthedEnv } from '../context.js';
import { requireAuth, validationHook } from '../middleware.js';

export const caseRoutes = new Hono<AuthedEnv>()
  .get('/cases', requireAuth, async (c) => c.json(await listCases(c.get('deps').db, c.get('principal'))))
  .post('/cases', requireAuth, zValidator('json', createCaseBodySchema, validationHook), async (c) => {
    return c.json(await createCase(c.get('deps').db, c.get('principal'), c.req.valid('json')), 201);
  })
  .get('/cases/:id', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) => {
    return c.json(await getCase(c.get('deps').db, c.get('principal'), c.req.valid('param').id));
  });
