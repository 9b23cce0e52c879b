/** `/api/wheel-templates`: the assessment-wheel templates of the reader's organisation. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { newWheelTemplateSchema } from '../../../shared/views/wheel.js';
import { createTemplate, listTemplates, removeTemplate } from '../../services/template-service.js';
import type { AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

const templateParams = z.object({ templateId: z.uuid({ message: 'invalid template id' }) });

export const templateRoutes = new Hono<AuthedEnv>()
  .get('/wheel-templates', requireAuth, async (c) => c.json(await listTemplates(c.get('deps').db, c.get('principal'))))
  .post('/wheel-templates', requireAuth, zValidator('json', newWheelTemplateSchema, validationHook), async (c) =>
    c.json(await createTemplate(c.get('deps').db, c.get('principal'), c.req.valid('json'), requestMeta(c)), 201)
  )
  .delete('/wheel-templates/:templateId', requireAuth, zValidator('param', templateParams, validationHook), async (c) => {
    await removeTemplate(c.get('deps').db, c.get('principal'), c.req.valid('param').templateId, requestMeta(c));
    return c.json({ ok: true as const });
  });
