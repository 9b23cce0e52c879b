/**
 * The client's way into a meeting: the chair makes a join code; the client's device redeems it
 * (no account) and waits in the lobby; the chair admits, declines or removes it. An admitted
 * client reads their own plan and adds their own words through the server.
 *
 * A code is 10 characters of a 32-letter alphabet (50 bits). Wrong codes are throttled per
 * address, and so is how many devices one code lets into the lobby (see `JOIN_LIMITS`); a right
 * code only reaches the lobby, where a person decides: guessing one is both improbable and useless.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now, nowMs } from '../db/time.js';
import { finnishDate } from '../../shared/finnish-time.js';
import { AppError } from '../errors.js';
import {
  countCodeEntries,
  countJoinAttempts,
  endMeetingGuests,
  findActiveGuestOfCode,
  findGuest,
  findGuestStanding,
  findJoinCode,
  forgetJoinAttempt,
  insertGuest,
  insertJoinCode,
  listGuests as listGuestRows,
  pruneJoinFailures,
  recordJoinAttempt,
  revokeJoinCode,
  transitionGuest
} from '../repositories/guests.js';
import { findMeeting, findNextMeeting } from '../repositories/meetings.js';
import { listMembers } from '../repositories/case-members.js';
import { listCaseAccess } from '../repositories/audit-log.js';
import { caseOrganisationId } from '../repositories/cases.js';
import { hasValidConsent } from '../repositories/consents.js';
import { CLIENT_PRESENCE } from '../../shared/presence.js';
import {
  JOIN_CODE_ALPHABET,
  JOIN_CODE_LENGTH,
  type AccessLogEntry,
  type ClientVoice,
  type GuestContext,
  type GuestState,
  type GuestView,
  type JoinCodeView
} from '../../shared/meetings.js';
import { addClientEntry, clientEntries } from '../../shared/plan/client-voice.js';
import { goalActions, goalsMap } from '../../shared/plan/doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { addressKey } from '../domain/address.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { guestIdOf, type Guest } from './guest-auth.js';
import { loadMeeting, mayChair, noteAttendance, type MeetingDeps } from './meeting-service.js';

/**
 * A wrong code names no meeting, so wrong codes are counted per address only: a flood from many
 * addresses delays each of them and no one else (there is no total, which would let anyone shut
 * every meeting's client out). What bounds a guess spread over many addresses is the code's
 * 50 bits and its life of at most 8 hours (the odds are in `server/access/README.md`).
 */
export const JOIN_LIMITS = {
  windowMs: 10 * 60_000,
  /** Wrong codes from one address (an IPv6 /64) within the window; past it every code from there waits, even a right one. */
  perAddress: 10,
  /** Devices that enter the lobby with one code within the window (join, leave, join again): a code that leaked cannot churn the chair's lobby. */
  perCode: 10
} as const;

/**
 * How long an admitted device may stay: the code bounds the wait in the lobby, but once let in
 * the client stays until the meeting ends or the chair removes them — never longer than this.
 */
export const ADMITTED_FOR_MS = 12 * 60 * 60_000;

/** At most this many entries from the client per meeting (a stuck key must not flood the plan). */
const MAX_CLIENT_ENTRIES_PER_MEETING = 200;

const codeIdOf = (code: string) => createHash('sha256').update(`join:${code}`).digest('hex');

function newCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** A short description of a device from its user agent, for the chair's lobby list. */
export function describeDevice(userAgent: string | null): string {
  const ua = userAgent ?? '';
  const system = /iPhone|iPad/.test(ua) ? 'iOS' : /Android/.test(ua) ? 'Android' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : '';
  return [system, browser].filter(Boolean).join(' · ') || '?';
}

/** Makes a join code for a meeting that has not ended; the code ends with the meeting or after `validMinutes`. */
export async function createJoinCode(deps: MeetingDeps, p: Principal, meetingId: string, validMinutes: number, meta: RequestMeta): Promise<JoinCodeView> {
  const loaded = await loadMeeting(deps.db, p, meetingId, meta);
  if (!mayChair(p, loaded)) throw new AppError(403, 'forbidden', 'only the chair may invite the client');
  if (loaded.meeting.status === 'ended') throw new AppError(409, 'conflict', 'the meeting has ended');
  const code = newCode();
  const expiresAt = new Date(nowMs() + validMinutes * 60_000).toISOString();
  await insertJoinCode(deps.db, { id: codeIdOf(code), meeting_id: meetingId, created_by: p.accountId, created_at: now(), expires_at: expiresAt, revoked_at: null });
  await audit(deps.db, { action: 'guest_change', principal: p, caseId: loaded.meeting.case_id, details: { meeting: meetingId, codeCreated: expiresAt }, meta });
  return { code, path: `/join/${code}`, expiresAt };
}

const windowStart = () => new Date(nowMs() - JOIN_LIMITS.windowMs).toISOString();

/**
 * Counts this attempt against its address *before* the code is looked up and then counts the
 * address's attempts, itself included: of attempts sent at once, the k-th recorded sees at least
 * k, so no more than `perAddress` are ever checked in a window (a burst may get fewer). Returns
 * the attempt, which stays counted only if the code is wrong.
 */
async function throttle(db: Db, address: string): Promise<string> {
  const attempt = await recordJoinAttempt(db, address, now());
  if ((await countJoinAttempts(db, address, windowStart())) > JOIN_LIMITS.perAddress) {
    await forgetJoinAttempt(db, attempt);
    throw new AppError(429, 'too_many_requests', 'too many wrong codes; wait a few minutes and try again');
  }
  return attempt;
}

async function fail(db: Db): Promise<never> {
  await pruneJoinFailures(db, windowStart());
  throw new AppError(404, 'not_found', 'no meeting has this code; check it and try again');
}

export interface Redeemed {
  /** The new device token for the cookie; null when this device already held the code. */
  token: string | null;
  state: GuestState;
}

/** A client's device uses a code: it enters the lobby (or returns to where it was). */
export async function redeemCode(deps: MeetingDeps, code: string, current: Guest | null, meta: RequestMeta): Promise<Redeemed> {
  const { db } = deps;
  const attempt = await throttle(db, addressKey(meta.ip));
  const joinCode = await findJoinCode(db, codeIdOf(code));
  const meeting = joinCode && (await findMeeting(db, joinCode.meeting_id));
  if (!joinCode || !meeting) return fail(db);
  // A right code is no guess, whatever comes of it.
  await forgetJoinAttempt(db, attempt);
  if (current && current.meetingId === meeting.id && (current.status === 'waiting' || current.status === 'admitted')) {
    const guest = await findGuest(db, current.id);
    if (guest?.join_code_id === joinCode.id) return { token: null, state: stateOf(current) };
  }
  if (joinCode.revoked_at || joinCode.expires_at <= now() || meeting.status === 'ended') {
    throw new AppError(410, 'link_expired', 'this code is no longer valid; ask for a new one');
  }
  if (await findActiveGuestOfCode(db, joinCode.id)) {
    throw new AppError(409, 'code_in_use', 'this code is in use on another device');
  }
  if ((await countCodeEntries(db, joinCode.id, windowStart())) >= JOIN_LIMITS.perCode) {
    throw new AppError(429, 'too_many_requests', 'this code has been used too often; wait a few minutes or ask for a new one');
  }
  const token = randomBytes(32).toString('base64url');
  const id = guestIdOf(token);
  await inTransaction(db, async (trx) => {
    await insertGuest(trx, {
      id,
      meeting_id: meeting.id,
      join_code_id: joinCode.id,
      status: 'waiting',
      device: describeDevice(meta.userAgent),
      created_at: now(),
      expires_at: joinCode.expires_at,
      decided_by: null,
      decided_at: null
    });
    await audit(trx, { action: 'guest_change', caseId: meeting.case_id, details: { meeting: meeting.id, lobby: id.slice(0, 12) }, meta });
  });
  // Two devices racing past the check above: the later one loses.
  const holders = await listGuestRows(db, meeting.id, ['waiting', 'admitted']);
  const first = holders.filter((g) => g.join_code_id === joinCode.id).sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1))[0];
  if (first && first.id !== id) {
    await transitionGuest(db, id, ['waiting'], 'left', null, now());
    throw new AppError(409, 'code_in_use', 'this code is in use on another device');
  }
  deps.meetings.changed(meeting.id, meeting.case_id);
  return {
    token,
    state: { status: 'waiting', meetingId: meeting.id, caseId: meeting.case_id, meetingStatus: meeting.status }
  };
}

export function stateOf(guest: Guest): GuestState {
  return { status: guest.status, meetingId: guest.meetingId, caseId: guest.caseId, meetingStatus: guest.meetingStatus };
}

/** The lobby and the client devices in the meeting, for the chair. */
export async function listGuests(deps: MeetingDeps, p: Principal, meetingId: string, meta: RequestMeta): Promise<GuestView[]> {
  const loaded = await loadMeeting(deps.db, p, meetingId, meta);
  if (!mayChair(p, loaded)) throw new AppError(403, 'forbidden', 'only the chair may see the lobby');
  const rows = await listGuestRows(deps.db, meetingId, ['waiting', 'admitted']);
  return rows.map((g) => ({ id: g.id, status: g.status, createdAt: g.created_at, device: g.device }));
}

export type GuestDecision = 'admit' | 'decline' | 'remove';

/** The chair lets a waiting device in, turns it away, or removes it; turning away or removing also ends its code. */
export async function decideGuest(
  deps: MeetingDeps,
  p: Principal,
  meetingId: string,
  guestId: string,
  decision: GuestDecision,
  meta: RequestMeta
): Promise<void> {
  const { db } = deps;
  const loaded = await loadMeeting(db, p, meetingId, meta);
  if (!mayChair(p, loaded)) throw new AppError(403, 'forbidden', 'only the chair may let the client in');
  const guest = await findGuest(db, guestId);
  if (!guest || guest.meeting_id !== meetingId) throw new AppError(404, 'not_found', 'no such device in this meeting');
  const at = now();
  if (decision === 'admit') {
    if (loaded.meeting.status !== 'live') throw new AppError(409, 'conflict', 'start the meeting before letting the client in');
    const until = new Date(nowMs() + ADMITTED_FOR_MS).toISOString();
    if (!(await transitionGuest(db, guestId, ['waiting'], 'admitted', p.accountId, at, until))) throw new AppError(409, 'conflict', 'this device is no longer waiting');
    await noteAttendance(db, loaded.meeting, { id: CLIENT_PRESENCE.id, name: '', role: 'client', organisation: '' });
  } else {
    const to = decision === 'decline' ? 'declined' : 'removed';
    const from = decision === 'decline' ? (['waiting'] as const) : (['waiting', 'admitted'] as const);
    if (!(await transitionGuest(db, guestId, from, to, p.accountId, at))) throw new AppError(409, 'conflict', 'this device is not in the meeting');
    await revokeJoinCode(db, guest.join_code_id, at);
  }
  await audit(db, { action: 'guest_change', principal: p, caseId: loaded.meeting.case_id, details: { meeting: meetingId, [decision]: guestId.slice(0, 12) }, meta });
  deps.meetings.guestChanged(guestId, decision === 'admit' ? 'admitted' : decision === 'decline' ? 'declined' : 'removed');
  deps.meetings.changed(meetingId, loaded.meeting.case_id);
}

/** The client leaves on their own; the code may then be used again (on this or another device). */
export async function leave(deps: MeetingDeps, guest: Guest, meta: RequestMeta): Promise<void> {
  if (await transitionGuest(deps.db, guest.id, ['waiting', 'admitted'], 'left', null, now())) {
    await audit(deps.db, { action: 'guest_change', caseId: guest.caseId, details: { meeting: guest.meetingId, left: guest.id.slice(0, 12) }, meta });
    deps.meetings.guestChanged(guest.id, 'left');
    deps.meetings.changed(guest.meetingId, guest.caseId);
  }
}

function requireAdmitted(guest: Guest | null): Guest {
  if (!guest) throw new AppError(401, 'unauthenticated', 'join the meeting with its code first');
  if (guest.status !== 'admitted' || guest.meetingStatus !== 'live') throw new AppError(403, 'forbidden', 'you are not in the meeting now');
  return guest;
}

const ACCESS_ACTIONS = ['case_view', 'edit_session_opened', 'view_session_opened', 'print', 'export'] as const;

/** Who helps the client, the next meeting, and which organisations and roles opened the plan and when. */
export async function guestContext(db: Db, current: Guest | null): Promise<GuestContext> {
  const guest = requireAdmitted(current);
  const meeting = await findMeeting(db, guest.meetingId);
  if (!meeting) throw new AppError(404, 'not_found', 'no such meeting');
  const members = await listMembers(db, guest.caseId);
  const owner = await caseOrganisationId(db, guest.caseId);
  const helpers = [];
  for (const m of members) {
    if (m.organisationId === owner || (await hasValidConsent(db, guest.caseId, m.organisationId))) {
      helpers.push({ id: m.accountId, name: m.name, role: m.role, organisation: m.organisationName });
    }
  }
  const next = await findNextMeeting(db, guest.caseId, now(), guest.meetingId);
  const rows = await listCaseAccess(db, guest.caseId, ACCESS_ACTIONS);
  const grouped = new Map<string, AccessLogEntry>();
  for (const row of rows) {
    const day = finnishDate(row.at);
    const key = `${day}\u0000${row.organisation}\u0000${row.role}`;
    const entry = grouped.get(key);
    if (entry) entry.times++;
    else grouped.set(key, { day, organisation: row.organisation, role: row.role, times: 1 });
  }
  return {
    helpers,
    nextMeeting: next ? { scheduledAt: next.scheduled_at, place: next.place } : null,
    accessLog: [...grouped.values()].slice(0, 60)
  };
}

/** The client's own words, checked here and written into the plan by the server as the client's entries. */
export async function addClientVoice(deps: MeetingDeps, current: Guest | null, body: ClientVoice, meta: RequestMeta): Promise<{ id: string }> {
  const guest = requireAdmitted(current);
  const id = await deps.docs.change(caseRoom(guest.caseId), { accountId: null, user: CLIENT_PRESENCE }, (doc) => {
    if (clientEntries(doc).filter((e) => e.meetingId === guest.meetingId).length >= MAX_CLIENT_ENTRIES_PER_MEETING) {
      throw new AppError(429, 'too_many_requests', 'that is a lot of messages; tell the others out loud');
    }
    const goal = body.kind === 'wish' ? undefined : goalsMap(doc)?.get(body.goalId);
    if (body.kind !== 'wish' && !goal) throw new AppError(400, 'validation_failed', 'no such goal in your plan', 'goalId');
    if (body.kind === 'stance' && !goalActions(goal!).has(body.actionId)) throw new AppError(400, 'validation_failed', 'no such action in your plan', 'actionId');
    return addClientEntry(doc, {
      kind: body.kind,
      text: body.kind === 'stance' ? '' : body.text,
      goalId: body.kind === 'wish' ? null : body.goalId,
      actionId: body.kind === 'stance' ? body.actionId : null,
      stance: body.kind === 'stance' ? body.stance : null,
      meetingId: guest.meetingId,
      at: now()
    });
  });
  await audit(deps.db, { action: 'client_voice', caseId: guest.caseId, details: { meeting: guest.meetingId, kind: body.kind, entry: id }, meta });
  return { id };
}

/** Ends the devices of meetings that ended or whose time ran out (for the sweeper); returns their ids. */
export async function expiredGuests(db: Db, guestIds: readonly string[]): Promise<string[]> {
  const gone: string[] = [];
  for (const id of guestIds) {
    const row = await findGuestStanding(db, id);
    if (!row || row.expiresAt <= now() || row.meetingStatus === 'ended' || (row.status !== 'waiting' && row.status !== 'admitted')) {
      if (row && row.meetingStatus === 'ended') await endMeetingGuests(db, row.meetingId, now());
      gone.push(id);
    }
  }
  return gone;
}
