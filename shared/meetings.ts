/**
 * Meetings and the client's join: schemas for every body and event, the views the API returns,
 * and the join code's alphabet. Types are inferred from the schemas or declared once here.
 */
import { z } from 'zod';
import { PLAN_VIEWS, type PlanView } from './plan-views.js';

export const MEETING_STATUSES = ['scheduled', 'live', 'ended'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const GUEST_STATUSES = ['waiting', 'admitted', 'declined', 'removed', 'left', 'ended'] as const;
export type GuestStatus = (typeof GUEST_STATUSES)[number];
/** A guest in one of these states may still be let in or already is in. */
export const ACTIVE_GUEST_STATUSES: readonly GuestStatus[] = ['waiting', 'admitted'];

const text = (max: number) => z.string().trim().min(1, { message: 'required' }).max(max, { message: `at most ${max} characters` });
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `at most ${max} characters` })
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .default(null);

export const agendaItemSchema = z.object({
  title: text(200),
  /** Who presents this item (a team member), or null. */
  presenterId: z.uuid().nullable().default(null)
});

export const createMeetingSchema = z.object({
  /** An instant; the browser turns the chosen local date and time into one. */
  scheduledAt: z.iso.datetime({ message: 'use an ISO date and time', offset: true }),
  place: optionalText(200),
  videoUrl: z
    .union([z.literal(''), z.url({ protocol: /^https$/, message: 'use an https:// address' }).max(500)])
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .default(null),
  invitees: z.array(z.uuid()).max(50).default([]),
  agenda: z.array(agendaItemSchema).max(30).default([])
});
export type CreateMeeting = z.input<typeof createMeetingSchema>;

export const meetingIdSchema = z.object({ meetingId: z.uuid({ message: 'invalid meeting id' }) });
export const decisionIdSchema = meetingIdSchema.extend({ decisionId: z.uuid({ message: 'invalid decision id' }) });
export const guestIdSchema = meetingIdSchema.extend({ guestId: z.string().regex(/^[0-9a-f]{64}$/, { message: 'invalid guest id' }) });

export const decisionSchema = z.object({ text: text(1000) });

export const decisionToActionSchema = z.object({
  goalId: z.string().min(1).max(64),
  /** A team member's account id, 'client', or '' for nobody yet. */
  responsible: z.string().max(64).default(''),
  due: z.union([z.literal(''), z.iso.date({ message: 'use a date like 2027-01-31' })]).default('')
});

export const turnSchema = z.object({ index: z.number().int().min(-1).max(29) });

export const joinCodeRequestSchema = z.object({
  /** How long the code may be used; it always ends with the meeting. */
  validMinutes: z.number().int().min(5).max(480).default(120)
});

/** The join code alphabet (Crockford's base 32: no I, L, O or U, so it reads aloud well). */
export const JOIN_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const JOIN_CODE_LENGTH = 10;

/** Puts a typed code into canonical form: capitals, no spaces or dashes, O→0 and I/L→1. */
export function normaliseJoinCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

/** Shows a code in groups that are easy to read out and type: `ABCDE-FGHJK`. */
export function formatJoinCode(code: string): string {
  return code.length > 5 ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}

export const joinBodySchema = z.object({
  code: z
    .string()
    .max(40)
    .transform(normaliseJoinCode)
    .pipe(z.string().regex(new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`), { message: 'a code has 10 letters and digits' }))
});

export const CLIENT_VOICE_KINDS = ['wish', 'comment', 'stance'] as const;
export type ClientVoiceKind = (typeof CLIENT_VOICE_KINDS)[number];

/** What a client may add to their plan through the server. */
export const clientVoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wish'), text: text(1000) }),
  z.object({ kind: z.literal('comment'), goalId: z.string().min(1).max(64), text: text(1000) }),
  z.object({ kind: z.literal('stance'), goalId: z.string().min(1).max(64), actionId: z.string().min(1).max(64), stance: z.enum(['agree', 'disagree']) })
]);
export type ClientVoice = z.infer<typeof clientVoiceSchema>;

export const followSchema = z.object({
  following: z.boolean(),
  view: z.enum(PLAN_VIEWS),
  goalId: z.string().max(64).nullable()
});
export type FollowState = z.infer<typeof followSchema>;

export interface AgendaItem {
  title: string;
  presenterId: string | null;
}

export interface MeetingSummary {
  id: string;
  caseId: string;
  status: MeetingStatus;
  scheduledAt: string;
  place: string | null;
  videoUrl: string | null;
  chairId: string;
  chairName: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface Decision {
  id: string;
  text: string;
  createdBy: string;
  createdByName: string;
  createdAt: string;
  goalId: string | null;
  actionId: string | null;
}

export interface Participant {
  /** An account id, or `client`. */
  id: string;
  name: string;
  role: string;
  organisation: string;
  joinedAt: string;
}

export interface MeetingView extends MeetingSummary {
  agenda: AgendaItem[];
  /** Index of the agenda item whose turn it is, or -1. */
  currentItem: number;
  invitees: Array<{ id: string; name: string }>;
  decisions: Decision[];
  participants: Participant[];
  follow: FollowState | null;
  /** Whether the reader may chair: start and end, let the client in, lead the others' view. */
  canChair: boolean;
  /** Whether the reader may record decisions and turn them into actions. */
  canEdit: boolean;
}

export interface JoinCodeView {
  code: string;
  path: string;
  expiresAt: string;
}

export interface GuestView {
  id: string;
  status: GuestStatus;
  createdAt: string;
  /** A rough description of the device, so the chair knows whom they let in. */
  device: string;
}

/** What a client's device knows about its own place in a meeting. */
export interface GuestState {
  status: GuestStatus;
  meetingId: string;
  caseId: string;
  meetingStatus: MeetingStatus;
}

export interface HelperView {
  id: string;
  name: string;
  role: string;
  organisation: string;
}

export interface AccessLogEntry {
  organisation: string;
  role: string;
  /** The local day (YYYY-MM-DD) of the accesses. */
  day: string;
  times: number;
}

/** What a client sees beside their plan: who helps, the next meeting, and who opened the plan. */
export interface GuestContext {
  helpers: HelperView[];
  nextMeeting: { scheduledAt: string; place: string | null } | null;
  accessLog: AccessLogEntry[];
}

export interface RecordAction {
  goal: string;
  text: string;
  responsible: string;
  due: string;
  status: string;
  change: 'added' | 'changed';
}

/** The generated summary of an ended meeting, stored with it. */
export interface MeetingRecord {
  startedAt: string;
  endedAt: string;
  participants: Participant[];
  agenda: AgendaItem[];
  decisions: Array<{ text: string; by: string; action: string | null }>;
  actions: RecordAction[];
  clientWords: Array<{ kind: ClientVoiceKind; text: string; goal: string | null; action: string | null; stance: 'agree' | 'disagree' | null }>;
  nextMeeting: { scheduledAt: string; place: string | null } | null;
}

export type { PlanView };
