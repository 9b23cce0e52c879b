import { sql } from 'kysely';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/services/auth-service.js';
import { caseRoom } from '../../shared/rooms.js';
import type { AccessAck } from '../../shared/socket-events.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signIn, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

const password = 'access test password';

describe.each(testDialects())('multi-agency access on %s', (dialect) => {
  let server: TestServer;
  let n = 0;

  const api = (method: string, path: string, cookie: string, body?: unknown) =>
    fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });

  async function person(role: Parameters<typeof createUser>[1]['role'], organisation: string) {
    const email = `a${++n}@example.fi`;
    const { accountId } = await createUser(server.db, { email, name: `${role} ${n}`, role, organisation, password });
    return { accountId, email, cookie: await signIn(server.url, email, password) };
  }

  async function organisationId(name: string, cookie: string): Promise<string> {
    const list = (await (await api('GET', '/api/organisations', cookie)).json()) as Array<{ id: string; name: string }>;
    return list.find((o) => o.name === name)!.id;
  }

  function subscribe(cookie: string, caseId: string): Promise<Socket> {
    const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie } });
    return new Promise((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.emit('case:subscribe', caseId, (result: AccessAck) => (result.ok ? resolve(socket) : reject(new Error(result.code))));
    });
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    await server.close();
  });

  it('needs a consent to add a member from another organisation, and withdrawing it cuts their live sockets within a second', async () => {
    const worker = await person('social_worker', 'Kemi');
    const nurse = await person('psychiatric_nurse', 'Länsi-Pohjan hyvinvointialue');
    const caseId = await createCase(server.url, worker.cookie);

    const refused = await api('POST', `/api/cases/${caseId}/team`, worker.cookie, { accountId: nurse.accountId, caseRole: 'member', access: 'edit' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.code).toBe('consent_required');
    expect((await api('GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(404);

    const consent = await api('POST', `/api/cases/${caseId}/consents`, worker.cookie, {
      basis: 'consent',
      organisationId: await organisationId('Länsi-Pohjan hyvinvointialue', worker.cookie),
      method: 'oral_meeting',
      scope: { parts: ['plan', 'wheel', 'network', 'path', 'meetings'], note: 'Aktiivisuussuunnitelma ja verkostopalaverit' },
      validUntil: '2099-12-31'
    });
    expect(consent.status).toBe(201);
    const { id: consentId } = (await consent.json()) as { id: string };
    await addTeamMember(server.url, worker.cookie, caseId, nurse.accountId);
    expect((await api('GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(200);

    const yjs = connectYjs(server.url, caseRoom(caseId), nurse.cookie);
    await yjs.synced;
    const socket = await subscribe(nurse.cookie, caseId);
    let yjsClosedAt = 0;
    yjs.provider.ws!.addEventListener('close', () => (yjsClosedAt = Date.now()));
    const revoked = new Promise<number>((resolve) => socket.once('case:revoked', () => resolve(Date.now())));

    const start = Date.now();
    expect((await api('POST', `/api/cases/${caseId}/consents/${consentId}/withdraw`, worker.cookie)).status).toBe(200);
    expect((await revoked) - start).toBeLessThan(1_000);
    await waitFor(() => yjsClosedAt > 0, 1_000, 'the Yjs connection to close');
    expect(yjsClosedAt - start).toBeLessThan(1_000);
    yjs.destroy();
    socket.disconnect();

    // The nurse can no longer learn that the case exists.
    expect((await api('GET', `/api/cases/${caseId}`, nurse.cookie)).status).toBe(404);
    const list = (await (await api('GET', '/api/cases', nurse.cookie)).json()) as Array<{ id: string }>;
    expect(list.map((c) => c.id)).not.toContain(caseId);
    const team = (await (await api('GET', `/api/cases/${caseId}/team`, worker.cookie)).json()) as Array<{ accountId: string; active: boolean }>;
    expect(team.find((m) => m.accountId === nurse.accountId)?.active).toBe(false);
  });

  it('removing a member closes their live sockets to the case within a second', async () => {
    const worker = await person('social_worker', 'Kemi');
    const coach = await person('coach', 'Kemi');
    const caseId = await createCase(server.url, worker.cookie);
    await addTeamMember(server.url, worker.cookie, caseId, coach.accountId);
    const yjs = connectYjs(server.url, caseRoom(caseId), coach.cookie);
    await yjs.synced;
    const socket = await subscribe(coach.cookie, caseId);
    let closeCode = 0;
    yjs.provider.ws!.addEventListener('close', (event) => (closeCode = event.code));
    const revoked = new Promise((resolve) => socket.once('case:revoked', resolve));
    const start = Date.now();
    expect((await api('DELETE', `/api/cases/${caseId}/team/${coach.accountId}`, worker.cookie)).status).toBe(200);
    await revoked;
    await waitFor(() => closeCode === 4403, 1_000, 'the Yjs connection to close with 4403');
    expect(Date.now() - start).toBeLessThan(1_000);
    yjs.destroy();
    socket.disconnect();
  });

  it('hands the responsible role over in one step and keeps exactly one responsible person', async () => {
    const worker = await person('social_worker', 'Kemi');
    const other = await person('social_worker', 'Kemi');
    const caseId = await createCase(server.url, worker.cookie);
    await addTeamMember(server.url, worker.cookie, caseId, other.accountId);
    expect((await api('POST', `/api/cases/${caseId}/team/${other.accountId}/responsible`, worker.cookie)).status).toBe(200);
    const team = (await (await api('GET', `/api/cases/${caseId}/team`, other.cookie)).json()) as Array<{ accountId: string; caseRole: string }>;
    expect(team.filter((m) => m.caseRole === 'responsible').map((m) => m.accountId)).toEqual([other.accountId]);
    // The former responsible person is now a member and may no longer manage the team.
    expect((await api('POST', `/api/cases/${caseId}/team/${worker.accountId}/responsible`, worker.cookie)).status).toBe(403);
  });

  it('audits views and edit sessions with their update counts, and the database refuses to change the log', async () => {
    const worker = await person('social_worker', 'Kemi');
    const caseId = await createCase(server.url, worker.cookie);
    await api('GET', `/api/cases/${caseId}`, worker.cookie);
    const yjs = connectYjs(server.url, caseRoom(caseId), worker.cookie);
    await yjs.synced;
    yjs.doc.getText('notes').insert(0, 'a');
    yjs.doc.getText('notes').insert(1, 'b');
    await waitFor(() => yjs.savedClock() >= yjs.localClock(), 2_000, 'saved');
    yjs.destroy();
    await waitFor(
      async () => (await queries(server.db).selectFrom('audit_log').select('id').where('case_id', '=', caseId).where('action', '=', 'edit_session_closed').execute()).length === 1,
      2_000,
      'the closing audit row'
    );
    const rows = await queries(server.db).selectFrom('audit_log').selectAll().where('case_id', '=', caseId).orderBy('at').execute();
    expect(rows.map((r) => r.action)).toEqual(['case_created', 'case_view', 'edit_session_opened', 'edit_session_closed']);
    expect(JSON.parse(rows[3]!.details!)).toMatchObject({ updates: 2 });
    expect(rows.every((r) => r.account_id === worker.accountId && r.ip)).toBe(true);

    await expect(sql`UPDATE audit_log SET action = 'nothing' WHERE case_id = ${caseId}`.execute(queries(server.db))).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE case_id = ${caseId}`.execute(queries(server.db))).rejects.toThrow(/append-only/);
    expect(await queries(server.db).selectFrom('audit_log').select('id').where('case_id', '=', caseId).execute()).toHaveLength(4);
  });

  it("exports a case's audit log as CSV for the owning organisation's coordinator", async () => {
    const worker = await person('social_worker', 'Kemi');
    const coordinator = await person('coordinator', 'Kemi');
    const caseId = await createCase(server.url, worker.cookie);
    await api('GET', `/api/cases/${caseId}`, worker.cookie);
    const response = await api('GET', `/api/audit/cases/${caseId}/csv`, coordinator.cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    const csv = await response.text();
    expect(csv.split('\n')[0]).toBe('time,action,person,organisation,ip,details');
    expect(csv).toContain('case_view');
    const filtered = (await (await api('GET', `/api/audit?caseId=${caseId}&action=audit_export`, coordinator.cookie)).json()) as Array<{ action: string }>;
    expect(filtered.map((r) => r.action)).toEqual(['audit_export']);
  });

  it('throttles sign-in after five failures for one account, even with the right password', async () => {
    const worker = await person('social_worker', 'Kemi');
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', '/api/auth/login', '', { email: worker.email, password: 'wrong password!' });
      expect(r.status).toBe(401);
    }
    const throttled = await api('POST', '/api/auth/login', '', { email: worker.email, password });
    expect(throttled.status).toBe(429);
    const failures = await queries(server.db).selectFrom('audit_log').select('id').where('action', '=', 'sign_in_failed').where('account_id', '=', worker.accountId).execute();
    expect(failures).toHaveLength(5);
  });

  it('invites a person by a one-time link, and deactivation ends their sessions and live sockets at once', async () => {
    const admin = await person('admin', 'Sairaala');
    const invitation = await api('POST', '/api/admin/invitations', admin.cookie, { email: 'Uusi.Hoitaja@example.fi', name: 'Uusi Hoitaja', role: 'psychiatric_nurse' });
    expect(invitation.status).toBe(201);
    const { token, path } = (await invitation.json()) as { token: string; path: string };
    expect(path).toBe(`/invite/${token}`);
    expect(await (await api('GET', `/api/invitations/${token}`, '')).json()).toMatchObject({ kind: 'invite', email: 'uusi.hoitaja@example.fi', organisation: 'Sairaala' });
    const tooShort = await api('POST', `/api/invitations/${token}/accept`, '', { password: 'short' });
    expect(tooShort.status).toBe(400);
    const accepted = await api('POST', `/api/invitations/${token}/accept`, '', { password });
    expect(accepted.status).toBe(200);
    expect((await api('POST', `/api/invitations/${token}/accept`, '', { password })).status).toBe(410);

    const nurseCookie = await signIn(server.url, 'uusi.hoitaja@example.fi', password);
    const me = (await (await api('GET', '/api/me', nurseCookie)).json()) as { id: string; role: string };
    expect(me.role).toBe('psychiatric_nurse');
    const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie: nurseCookie } });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ended = new Promise((resolve) => socket.once('session:ended', resolve));
    expect((await api('POST', `/api/admin/accounts/${me.id}/deactivate`, admin.cookie)).status).toBe(200);
    expect(await ended).toEqual({ reason: 'revoked' });
    expect((await api('GET', '/api/me', nurseCookie)).status).toBe(401);
    expect((await api('POST', '/api/auth/login', '', { email: 'uusi.hoitaja@example.fi', password })).status).toBe(401);
    socket.disconnect();

    // A reset link sets a new password and works once.
    await api('POST', `/api/admin/accounts/${me.id}/reactivate`, admin.cookie);
    const reset = (await (await api('POST', `/api/admin/accounts/${me.id}/reset-password`, admin.cookie)).json()) as { token: string };
    expect((await api('POST', `/api/invitations/${reset.token}/accept`, '', { password: 'a brand new password' })).status).toBe(200);
    expect(await signIn(server.url, 'uusi.hoitaja@example.fi', 'a brand new password')).toMatch(/^polku_session=/);
  });
});

describe.each(testDialects())('audit filters on %s', (dialect) => {
  it('filters by instants, so a day in the reader’s own time zone selects exactly that day', async () => {
    const server = await startTestServer(dialect);
    try {
      const { accountId } = await createUser(server.db, { email: 'k@example.fi', name: 'Koordinaattori', role: 'coordinator', organisation: 'Kemi', password });
      const cookie = await signIn(server.url, 'k@example.fi', password);
      const org = (await queries(server.db).selectFrom('accounts').select('organisation_id').where('id', '=', accountId).executeTakeFirstOrThrow()).organisation_id;
      for (const at of ['2026-11-24T21:59:00.000Z', '2026-11-24T22:01:00.000Z', '2026-11-25T21:59:00.000Z', '2026-11-25T22:01:00.000Z']) {
        await queries(server.db).insertInto('audit_log').values({ id: crypto.randomUUID(), at, account_id: accountId, organisation_id: org, case_id: null, action: 'print', details: null, ip: null, user_agent: null }).execute();
      }
      // 25 November in Helsinki (UTC+2) is 24.11. 22:00Z – 25.11. 22:00Z.
      const query = new URLSearchParams({ action: 'print', from: '2026-11-24T22:00:00.000Z', to: '2026-11-25T22:00:00.000Z' });
      const rows = (await (await fetch(`${server.url}/api/audit?${query}`, { headers: { cookie } })).json()) as Array<{ at: string }>;
      expect(rows.map((r) => r.at).sort()).toEqual(['2026-11-24T22:01:00.000Z', '2026-11-25T21:59:00.000Z']);
      const bad = await fetch(`${server.url}/api/audit?from=yesterday`, { headers: { cookie } });
      expect(bad.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
