import { io as connectSocket, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FollowState, GuestState, JoinCodeView, MeetingRecord, MeetingView } from '../../shared/meetings.js';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../../shared/meetings.js';
import { addGoal, goalActions, goalsMap } from '../../shared/plan/doc.js';
import { clientEntries } from '../../shared/plan/client-voice.js';
import { planTitle } from '../../shared/case-doc.js';
import { caseRoom, internalRoom } from '../../shared/rooms.js';
import type { MeetingJoinAck } from '../../shared/socket-events.js';
import { JOIN_LIMITS } from '../../server/services/guest-service.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signUp, startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { connectYjs, upgradeStatus, waitFor, webSocketWithHeaders, type YjsClient } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

describe.each(testDialects())('meetings and the client joining on %s', (dialect) => {
  let server: TestServer;
  /** Everything to close after the suite. */
  const open: Array<{ destroy: () => void }> = [];

  const api = async (method: string, path: string, cookie: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, setCookie: response.headers.get('set-cookie') };
  };

  const yjs = (room: string, cookie: string): YjsClient => {
    const client = connectYjs(server.url, room, cookie);
    open.push(client);
    return client;
  };

  /** A case with a chair and a second professional, and a live meeting with a goal in the plan. */
  async function liveMeeting(): Promise<{ chair: TestAccount; other: TestAccount; caseId: string; meetingId: string; goalId: string; chairDoc: YjsClient }> {
    const chair = await signUp(server);
    const other = await signUp(server, { role: 'coach' });
    const caseId = await createCase(server.url, chair.cookie);
    await addTeamMember(server.url, chair.cookie, caseId, other.accountId);
    const created = await api('POST', `/api/cases/${caseId}/meetings`, chair.cookie, {
      scheduledAt: new Date().toISOString(),
      place: 'Neuvotteluhuone 2',
      invitees: [other.accountId],
      agenda: [{ title: 'Kuulumiset' }, { title: 'Tavoitteet', presenterId: other.accountId }]
    });
    expect(created.status).toBe(201);
    const meetingId = created.body.id as string;
    expect((await api('POST', `/api/meetings/${meetingId}/start`, chair.cookie)).status).toBe(200);
    const chairDoc = yjs(caseRoom(caseId), chair.cookie);
    await chairDoc.synced;
    const goalId = addGoal(chairDoc.doc, { title: 'Oma asunto' });
    await waitFor(() => chairDoc.savedClock() >= chairDoc.localClock(), 5_000, 'goal stored');
    return { chair, other, caseId, meetingId, goalId, chairDoc };
  }

  /** Redeems a code from a "phone" and returns the guest cookie. */
  async function join(code: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string; body: GuestState & { error?: { code: string } } }> {
    const response = await api('POST', '/api/join', '', { code }, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1', ...headers });
    return { status: response.status, cookie: (response.setCookie ?? '').split(';')[0]!, body: response.body };
  }

  async function admittedClient(meetingId: string, chair: TestAccount): Promise<{ cookie: string; guestId: string }> {
    const code = (await api('POST', `/api/meetings/${meetingId}/join-codes`, chair.cookie, {})).body as JoinCodeView;
    const joined = await join(code.code);
    expect(joined.status).toBe(201);
    expect(joined.body.status).toBe('waiting');
    const lobby = (await api('GET', `/api/meetings/${meetingId}/guests`, chair.cookie)).body as Array<{ id: string; device: string }>;
    expect(lobby).toHaveLength(1);
    expect(lobby[0]!.device).toBe('iOS · Safari');
    expect((await api('POST', `/api/meetings/${meetingId}/guests/${lobby[0]!.id}/admit`, chair.cookie)).status).toBe(200);
    return { cookie: joined.cookie, guestId: lobby[0]!.id };
  }

  function closedWithin(ws: WebSocket): Promise<number> {
    return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }

  function rawYjs(room: string, cookie: string): Promise<WebSocket> {
    const Ws = webSocketWithHeaders({ cookie });
    const ws = new Ws(`${server.url.replace(/^http/, 'ws')}/yjs/${room}`);
    open.push({ destroy: () => ws.terminate() });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { POLKU_SESSION_SWEEP_MS: '200' } });
  });
  afterAll(async () => {
    for (const o of open) o.destroy();
    await server.close();
  });

  it('a client token opens only its own case document, read-only, never the internal notes, and stops within a second when the meeting ends', async () => {
    const { chair, caseId, meetingId, chairDoc } = await liveMeeting();
    const elsewhere = await createCase(server.url, chair.cookie, 'Toinen asiakas');
    const client = await admittedClient(meetingId, chair);

    expect(await upgradeStatus(`${server.url.replace(/^http/, 'ws')}/yjs/${internalRoom(caseId)}`, { cookie: client.cookie })).toBe(404);
    expect(await upgradeStatus(`${server.url.replace(/^http/, 'ws')}/yjs/${caseRoom(elsewhere)}`, { cookie: client.cookie })).toBe(404);
    expect(await upgradeStatus(`${server.url.replace(/^http/, 'ws')}/yjs/${internalRoom(elsewhere)}`, { cookie: client.cookie })).toBe(404);
    // Nor any of the API meant for professionals.
    expect((await api('GET', `/api/cases/${caseId}`, client.cookie)).status).toBe(401);
    expect((await api('GET', `/api/meetings/${meetingId}`, client.cookie)).status).toBe(401);

    const phone = yjs(caseRoom(caseId), client.cookie);
    await phone.synced;
    expect([...goalsMap(phone.doc)!.values()].map((g) => String(g.get('title')))).toEqual(['Oma asunto']);

    // Its own edits are dropped by the server: nobody else sees them and nothing is stored.
    planTitle(phone.doc).insert(0, 'KLIENTIN MUOKKAUS');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(planTitle(chairDoc.doc).toString()).not.toContain('KLIENTIN');
    expect(planTitle(server.registry.peek(caseRoom(caseId))!.doc).toString()).not.toContain('KLIENTIN');

    const ws = await rawYjs(caseRoom(caseId), client.cookie);
    const closed = closedWithin(ws);
    const started = Date.now();
    expect((await api('POST', `/api/meetings/${meetingId}/end`, chair.cookie)).status).toBe(200);
    expect(await closed).toBe(4403);
    expect(Date.now() - started).toBeLessThan(1_000);
    await waitFor(() => !phone.provider.wsconnected || phone.provider.shouldConnect === false, 1_000, 'phone disconnected');
    // And it cannot come back.
    expect(await upgradeStatus(`${server.url.replace(/^http/, 'ws')}/yjs/${caseRoom(caseId)}`, { cookie: client.cookie })).toBe(401);
    expect((await api('GET', '/api/guest', client.cookie)).body.status).toBe('ended');
    expect((await api('GET', '/api/guest/context', client.cookie)).status).toBe(403);
  });

  it('removing the client closes its live connections within a second', async () => {
    const { chair, caseId, meetingId } = await liveMeeting();
    const client = await admittedClient(meetingId, chair);
    const ws = await rawYjs(caseRoom(caseId), client.cookie);
    const socket = connectSocket(`${server.url}/guest`, { forceNew: true, transports: ['websocket'], extraHeaders: { cookie: client.cookie }, reconnection: false });
    open.push({ destroy: () => socket.disconnect() });
    const statuses: string[] = [];
    socket.on('guest:status', ({ status }) => statuses.push(status));
    await waitFor(() => statuses.includes('admitted'), 2_000, 'admitted status');
    const socketClosed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const closed = closedWithin(ws);
    const started = Date.now();
    expect((await api('POST', `/api/meetings/${meetingId}/guests/${client.guestId}/remove`, chair.cookie)).status).toBe(200);
    expect(await closed).toBe(4403);
    await socketClosed;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(statuses).toContain('removed');
    // The code is spent too: removing is not undone by joining again.
    expect((await api('GET', '/api/guest', client.cookie)).body.status).toBe('removed');
  });

  it('an admitted client stays when the code runs out; a device still waiting when it runs out is let go', async () => {
    const { chair, caseId, meetingId } = await liveMeeting();
    const client = await admittedClient(meetingId, chair);
    const code = (await api('POST', `/api/meetings/${meetingId}/join-codes`, chair.cookie, { validMinutes: 5 })).body as JoinCodeView;
    const waiting = await join(code.code);
    expect(waiting.status).toBe(201);
    const past = new Date(Date.now() - 1000).toISOString();
    await queries(server.db).updateTable('join_codes').set({ expires_at: past }).where('meeting_id', '=', meetingId).execute();
    await queries(server.db).updateTable('guest_sessions').set({ expires_at: past }).where('meeting_id', '=', meetingId).where('status', '=', 'waiting').execute();
    expect((await api('GET', '/api/guest', client.cookie)).body.status).toBe('admitted');
    expect(await upgradeStatus(`${server.url.replace(/^http/, 'ws')}/yjs/${caseRoom(caseId)}`, { cookie: client.cookie })).toBe(101);
    expect((await api('GET', '/api/guest', waiting.cookie)).status).toBe(401);
  });

  it("the client's words arrive through the server as the client's entries, checked first", async () => {
    const { chair, caseId, meetingId, goalId, chairDoc } = await liveMeeting();
    const client = await admittedClient(meetingId, chair);
    const actionId = [...goalActions(goalsMap(chairDoc.doc)!.get(goalId)!).keys()][0];
    expect(actionId).toBeUndefined();

    const comment = await api('POST', '/api/guest/voice', client.cookie, { kind: 'comment', goalId, text: 'Haluan asua lähellä siskoa' });
    expect(comment.status).toBe(201);
    await waitFor(() => clientEntries(chairDoc.doc).some((e) => e.text === 'Haluan asua lähellä siskoa'), 1_000, 'comment on the chair');
    const entry = clientEntries(chairDoc.doc)[0]!;
    expect(entry).toMatchObject({ kind: 'comment', goalId, meetingId });

    const bad = await api('POST', '/api/guest/voice', client.cookie, { kind: 'comment', goalId: 'no-such-goal', text: 'x' });
    expect(bad.status).toBe(400);
    expect((await api('POST', '/api/guest/voice', client.cookie, { kind: 'stance', goalId, actionId: 'nope', stance: 'agree' })).status).toBe(400);
    expect((await api('POST', '/api/guest/voice', client.cookie, { kind: 'wish', text: '' })).status).toBe(400);
    expect(clientEntries(chairDoc.doc)).toHaveLength(1);

    // It was stored: a fresh reader after the room unloads sees it.
    const stored = await queries(server.db).selectFrom('document_updates').select('account_id').where('doc_name', '=', caseRoom(caseId)).where('account_id', 'is', null).execute();
    expect(stored.length).toBeGreaterThan(0);
  });

  it('decisions become plan actions in one step, and the record lists them', async () => {
    const { chair, other, meetingId, goalId, chairDoc } = await liveMeeting();
    const decision = await api('POST', `/api/meetings/${meetingId}/decisions`, other.cookie, { text: 'Haetaan asumisneuvontaa' });
    expect(decision.status).toBe(201);
    const made = await api('POST', `/api/meetings/${meetingId}/decisions/${decision.body.id}/action`, other.cookie, {
      goalId,
      responsible: chair.accountId,
      due: '2027-02-01'
    });
    expect(made.status).toBe(201);
    await waitFor(() => goalActions(goalsMap(chairDoc.doc)!.get(goalId)!).has(made.body.actionId), 1_000, 'action on the chair');
    const action = goalActions(goalsMap(chairDoc.doc)!.get(goalId)!).get(made.body.actionId)!;
    expect(String(action.get('text'))).toBe('Haetaan asumisneuvontaa');
    expect(action.get('responsible')).toBe(chair.accountId);
    expect(action.get('due')).toBe('2027-02-01');
    // Once only.
    expect((await api('POST', `/api/meetings/${meetingId}/decisions/${decision.body.id}/action`, other.cookie, { goalId })).status).toBe(409);
    // A responsible person from outside the team is refused and changes nothing.
    const second = await api('POST', `/api/meetings/${meetingId}/decisions`, other.cookie, { text: 'Toinen' });
    expect((await api('POST', `/api/meetings/${meetingId}/decisions/${second.body.id}/action`, other.cookie, { goalId, responsible: crypto.randomUUID() })).status).toBe(400);
    expect(goalActions(goalsMap(chairDoc.doc)!.get(goalId)!).size).toBe(1);

    expect((await api('POST', `/api/meetings/${meetingId}/turn`, other.cookie, { index: 1 })).status).toBe(403);
    expect((await api('POST', `/api/meetings/${meetingId}/turn`, chair.cookie, { index: 1 })).status).toBe(200);
    expect((await api('POST', `/api/meetings/${meetingId}/turn`, chair.cookie, { index: 5 })).status).toBe(400);
    const view = (await api('GET', `/api/meetings/${meetingId}`, other.cookie)).body as MeetingView;
    expect(view.currentItem).toBe(1);
    expect(view.canChair).toBe(false);
    expect(view.decisions.map((d) => d.actionId !== null)).toEqual([true, false]);

    expect((await api('POST', `/api/meetings/${meetingId}/end`, other.cookie)).status).toBe(403);
    expect((await api('POST', `/api/meetings/${meetingId}/end`, chair.cookie)).status).toBe(200);
    const { record } = (await api('GET', `/api/meetings/${meetingId}/record`, other.cookie)).body as { record: MeetingRecord };
    expect(record.decisions.map((d) => d.text)).toEqual(['Haetaan asumisneuvontaa', 'Toinen']);
    expect(record.actions).toEqual([
      expect.objectContaining({ text: 'Haetaan asumisneuvontaa', change: 'added', due: '2027-02-01', goal: 'Oma asunto' })
    ]);
    expect(record.agenda.map((a) => a.title)).toEqual(['Kuulumiset', 'Tavoitteet']);
    expect((await api('POST', `/api/meetings/${meetingId}/decisions`, other.cookie, { text: 'myöhässä' })).status).toBe(409);
  });

  it('a record that could not be made when the meeting ended is made when it is first read', async () => {
    const { chair, meetingId } = await liveMeeting();
    await api('POST', `/api/meetings/${meetingId}/decisions`, chair.cookie, { text: 'Jatketaan' });
    expect((await api('POST', `/api/meetings/${meetingId}/end`, chair.cookie)).status).toBe(200);
    await queries(server.db).updateTable('meetings').set({ record: null }).where('id', '=', meetingId).execute();
    const read = await api('GET', `/api/meetings/${meetingId}/record`, chair.cookie);
    expect(read.status).toBe(200);
    expect((read.body as { record: MeetingRecord }).record.decisions.map((d) => d.text)).toEqual(['Jatketaan']);
    expect((await queries(server.db).selectFrom('meetings').select('record').where('id', '=', meetingId).executeTakeFirstOrThrow()).record).not.toBeNull();
  });

  it('join codes: long enough, wrong ones throttled, used and expired ones refused with a clear reason', async () => {
    // 10 characters of a 32-letter alphabet: 50 bits.
    expect(JOIN_CODE_LENGTH * Math.log2(JOIN_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(50);
    const { chair, meetingId } = await liveMeeting();
    const code = (await api('POST', `/api/meetings/${meetingId}/join-codes`, chair.cookie, {})).body as JoinCodeView;
    expect(code.code).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`));
    expect(code.path).toBe(`/join/${code.code}`);

    const first = await join(`${code.code.slice(0, 5)}-${code.code.slice(5).toLowerCase()}`);
    expect(first.status).toBe(201);
    // A second device with the same code while the first holds it.
    const second = await join(code.code);
    expect(second.status).toBe(409);
    expect(second.body.error!.code).toBe('code_in_use');
    // The first device returning with its cookie is the same device, not a second one.
    const again = await api('POST', '/api/join', first.cookie, { code: code.code });
    expect(again.status).toBe(201);
    // The client leaves: the code is free for another device.
    expect((await api('POST', '/api/guest/leave', first.cookie)).status).toBe(200);
    const third = await join(code.code);
    expect(third.status).toBe(201);
    const lobby = (await api('GET', `/api/meetings/${meetingId}/guests`, chair.cookie)).body as Array<{ id: string }>;
    expect((await api('POST', `/api/meetings/${meetingId}/guests/${lobby[0]!.id}/decline`, chair.cookie)).status).toBe(200);
    const afterDecline = await join(code.code);
    expect(afterDecline.status).toBe(410);
    expect(afterDecline.body.error!.code).toBe('link_expired');

    const expiring = (await api('POST', `/api/meetings/${meetingId}/join-codes`, chair.cookie, { validMinutes: 5 })).body as JoinCodeView;
    await queries(server.db).updateTable('join_codes').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const expired = await join(expiring.code);
    expect(expired.status).toBe(410);

    // Wrong codes from one address: refused, then throttled (even a right code waits).
    const fresh = (await api('POST', `/api/meetings/${meetingId}/join-codes`, chair.cookie, {})).body as JoinCodeView;
    const wrong = (i: number) => `${'ZZZZZZZZ'}${JOIN_CODE_ALPHABET[i]}${JOIN_CODE_ALPHABET[i + 1]}`;
    for (let i = 0; i < JOIN_LIMITS.perAddress; i++) expect((await join(wrong(i))).status).toBe(404);
    const throttled = await join(fresh.code);
    expect(throttled.status).toBe(429);
    expect((await join('not a code')).status).toBe(400);
    await queries(server.db).deleteFrom('join_failures').execute();
    expect((await join(fresh.code)).status).toBe(201);
  });

  it('the client sees who helps, the next meeting, and which organisations opened the plan', async () => {
    const { chair, other, caseId, meetingId } = await liveMeeting();
    await api('POST', `/api/cases/${caseId}/meetings`, chair.cookie, { scheduledAt: '2099-01-15T10:00:00Z', place: 'Ohjaamo' });
    expect((await api('GET', `/api/cases/${caseId}`, other.cookie)).status).toBe(200);
    const client = await admittedClient(meetingId, chair);
    const context = (await api('GET', '/api/guest/context', client.cookie)).body;
    expect(context.helpers.map((h: { id: string }) => h.id).sort()).toEqual([chair.accountId, other.accountId].sort());
    expect(context.nextMeeting).toEqual({ scheduledAt: '2099-01-15T10:00:00.000Z', place: 'Ohjaamo' });
    expect(context.accessLog.map((e: { role: string }) => e.role)).toEqual(expect.arrayContaining(['social_worker', 'coach']));
    expect(JSON.stringify(context)).not.toContain('@example.fi');
  });

  it('follow the presenter: a follower gets the chair\'s view within a second, and only the chair may lead', async () => {
    const { chair, other, meetingId, goalId } = await liveMeeting();
    type Presence = { people: Array<{ id: string; chair: boolean }> };
    const joinMeeting = (cookie: string) =>
      new Promise<{ socket: Socket; presence: Presence[] }>((resolve, reject) => {
        const socket = connectSocket(server.url, { forceNew: true, transports: ['websocket'], extraHeaders: { cookie } });
        open.push({ destroy: () => socket.disconnect() });
        // Listen before joining: the first presence can arrive in the same tick as the answer.
        const presence: Presence[] = [];
        socket.on('meeting:presence', (p) => presence.push(p));
        socket.once('connect_error', reject);
        socket.emit('meeting:join', meetingId, (ack: MeetingJoinAck) => (ack.ok ? resolve({ socket, presence }) : reject(new Error(ack.code))));
      });
    const { socket: lead } = await joinMeeting(chair.cookie);
    const { socket: follower, presence } = await joinMeeting(other.cookie);
    await waitFor(() => presence.some((p) => p.people.length === 2), 1_000, 'both present');
    expect(presence.at(-1)!.people.find((p) => p.id === chair.accountId)?.chair).toBe(true);

    const received = new Promise<{ state: FollowState; at: number }>((resolve) => follower.once('meeting:focus', ({ state }) => resolve({ state, at: Date.now() })));
    const state: FollowState = { following: true, view: 'plan', goalId };
    const sent = Date.now();
    const ack = await lead.emitWithAck('meeting:focus', { meetingId, state });
    expect(ack).toEqual({ ok: true });
    const got = await received;
    expect(got.state).toEqual(state);
    expect(got.at - sent).toBeLessThan(1_000);
    // A late joiner gets the current lead with the join answer.
    const late = await new Promise<MeetingJoinAck>((resolve) => {
      const socket = connectSocket(server.url, { forceNew: true, transports: ['websocket'], extraHeaders: { cookie: other.cookie } });
      open.push({ destroy: () => socket.disconnect() });
      socket.emit('meeting:join', meetingId, resolve);
    });
    expect(late).toEqual({ ok: true, follow: state });
    expect(await follower.emitWithAck('meeting:focus', { meetingId, state })).toEqual({ ok: false, code: 'not_found' });
  });

  it('a meeting and its lobby are out of reach for people without access to the case', async () => {
    const { chair, meetingId } = await liveMeeting();
    const stranger = await signUp(server, { organisation: 'Muu kunta' });
    for (const [method, path, body] of [
      ['GET', `/api/meetings/${meetingId}`],
      ['GET', `/api/meetings/${meetingId}/guests`],
      ['POST', `/api/meetings/${meetingId}/join-codes`, {}],
      ['POST', `/api/meetings/${meetingId}/decisions`, { text: 'x' }],
      ['POST', `/api/meetings/${meetingId}/end`]
    ] as const) {
      expect((await api(method, path, stranger.cookie, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await api('GET', `/api/meetings/${meetingId}`, chair.cookie)).status).toBe(200);
  });
});
