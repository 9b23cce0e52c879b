import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signIn, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, upgradeStatus, waitFor } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

async function post(url: string, body: unknown, cookie = ''): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
}

describe.each(testDialects())('REST API and Socket.IO on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    await server.close();
  });

  it('sets up the first organisation and administrator once, then answers 409', async () => {
    const status = await (await fetch(`${server.url}/api/auth/status`)).json();
    expect(status).toEqual({ setupNeeded: true, signedIn: false });
    const body = { organisation: 'Kemin kaupunki', name: 'Anna Admin', email: 'Anna@Example.fi', password: 'correct horse battery' };
    const created = await post(`${server.url}/api/auth/setup`, body);
    expect(created.status).toBe(201);
    const cookie = created.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^polku_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const me = await (await fetch(`${server.url}/api/me`, { headers: { cookie: cookie.split(';')[0]! } })).json();
    expect(me).toMatchObject({ name: 'Anna Admin', email: 'anna@example.fi', role: 'admin', organisation: { name: 'Kemin kaupunki' } });
    const again = await post(`${server.url}/api/auth/setup`, { ...body, email: 'other@example.fi' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'setup_done' } });
  });

  it('answers a bad body with 400 naming the field, and changes nothing', async () => {
    const person = await signUp(server);
    const before = await (await fetch(`${server.url}/api/cases`, { headers: { cookie: person.cookie } })).json();
    const response = await post(`${server.url}/api/cases`, { displayName: '' }, person.cookie);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed', field: 'displayName' } });
    const malformed = await fetch(`${server.url}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: person.cookie },
      body: '{"displayName":'
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('bad_request');
    const short = await post(`${server.url}/api/auth/login`, { email: 'not-an-email', password: 'x' });
    expect(short.status).toBe(400);
    expect((await short.json()).error.field).toBe('email');
    const after = await (await fetch(`${server.url}/api/cases`, { headers: { cookie: person.cookie } })).json();
    expect(after).toEqual(before);
  });

  it('refuses a wrong password and unknown accounts alike', async () => {
    const person = await signUp(server);
    const wrong = await post(`${server.url}/api/auth/login`, { email: person.email, password: 'not the password' });
    const unknown = await post(`${server.url}/api/auth/login`, { email: 'nobody@example.fi', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('creates, lists and opens cases of the team only: 404 for unknown and for foreign cases alike', async () => {
    const worker = await signUp(server, { organisation: 'Kemi' });
    const colleague = await signUp(server, { organisation: 'Kemi', role: 'observer' });
    const stranger = await signUp(server, { organisation: 'Tornio' });
    const id = await createCase(server.url, worker.cookie, 'Matti M.');
    await addTeamMember(server.url, worker.cookie, id, colleague.accountId, { caseRole: 'observer', access: 'view' });

    const own = await fetch(`${server.url}/api/cases/${id}`, { headers: { cookie: worker.cookie } });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id, displayName: 'Matti M.', access: 'edit', canManage: true });
    const viewed = await (await fetch(`${server.url}/api/cases/${id}`, { headers: { cookie: colleague.cookie } })).json();
    expect(viewed.access).toBe('view');
    expect((await fetch(`${server.url}/api/cases/${id}`, { headers: { cookie: stranger.cookie } })).status).toBe(404);
    expect((await fetch(`${server.url}/api/cases/${crypto.randomUUID()}`, { headers: { cookie: worker.cookie } })).status).toBe(404);
    expect((await fetch(`${server.url}/api/cases/not-a-uuid`, { headers: { cookie: worker.cookie } })).status).toBe(400);

    const strangersList = (await (await fetch(`${server.url}/api/cases`, { headers: { cookie: stranger.cookie } })).json()) as Array<{ id: string }>;
    expect(strangersList.map((c) => c.id)).not.toContain(id);
    expect((await post(`${server.url}/api/cases`, { displayName: 'Ei saa' }, colleague.cookie)).status).toBe(403);
  });

  it('refuses cross-site form posts and non-JSON bodies, and changes nothing', async () => {
    const person = await signUp(server);
    const before = await (await fetch(`${server.url}/api/cases`, { headers: { cookie: person.cookie } })).json();
    const crossSite = await fetch(`${server.url}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: person.cookie },
      body: 'displayName=hijacked'
    });
    expect(crossSite.status).toBe(403);
    const textPlain = await fetch(`${server.url}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie: person.cookie },
      body: JSON.stringify({ displayName: 'hijacked' })
    });
    expect(textPlain.status).toBe(403);
    const sameOriginText = await fetch(`${server.url}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: server.url, cookie: person.cookie },
      body: JSON.stringify({ displayName: 'not json by type' })
    });
    expect(sameOriginText.status).toBe(400);
    const tooBig = await post(`${server.url}/api/cases`, { displayName: 'x'.repeat(70 * 1024) }, person.cookie);
    expect(tooBig.status).toBe(413);
    expect(await (await fetch(`${server.url}/api/cases`, { headers: { cookie: person.cookie } })).json()).toEqual(before);
  });

  it('sends security headers and never lets client data be cached', async () => {
    const response = await fetch(`${server.url}/api/auth/status`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('requires a session for every case route', async () => {
    expect((await fetch(`${server.url}/api/me`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/cases`)).status).toBe(401);
    expect((await post(`${server.url}/api/cases`, { displayName: 'x' })).status).toBe(401);
    expect((await fetch(`${server.url}/api/cases/${crypto.randomUUID()}`)).status).toBe(401);
  });

  it('refuses the Socket.IO handshake without a session and accepts it with one', async () => {
    const person = await signUp(server);
    const refused = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    expect(refused.status).toBe(403);
    expect(await upgradeStatus(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`)).toBe(401);
    expect(
      await upgradeStatus(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { cookie: person.cookie, origin: 'https://evil.example' })
    ).toBe(403);

    const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie: person.cookie } });
    try {
      const answer = await new Promise<{ at: string }>((resolve, reject) => {
        socket.once('connect_error', reject);
        socket.emit('session:ping', resolve);
      });
      expect(Date.parse(answer.at)).not.toBeNaN();
    } finally {
      socket.disconnect();
    }
  });

  it('signing out ends the session and closes its live sockets', async () => {
    const person = await signUp(server);
    const room = caseRoom(await createCase(server.url, person.cookie));
    const yjs = connectYjs(server.url, room, person.cookie);
    await yjs.synced;
    const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie: person.cookie } });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ended = new Promise((resolve) => socket.once('session:ended', resolve));
    let closeCode = 0;
    yjs.provider.ws!.addEventListener('close', (event) => (closeCode = event.code));

    expect((await post(`${server.url}/api/auth/logout`, {}, person.cookie)).status).toBe(200);
    expect(await ended).toEqual({ reason: 'signed_out' });
    await waitFor(() => closeCode === 4401, 1_000, 'yjs socket closed');
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: person.cookie } })).status).toBe(401);
    yjs.destroy();
    socket.disconnect();
    // Signing in again gives a new session token.
    expect(await signIn(server.url, person.email, person.password)).not.toBe(person.cookie);
  });
});

describe.each(testDialects())('live sessions on %s', (dialect) => {
  it('closes the sockets of a session that was ended in the database', async () => {
    const server = await startTestServer(dialect, { env: { POLKU_SESSION_SWEEP_MS: '100' } });
    try {
      const person = await signUp(server);
      const room = caseRoom(await createCase(server.url, person.cookie));
      const yjs = connectYjs(server.url, room, person.cookie);
      await yjs.synced;
      let closeCode = 0;
      yjs.provider.ws!.addEventListener('close', (event) => (closeCode = event.code));
      await queries(server.db).deleteFrom('sessions').where('account_id', '=', person.accountId).execute();
      await waitFor(() => closeCode === 4401, 2_000, 'socket closed by the sweep');
      yjs.destroy();
    } finally {
      await server.close();
    }
  });
});
