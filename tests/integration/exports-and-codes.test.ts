/**
 * Quieter abuse (issue 14, points 2, 3 and 6a): a flood of wrong join codes from many addresses
 * must not lock every meeting's client out; nothing Polku exports as CSV may carry a formula a
 * spreadsheet would run; the values the reports count stay within their lists; and a meeting's
 * existence is not told to someone who may not see it.
 */
import http from 'node:http';
import { io as connectSocket } from 'socket.io-client';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../server/api/app.js';
import { queries } from '../../server/db/kysely.js';
import { createDocumentStore } from '../../server/repositories/documents.js';
import { createUser } from '../../server/services/auth-service.js';
import { JOIN_LIMITS } from '../../server/services/guest-service.js';
import { JOIN_CODE_ALPHABET, type JoinCodeView } from '../../shared/meetings.js';
import { serviceMap } from '../../shared/plan/doc.js';
import { GENDERS } from '../../shared/reports.js';
import { CONTRACT_TYPES } from '../../shared/plan/vocabulary.js';
import { caseRoom, viewRoom } from '../../shared/rooms.js';
import type { MeetingJoinAck } from '../../shared/socket-events.js';
import { OUTCOMES, REFERRAL_SOURCES, addRound, addStage, setScore, setWheelTemplate, stagesMap } from '../../shared/views/index.js';
import { testDialects } from '../helpers/databases.js';
import { syncMessage } from '../helpers/raw-messages.js';
import { addTeamMember, callApi, createCase, signIn, signUp, startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { storedDoc } from '../helpers/stored.js';
import { connectYjs, waitFor, webSocketWithHeaders } from '../helpers/yjs-client.js';

/** Cells a spreadsheet would run as a formula, one per character OWASP names. */
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-1+2', '@SUM(A1)', '\t=1+2', '\r=1+2'];

/** A small CSV reader (RFC 4180: quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') (cell += '"'), i++;
      else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += ch;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

/** Whether a spreadsheet opening this cell would run it (a number written as a number is safe). */
const runnable = (cell: string) => /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);

describe.each(testDialects())('join codes, exports and existence on %s', (dialect) => {
  let server: TestServer;
  const open: Array<{ destroy: () => void }> = [];

  const api = (method: string, path: string, cookie: string, body?: unknown) => callApi(server.url, method, path, cookie, body);

  /** POSTs JSON from a chosen loopback address: all of 127.0.0.0/8 reaches this machine, so the server sees a real peer address. */
  function postFrom(localAddress: string, path: string, body: unknown): Promise<{ status: number; body: { error?: { code: string } } | null; cookie: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${server.url}${path}`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, body: text ? JSON.parse(text) : null, cookie: (response.headers['set-cookie']?.[0] ?? '').split(';')[0]! })
        );
      });
      request.on('error', reject);
      request.end(JSON.stringify(body));
    });
  }

  async function liveMeeting(): Promise<{ chair: TestAccount; caseId: string; meetingId: string }> {
    const chair = await signUp(server);
    const caseId = await createCase(server.url, chair.cookie);
    const created = await api('POST', `/api/cases/${caseId}/meetings`, chair.cookie, { scheduledAt: new Date().toISOString(), place: 'Neuvotteluhuone' });
    expect(created.status).toBe(201);
    const meetingId = created.body.id as string;
    expect((await api('POST', `/api/meetings/${meetingId}/start`, chair.cookie)).status).toBe(200);
    return { chair, caseId, meetingId };
  }

  const newCode = async (meetingId: string, chair: TestAccount) => ((await api('POST', `/api/meetings/${meetingId}/join-codes`, chair.cookie, {})).body as JoinCodeView).code;

  /** Writes into a stored document behind the server's back, as a document from before the checks (or a database administrator) would hold it. */
  async function writeStored(room: string, change: (doc: Y.Doc) => void): Promise<void> {
    const doc = await storedDoc(server.db, room);
    const before = Y.encodeStateVector(doc);
    change(doc);
    await createDocumentStore(server.db).append([{ docName: room, data: Y.encodeStateAsUpdate(doc, before), accountId: null }]);
  }

  /** An organisation with a coordinator and a social worker, each signed in. */
  async function organisation(name: string): Promise<{ coordinator: TestAccount; worker: TestAccount }> {
    return { coordinator: await signUp(server, { role: 'coordinator', organisation: name }), worker: await signUp(server, { role: 'social_worker', organisation: name }) };
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    for (const o of open) o.destroy();
    await server.close();
  });

  it('a join-code flood from 50 addresses delays the flooders, not a valid code from another address', async () => {
    const { chair, meetingId } = await liveMeeting();
    const valid = await newCode(meetingId, chair);
    const wrong = (address: number, i: number) => `ZZZZZZ${JOIN_CODE_ALPHABET[address % 32]}${JOIN_CODE_ALPHABET[Math.floor(address / 32)]}${JOIN_CODE_ALPHABET[i]}Z`;
    const flooders = Array.from({ length: 50 }, (_, k) => `127.0.0.${10 + k}`);
    await Promise.all(
      flooders.map(async (address, k) => {
        for (let i = 0; i < JOIN_LIMITS.perAddress; i++) expect((await postFrom(address, '/api/join', { code: wrong(k, i) })).status).toBe(404);
        // The per-address bound holds: the flooder waits, even with a right code.
        expect((await postFrom(address, '/api/join', { code: wrong(k, JOIN_LIMITS.perAddress) })).status).toBe(429);
        expect((await postFrom(address, '/api/join', { code: valid })).status).toBe(429);
      })
    );
    // The server saw 50 different addresses.
    const addresses = await queries(server.db).selectFrom('join_failures').select('ip').distinct().execute();
    expect(addresses.map((a) => a.ip).sort()).toEqual([...flooders].sort());

    // The client in the room, from an address of its own, gets in.
    const client = await postFrom('127.0.0.200', '/api/join', { code: valid });
    expect(client.status).toBe(201);
    expect(client.body).toMatchObject({ status: 'waiting', meetingId });
  });

  it('wrong codes sent at once from one address still get only the per-address number of checks', async () => {
    const { chair, meetingId } = await liveMeeting();
    const valid = await newCode(meetingId, chair);
    const wrong = (i: number) => `YYYYYYYY${JOIN_CODE_ALPHABET[i % 32]}${JOIN_CODE_ALPHABET[Math.floor(i / 32)]}`;
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => postFrom('127.0.0.202', '/api/join', { code: wrong(i) })));
    expect(burst.every((a) => a.status === 404 || a.status === 429)).toBe(true);
    // Then one at a time until refused: however they arrived, exactly `perAddress` were checked.
    let checked = burst.filter((a) => a.status === 404).length;
    for (let i = 40; (await postFrom('127.0.0.202', '/api/join', { code: wrong(i) })).status === 404; i++) checked++;
    expect(checked).toBe(JOIN_LIMITS.perAddress);
    expect((await postFrom('127.0.0.202', '/api/join', { code: valid })).status).toBe(429);
  });

  it('a valid code lets a bounded number of devices into the lobby per window; the meeting\'s other codes still work', async () => {
    const { chair, meetingId } = await liveMeeting();
    const code = await newCode(meetingId, chair);
    for (let i = 0; i < JOIN_LIMITS.perCode; i++) {
      const joined = await postFrom('127.0.0.201', '/api/join', { code });
      expect(joined.status).toBe(201);
      expect((await api('POST', '/api/guest/leave', joined.cookie)).status).toBe(200);
    }
    const churned = await postFrom('127.0.0.201', '/api/join', { code });
    expect(churned.status).toBe(429);
    expect(churned.body?.error?.code).toBe('too_many_requests');
    // Churning one code is not a wrong guess: the address is not throttled, and a new code opens the lobby.
    expect((await postFrom('127.0.0.201', '/api/join', { code: await newCode(meetingId, chair) })).status).toBe(201);
  });

  it('every CSV export neutralises cells a spreadsheet would run, and numbers stay numbers', async () => {
    const orgName = `@Kunta ${crypto.randomUUID().slice(0, 6)}`;
    const { coordinator, worker } = await organisation(orgName);

    // The audit export: people whose names are formulas open a case.
    const caseId = await createCase(server.url, worker.cookie);
    for (const [i, name] of FORMULAS.entries()) {
      const email = `formula${i}-${crypto.randomUUID().slice(0, 6)}@example.fi`;
      const { accountId } = await createUser(server.db, { email, name, role: 'social_worker', organisation: orgName, password: 'a long enough test password' });
      await addTeamMember(server.url, worker.cookie, caseId, accountId);
      expect((await api('GET', `/api/cases/${caseId}`, await signIn(server.url, email, 'a long enough test password'))).status).toBe(200);
    }

    // The report export: five clients whose wheel areas are named with formulas, each score falling by 2.
    for (let c = 0; c < 5; c++) {
      const id = await createCase(server.url, worker.cookie);
      await writeStored(viewRoom(id, 'path'), (doc) => void addStage(doc, { kind: 'referral', date: '2027-01-10', source: 'school' }));
      await writeStored(viewRoom(id, 'wheel'), (doc) => {
        setWheelTemplate(doc, { id: 'formula', name: 'Kaava', min: 0, max: 10, areas: FORMULAS.map((label, k) => ({ id: `area${k}`, label })) });
        const first = addRound(doc, '2027-01-15');
        const second = addRound(doc, '2027-03-15');
        FORMULAS.forEach((_, k) => {
          setScore(doc, first, 'professional', `area${k}`, 6);
          setScore(doc, second, 'professional', `area${k}`, 4);
        });
      });
    }

    const exports = {
      'GET /api/audit/cases/:id/csv': `/api/audit/cases/${caseId}/csv`,
      'GET /api/reports/csv': '/api/reports/csv?from=2027-01-01&to=2027-12-31'
    };
    // Every CSV route of the app is in this test.
    const csvRoutes = createApi({} as never).routes.filter((r) => r.method !== 'ALL' && /csv/i.test(r.path)).map((r) => `${r.method} ${r.path}`);
    expect([...new Set(csvRoutes)].sort()).toEqual(Object.keys(exports).sort());

    for (const [route, path] of Object.entries(exports)) {
      const response = await fetch(`${server.url}${path}`, { headers: { cookie: coordinator.cookie } });
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type'), route).toMatch(/^text\/csv/);
      const cells = parseCsv(await response.text()).flat();
      expect(cells.filter(runnable), route).toEqual([]);
      // The values are there, quoted to be read as text.
      for (const formula of FORMULAS) expect(cells, route).toContain(`'${formula}`);
    }
    // The report's mean change is a number Polku wrote: it stays -2, not text.
    const report = parseCsv(await (await fetch(`${server.url}${exports['GET /api/reports/csv']}`, { headers: { cookie: coordinator.cookie } })).text());
    const wheelRows = report.filter((row) => row[1]?.startsWith("'"));
    expect(wheelRows.map((row) => row[2])).toEqual(FORMULAS.map(() => '-2'));
  });

  it('report values outside their lists are refused when written and counted as other when read', async () => {
    const { coordinator, worker } = await organisation(`Listakunta ${crypto.randomUUID().slice(0, 6)}`);
    const caseId = await createCase(server.url, worker.cookie);
    const pathRoom = viewRoom(caseId, 'path');

    // Written through the sync server: a value outside the list closes the connection and changes nothing.
    const editor = connectYjs(server.url, pathRoom, worker.cookie);
    open.push(editor);
    await editor.synced;
    const stageId = addStage(editor.doc, { kind: 'referral', date: '2027-02-01', source: 'school' });
    await waitFor(() => editor.savedClock() >= editor.localClock(), 5_000, 'the stage to be stored');

    const refusals: Array<[string, (doc: Y.Doc) => void]> = [
      [pathRoom, (doc) => stagesMap(doc)!.get(stageId)!.set('source', '=HYPERLINK("http://evil.example")')],
      [pathRoom, (doc) => void addStage(doc, { kind: 'next_path', date: '2027-03-01', outcome: 'abducted_by_aliens' as never })],
      [caseRoom(caseId), (doc) => serviceMap(doc)!.set('contractType', 'zero_hours')]
    ];
    for (const [room, change] of refusals) {
      const doc = await storedDoc(server.db, room);
      const before = Y.encodeStateVector(doc);
      change(doc);
      const ws = new (webSocketWithHeaders({ cookie: worker.cookie }))(`${server.url.replace(/^http/, 'ws')}/yjs/${room}`);
      open.push({ destroy: () => ws.terminate() });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      ws.send(syncMessage('update', Y.encodeStateAsUpdate(doc, before)));
      expect(await closed, room).toBe(1007);
      expect(ws.readyState).toBe(WebSocket.CLOSED);
    }
    // An allowed value still goes through, and what was refused is neither live nor stored.
    stagesMap(editor.doc)!.get(stageId)!.set('source', 'health_care');
    await waitFor(() => editor.savedClock() >= editor.localClock(), 5_000, 'the allowed value to be stored');
    const stored = await storedDoc(server.db, pathRoom);
    expect([...stagesMap(stored)!.values()].map((s) => [s.get('source'), s.get('outcome')])).toEqual([['health_care', '']]);
    expect(serviceMap(await storedDoc(server.db, caseRoom(caseId)))!.get('contractType')).toBeUndefined();

    // Values already in documents (or the database) are counted as "other", never as categories of their own.
    await writeStored(pathRoom, (doc) => {
      stagesMap(doc)!.get(stageId)!.set('source', 'carrier_pigeon');
      addStage(doc, { kind: 'next_path', date: '2027-03-01', outcome: 'abducted_by_aliens' as never });
    });
    await writeStored(caseRoom(caseId), (doc) => serviceMap(doc)!.set('contractType', 'zero_hours'));
    await queries(server.db).updateTable('cases').set({ gender: 'robot' }).where('id', '=', caseId).execute();

    const report = await api('GET', '/api/reports?from=2027-01-01&to=2027-12-31', coordinator.cookie);
    expect(report.status).toBe(200);
    expect(Object.keys(report.body.newReferrals).sort()).toEqual([...REFERRAL_SOURCES, 'unknown'].sort());
    expect(report.body.newReferrals.other).toBe(1);
    expect(Object.keys(report.body.contractTypes).sort()).toEqual([...CONTRACT_TYPES, 'none'].sort());
    expect(report.body.contractTypes.other).toBe(1);
    expect(Object.keys(report.body.byGender).sort()).toEqual([...GENDERS].sort());
    expect(report.body.byGender.other).toBe(1);
    // The outcomes have no "other" (that would be "other services", a real outcome): an unknown one is "unknown".
    expect(Object.keys(report.body.outcomes).sort()).toEqual([...OUTCOMES].sort());
    expect(report.body.outcomes.unknown).toBe(1);
    for (const n of [...Object.values(report.body.newReferrals), ...Object.values(report.body.outcomes), ...Object.values(report.body.byGender)]) expect(Number.isInteger(n)).toBe(true);

    const csv = await (await fetch(`${server.url}/api/reports/csv?from=2027-01-01&to=2027-12-31`, { headers: { cookie: coordinator.cookie } })).text();
    for (const made_up of ['carrier_pigeon', 'abducted_by_aliens', 'zero_hours', 'robot', 'NaN']) expect(csv).not.toContain(made_up);
  });

  it('a non-member gets the same answer for a meeting that exists and one that does not, on REST and Socket.IO', async () => {
    const { meetingId } = await liveMeeting();
    const missing = crypto.randomUUID();
    const outsiders = [await signUp(server, { organisation: `Muu kunta ${crypto.randomUUID().slice(0, 6)}` }), await signUp(server)];
    const probes: Array<[string, (id: string) => string, unknown?]> = [
      ['GET', (id) => `/api/meetings/${id}`],
      ['GET', (id) => `/api/meetings/${id}/record`],
      ['GET', (id) => `/api/meetings/${id}/guests`],
      ['POST', (id) => `/api/meetings/${id}/start`],
      ['POST', (id) => `/api/meetings/${id}/join-codes`, {}],
      ['POST', (id) => `/api/meetings/${id}/decisions`, { text: 'Jatketaan' }]
    ];
    for (const outsider of outsiders) {
      for (const [method, path, body] of probes) {
        const existing = await api(method, path(meetingId), outsider.cookie, body);
        const absent = await api(method, path(missing), outsider.cookie, body);
        expect(existing.status, `${method} ${path(':id')}`).toBe(404);
        expect({ status: existing.status, body: existing.body }, `${method} ${path(':id')}`).toEqual({ status: absent.status, body: absent.body });
      }
      const socket = connectSocket(server.url, { forceNew: true, transports: ['websocket'], extraHeaders: { cookie: outsider.cookie } });
      open.push({ destroy: () => socket.disconnect() });
      const existing = (await socket.emitWithAck('meeting:join', meetingId)) as MeetingJoinAck;
      const absent = (await socket.emitWithAck('meeting:join', missing)) as MeetingJoinAck;
      expect(existing).toEqual({ ok: false, code: 'not_found' });
      expect(existing).toEqual(absent);
    }
  });
});
