/**
 * A consent lasts through its last day in Finnish time and ends at the following Finnish
 * midnight: the organisation's open connections to the case close then, on every instance, with
 * one audit row, and the REST API refuses the case. The server's clock is moved, never waited for.
 */
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/database.js';
import { setClockForTests } from '../../server/db/time.js';
import { createUser } from '../../server/services/auth-service.js';
import { addDays, finnishMidnight, finnishWallTime } from '../../shared/finnish-time.js';
import { caseRoom } from '../../shared/rooms.js';
import type { AccessAck } from '../../shared/socket-events.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/databases.js';
import { addTeamMember, createCase, signIn, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

const REDIS_URL = process.env.POLKU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const password = 'consent expiry test password';
// The Saturday before summer time ends: its midnight is 21:00Z, the next one 22:00Z.
const LAST_DAY = '2027-10-30';
const OWNER = 'Kemi';
const OTHER = 'Länsi-Pohjan hyvinvointialue';

let n = 0;
const api = (url: string, method: string, path: string, cookie: string, body?: unknown) =>
  fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', cookie, origin: url }, body: body === undefined ? undefined : JSON.stringify(body) });

async function person(server: TestServer, role: 'social_worker' | 'psychiatric_nurse', organisation: string) {
  const email = `expiry${++n}-${crypto.randomUUID().slice(0, 8)}@example.fi`;
  const { accountId } = await createUser(server.db, { email, name: `${role} ${n}`, role, organisation, password });
  return { accountId, cookie: await signIn(server.url, email, password) };
}

/** A case of OWNER with a professional of OTHER on its team under a consent valid through `validUntil`. */
async function sharedCase(server: TestServer, validUntil: string) {
  const worker = await person(server, 'social_worker', OWNER);
  const nurse = await person(server, 'psychiatric_nurse', OTHER);
  const caseId = await createCase(server.url, worker.cookie);
  const organisations = (await (await api(server.url, 'GET', '/api/organisations', worker.cookie)).json()) as Array<{ id: string; name: string }>;
  const consent = await api(server.url, 'POST', `/api/cases/${caseId}/consents`, worker.cookie, {
    basis: 'consent',
    organisationId: organisations.find((o) => o.name === OTHER)!.id,
    method: 'signed',
    scope: { parts: ['plan', 'wheel', 'network', 'path', 'meetings'], note: 'Aktiivisuussuunnitelma' },
    validUntil
  });
  expect(consent.status).toBe(201);
  const { id: consentId } = (await consent.json()) as { id: string };
  await addTeamMember(server.url, worker.cookie, caseId, nurse.accountId);
  return { worker, nurse, caseId, consentId };
}

function subscribe(url: string, cookie: string, caseId: string): Promise<Socket> {
  const socket = connectSocket(url, { transports: ['websocket'], extraHeaders: { cookie }, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.emit('case:subscribe', caseId, (result: AccessAck) => (result.ok ? resolve(socket) : reject(new Error(result.code))));
  });
}

async function expiryRows(db: Db, consentId: string) {
  const rows = await queries(db).selectFrom('audit_log').select(['action', 'details', 'account_id']).where('action', '=', 'consent_change').execute();
  return rows.filter((r) => r.details !== null && (JSON.parse(r.details) as { expired?: string }).expired === consentId);
}

/** Opens the nurse's Yjs connection and Socket.IO subscription; resolves what happens to them. */
async function openCase(url: string, cookie: string, caseId: string, clients: YjsClient[], sockets: Socket[]) {
  const yjs = connectYjs(url, caseRoom(caseId), cookie);
  clients.push(yjs);
  await yjs.synced;
  let closeCode = 0;
  yjs.provider.ws!.addEventListener('close', (event) => (closeCode ||= event.code));
  const socket = await subscribe(url, cookie, caseId);
  sockets.push(socket);
  let revoked = false;
  socket.once('case:revoked', () => (revoked = true));
  return { closeCode: () => closeCode, revoked: () => revoked };
}

const clients: YjsClient[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  for (const socket of sockets.splice(0)) socket.disconnect();
  setClockForTests(null);
});

describe.each(testDialects())('consent expiry on one instance on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer | null = null;

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('closes the organisation\'s connections at the Finnish midnight after the last day, audits it once and refuses the case', async () => {
    database = await createTestDatabase(dialect);
    setClockForTests(finnishWallTime(LAST_DAY, '23:50'));
    server = await startTestServer(dialect, { database });
    const { worker, nurse, caseId, consentId } = await sharedCase(server, LAST_DAY);
    const open = await openCase(server.url, nurse.cookie, caseId, clients, sockets);

    const midnight = finnishMidnight(addDays(LAST_DAY, 1)).getTime();
    setClockForTests(new Date(midnight - 1_500));
    // Still the last day: access lasts through it.
    expect((await api(server.url, 'GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(200);
    expect(open.closeCode()).toBe(0);

    await waitFor(() => open.revoked() && open.closeCode() === 4403, 6_000, 'both connections to close after midnight');
    expect((await api(server.url, 'GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(404);
    await waitFor(async () => (await expiryRows(server!.db, consentId)).length === 1, 2_000, 'the audit row');
    const [row] = await expiryRows(server.db, consentId);
    expect(row!.account_id).toBeNull();

    const consents = (await (await api(server.url, 'GET', `/api/cases/${caseId}/consents`, worker.cookie)).json()) as Array<{ id: string; active: boolean }>;
    expect(consents.find((c) => c.id === consentId)?.active).toBe(false);
    const team = (await (await api(server.url, 'GET', `/api/cases/${caseId}/team`, worker.cookie)).json()) as Array<{ accountId: string; active: boolean }>;
    expect(team.find((m) => m.accountId === nurse.accountId)?.active).toBe(false);

    // Later sweeps find nothing more to do.
    setClockForTests(new Date(midnight + 60_000));
    await server.stop();
    server = await startTestServer(dialect, { database });
    expect(await expiryRows(server.db, consentId)).toHaveLength(1);
  });

  it('refuses a last day that is over in Finland though not yet in UTC', async () => {
    // 01:30 in Finland on 2 March is still 1 March in UTC.
    setClockForTests('2027-03-01T23:30:00Z');
    server ??= await startTestServer(dialect, { database });
    const worker = await person(server, 'social_worker', OWNER);
    await person(server, 'psychiatric_nurse', OTHER);
    const caseId = await createCase(server.url, worker.cookie);
    const organisations = (await (await api(server.url, 'GET', '/api/organisations', worker.cookie)).json()) as Array<{ id: string; name: string }>;
    const record = (validUntil: string) =>
      api(server!.url, 'POST', `/api/cases/${caseId}/consents`, worker.cookie, {
        basis: 'consent',
        organisationId: organisations.find((o) => o.name === OTHER)!.id,
        method: 'signed',
        scope: { parts: ['plan', 'wheel', 'network', 'path', 'meetings'], note: 'Aktiivisuussuunnitelma' },
        validUntil
      });
    expect((await record('2027-03-01')).status).toBe(400);
    expect((await record('2027-03-02')).status).toBe(201);
  });

  it('processes at start a consent that ended while the server was down', async () => {
    setClockForTests(finnishWallTime(LAST_DAY, '12:00'));
    server ??= await startTestServer(dialect, { database });
    const { nurse, caseId, consentId } = await sharedCase(server, LAST_DAY);
    await server.stop();
    server = null;

    setClockForTests(finnishWallTime(addDays(LAST_DAY, 3), '08:00'));
    server = await startTestServer(dialect, { database });
    await waitFor(async () => (await expiryRows(server!.db, consentId)).length === 1, 5_000, 'the expiry to be processed at start');
    expect((await api(server.url, 'GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(404);
  });
});

describe('consent expiry on two instances with Redis and PostgreSQL', () => {
  let database: TestDatabase;
  let one: TestServer;
  let two: TestServer;

  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await database?.drop();
  });

  it('closes the connections on both instances at midnight and audits the expiry exactly once', async () => {
    database = await createTestDatabase('postgres');
    const env = { REDIS_URL, POLKU_REDIS_PREFIX: `polku-test-${crypto.randomUUID().slice(0, 8)}` };
    setClockForTests(finnishWallTime(LAST_DAY, '23:50'));
    one = await startTestServer('postgres', { database, env });
    two = await startTestServer('postgres', { database, env });
    const { nurse, caseId, consentId } = await sharedCase(one, LAST_DAY);
    const onOne = await openCase(one.url, nurse.cookie, caseId, clients, sockets);
    const onTwo = await openCase(two.url, nurse.cookie, caseId, clients, sockets);

    setClockForTests(new Date(finnishMidnight(addDays(LAST_DAY, 1)).getTime() - 1_500));
    expect((await api(two.url, 'GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(200);
    await waitFor(
      () => onOne.revoked() && onOne.closeCode() === 4403 && onTwo.revoked() && onTwo.closeCode() === 4403,
      6_000,
      'the connections on both instances to close after midnight'
    );
    expect((await api(one.url, 'GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(404);
    expect((await api(two.url, 'GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(404);
    await waitFor(async () => (await expiryRows(one.db, consentId)).length >= 1, 2_000, 'the audit row');
    // Both instances ran their sweep; one row.
    setClockForTests(new Date(finnishMidnight(addDays(LAST_DAY, 1)).getTime() + 5_000));
    await waitFor(async () => (await expiryRows(two.db, consentId)).length >= 1, 2_000, 'the row seen from the other instance');
    expect(await expiryRows(one.db, consentId)).toHaveLength(1);
  });
});
