/** `/api/cases/:id/meetings` and `/api/meetings/*`: meetings, their decisions, and the client's lobby. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { caseIdSchema } from '../../../shared/schemas.js';
import {
  createMeetingSchema,
  decisionIdSchema,
  decisionSchema,
  decisionToActionSchema,
  guestIdSchema,
  joinCodeRequestSchema,
  meetingIdSchema,
  turnSchema
} from '../../../shared/meetings.js';
import { createJoinCode, decideGuest, listGuests } from '../../services/guest-service.js';
import {
  addDecision,
  createMeeting,
  decisionToAction,
  endMeeting,
  getMeeting,
  getMeetingRecord,
  listCaseMeetings,
  setTurn,
  startMeeting
} from '../../services/meeting-service.js';
import type { AuthedEnv } from '../context.js';
import { requestMeta, requireAuth, validationHook } from '../middleware.js';

const meetingParam = zValidator('param', meetingIdSchema, validationHook);

const guestDecisionParams = guestIdSchema.extend({ decision: z.enum(['admit', 'decline', 'remove'], { message: 'admit, decline or remove' }) });

export const meetingRoutes = new Hono<AuthedEnv>()
  .get('/cases/:id/meetings', requireAuth, zValidator('param', caseIdSchema, validationHook), async (c) =>
    c.json(await listCaseMeetings(c.get('deps').db, c.get('principal'), c.req.valid('param').id, requestMeta(c)))
  )
  .post(
    '/cases/:id/meetings',
    requireAuth,
    zValidator('param', caseIdSchema, validationHook),
    zValidator('json', createMeetingSchema, validationHook),
    async (c) => c.json(await createMeeting(c.get('deps'), c.get('principal'), c.req.valid('param').id, c.req.valid('json'), requestMeta(c)), 201)
  )
  .get('/meetings/:meetingId', requireAuth, meetingParam, async (c) =>
    c.json(await getMeeting(c.get('deps').db, c.get('principal'), c.req.valid('param').meetingId, requestMeta(c)))
  )
  .get('/meetings/:meetingId/record', requireAuth, meetingParam, async (c) =>
    c.json(await getMeetingRecord(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, requestMeta(c)))
  )
  .post('/meetings/:meetingId/start', requireAuth, meetingParam, async (c) => {
    await startMeeting(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/meetings/:meetingId/end', requireAuth, meetingParam, async (c) => {
    await endMeeting(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/meetings/:meetingId/turn', requireAuth, meetingParam, zValidator('json', turnSchema, validationHook), async (c) => {
    await setTurn(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, c.req.valid('json').index, requestMeta(c));
    return c.json({ ok: true as const });
  })
  .post('/meetings/:meetingId/decisions', requireAuth, meetingParam, zValidator('json', decisionSchema, validationHook), async (c) =>
    c.json(await addDecision(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, c.req.valid('json').text, requestMeta(c)), 201)
  )
  .post(
    '/meetings/:meetingId/decisions/:decisionId/action',
    requireAuth,
    zValidator('param', decisionIdSchema, validationHook),
    zValidator('json', decisionToActionSchema, validationHook),
    async (c) => {
      const { meetingId, decisionId } = c.req.valid('param');
      return c.json(await decisionToAction(c.get('deps'), c.get('principal'), meetingId, decisionId, c.req.valid('json'), requestMeta(c)), 201);
    }
  )
  .post('/meetings/:meetingId/join-codes', requireAuth, meetingParam, zValidator('json', joinCodeRequestSchema, validationHook), async (c) =>
    c.json(await createJoinCode(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, c.req.valid('json').validMinutes, requestMeta(c)), 201)
  )
  .get('/meetings/:meetingId/guests', requireAuth, meetingParam, async (c) =>
    c.json(await listGuests(c.get('deps'), c.get('principal'), c.req.valid('param').meetingId, requestMeta(c)))
  )
  .post('/meetings/:meetingId/guests/:guestId/:decision', requireAuth, zValidator('param', guestDecisionParams, validationHook), async (c) => {
    const { meetingId, guestId, decision } = c.req.valid('param');
    await decideGuest(c.get('deps'), c.get('principal'), meetingId, guestId, decision, requestMeta(c));
    return c.json({ ok: true as const });
  });
