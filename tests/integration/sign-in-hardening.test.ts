import { io as connectSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queries } from '../../server/db/kysely.js';
import { nowMs, setClockForTests } from '../../server/db/time.js';
import { createUser } from '../../server/services/auth-service.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { createCase, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';

const password = 'sign-in hardening password';
const wrong = 'not the right password';

describe.each(testDialects())('sign-in and links hardened against abuse on %s', (dialect) => {
  let server: TestServer;
  let n = 0;

  beforeAll(async () => {
    // Behind our own proxy: each request says its address in X-Forwarded-For.
    server = await startTestServer(dialect, { env: { POLKU_TRUST_PROXY: 'true', POLKU_MAX_SESSIONS_PER_ACCOUNT: '3' } });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => setClockForTests(null));

  async function person(role: 'social_worker' | 'admin' = 'social_worker') {
    const email = `h${++n}-${crypto.randomUUID().slice(0, 6)}@example.fi`;
    const { accountId } = await createUser(server.db, { email, name: `Henkilö ${n}`, role, organisation: 'Kemi', password });
    return { email, accountId };
  }

  /** A request from `address`, with the cookies given; answers with the status, Retry-After and the cookies set. */
  async function send(method: string, path: string, address: string, body?: unknown, cookies: string[] = []) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address, cookie: cookies.join('; ') },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const set = response.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : null,
      session: set.find((c) => c.startsWith('polku_session=')),
      device: set.find((c) => c.startsWith('polku_device='))
    };
  }

  const login = (email: string, pw: string, address: string, cookies: string[] = []) => send('POST', '/api/auth/login', address, { email, password: pw }, cookies);

  const failedRows = (email: string) =>
    queries(server.db).selectFrom('audit_log').select('id').where('action', '=', 'sign_in_failed').where('details', '=', JSON.stringify({ email })).execute();

  it('an attacker failing from elsewhere never keeps the right password out, and gets growing delays with Retry-After', async () => {
    const victim = await person();
    const attacker = '203.0.113.66';
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await login(victim.email, wrong, attacker));
    // The victim, from their own address, with no device cookie: straight in.
    const signedIn = await login(victim.email, password, '198.51.100.7');
    expect(signedIn.status).toBe(200);
    expect(signedIn.session).toMatch(/^polku_session=/);

    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(answers[5]!.body?.error?.code).toBe('too_many_requests');
    expect(answers[5]!.body?.error?.message).toMatch(/try again in \d+ seconds/);
    expect(Number(answers[5]!.retryAfter)).toBeGreaterThan(0);
    expect(Number(answers[5]!.retryAfter)).toBeLessThanOrEqual(30);

    // The attacker's delay doubles: after 30 s one more try, then a minute.
    setClockForTests(new Date(nowMs() + 31_000));
    expect((await login(victim.email, wrong, attacker)).status).toBe(401);
    const longer = await login(victim.email, wrong, attacker);
    expect(longer.status).toBe(429);
    expect(Number(longer.retryAfter)).toBeGreaterThan(30);
    expect(Number(longer.retryAfter)).toBeLessThanOrEqual(60);
    setClockForTests(new Date(nowMs() + 61_000));
    // The right password clears the pair's count: the next mistake is free again.
    expect((await login(victim.email, password, attacker)).status).toBe(200);
    expect((await login(victim.email, wrong, attacker)).status).toBe(401);
    // Every password check is audited; a refusal before the check is not one.
    expect(await failedRows(victim.email)).toHaveLength(7);
  });

  it('an office behind one NAT: a flood of failures from its address keeps out new devices, never a known device with the right password', async () => {
    const office = '192.0.2.10';
    const colleague = await person();
    const first = await login(colleague.email, password, office);
    expect(first.status).toBe(200);
    expect(first.device).toMatch(/^polku_device=/);

    // Someone in the same office (or behind the same NAT) tries the colleague's account, then many others.
    const onColleague: number[] = [];
    for (let i = 0; i < 6; i++) onColleague.push((await login(colleague.email, wrong, office)).status);
    expect(onColleague).toEqual([401, 401, 401, 401, 401, 429]);
    const statuses: number[] = [];
    for (let i = 0; i < 27; i++) statuses.push((await login(`nobody${i}-${n}@example.fi`, wrong, office)).status);
    // Thirty failures from one address are free (five were on the colleague's account), then it waits.
    expect(statuses.slice(0, 25).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(25)).toEqual([429, 429]);

    // A device never seen before, even with the right password: the address's bound holds.
    const newcomer = await person();
    const refused = await login(newcomer.email, password, office);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // The colleague's browser is a known device: in, with the right password.
    const again = await login(colleague.email, password, office, [first.device!]);
    expect(again.status).toBe(200);
    // A known device still needs the password, and a device cookie of one account opens nothing for another.
    expect((await login(colleague.email, wrong, office, [first.device!])).status).toBe(401);
    expect((await login(newcomer.email, password, office, [first.device!])).status).toBe(429);
    // A forged device cookie is an unknown device.
    expect((await login(colleague.email, password, office, ['polku_device=' + 'A'.repeat(43)])).status).toBe(429);
  });

  it('forty concurrent wrong passwords get exactly the allowed number of password checks', async () => {
    const victim = await person();
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(victim.email, wrong, '203.0.113.40')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(await failedRows(victim.email)).toHaveLength(5);

    // And forty accounts tried at once from one address: exactly the address's allowance is checked.
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`race${i}-${n}@example.fi`, wrong, '203.0.113.41')));
    expect(many.filter((a) => a.status === 401)).toHaveLength(30);
    expect(many.filter((a) => a.status === 429)).toHaveLength(10);
  });

  it('caps the live sessions per account: signing in beyond it ends the oldest session and closes its sockets', async () => {
    const worker = await person();
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) sessions.push((await login(worker.email, password, '198.51.100.20')).session!);
    const oldest = sessions[0]!;
    const room = caseRoom(await createCase(server.url, oldest));
    const yjs = connectYjs(server.url, room, oldest);
    await yjs.synced;
    let closeCode = 0;
    yjs.provider.ws!.addEventListener('close', (event) => (closeCode = event.code));
    const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie: oldest } });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let ended: unknown = null;
    socket.once('session:ended', (reason: unknown) => (ended = reason));

    const fourth = await login(worker.email, password, '198.51.100.20');
    expect(fourth.status).toBe(200);
    await waitFor(() => ended !== null, 2_000, 'the oldest session\'s Socket.IO connection told its session ended');
    expect(ended).toEqual({ reason: 'signed_out' });
    await waitFor(() => closeCode === 4401, 2_000, 'the oldest session\'s Yjs socket closed');
    yjs.destroy();
    socket.disconnect();
    expect((await send('GET', '/api/me', '198.51.100.20', undefined, [oldest])).status).toBe(401);
    for (const cookie of [...sessions.slice(1), fourth.session!]) expect((await send('GET', '/api/me', '198.51.100.20', undefined, [cookie])).status).toBe(200);
    const live = await queries(server.db).selectFrom('sessions').select('id').where('account_id', '=', worker.accountId).execute();
    expect(live).toHaveLength(3);
  });

  describe('reset and invitation links', () => {
    async function adminWithCookie() {
      const admin = await person('admin');
      return (await login(admin.email, password, '198.51.100.30')).session!;
    }

    it('throttles wrong tokens per address, without keeping other addresses out', async () => {
      const admin = await adminWithCookie();
      const invitation = await send('POST', '/api/admin/invitations', '198.51.100.30', { email: `kutsu${n}@example.fi`, name: 'Kutsuttu', role: 'social_worker' }, [admin]);
      const { token } = invitation.body as unknown as { token: string };
      const guesser = '203.0.113.77';
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await send('GET', `/api/invitations/${'x'.repeat(20)}${i}`, guesser)).status);
      expect(statuses).toEqual([...Array(10).fill(410), 429, 429]);
      const refused = await send('POST', `/api/invitations/${token}/accept`, guesser, { password });
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      // The invited person, elsewhere, is not held up.
      expect((await send('GET', `/api/invitations/${token}`, '198.51.100.31')).status).toBe(200);
      expect((await send('POST', `/api/invitations/${token}/accept`, '198.51.100.31', { password })).status).toBe(200);
    });

    it('a link works once, even when used twice at the same moment', async () => {
      const admin = await adminWithCookie();
      const invitation = await send('POST', '/api/admin/invitations', '198.51.100.30', { email: `kerran${n}@example.fi`, name: 'Kerran', role: 'social_worker' }, [admin]);
      const { token } = invitation.body as unknown as { token: string };
      const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => send('POST', `/api/invitations/${token}/accept`, `198.51.100.4${i}`, { password })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410]);
      expect((await send('GET', `/api/invitations/${token}`, '198.51.100.45')).status).toBe(410);
    });

    it('setting a password through a reset link voids every other reset link of the account', async () => {
      const admin = await adminWithCookie();
      const worker = await person();
      const reset = async () => {
        const r = await send('POST', `/api/admin/accounts/${worker.accountId}/reset-password`, '198.51.100.30', undefined, [admin]);
        expect(r.status).toBe(201);
        return (r.body as unknown as { token: string }).token;
      };
      const older = await reset();
      const newer = await reset();
      expect((await send('POST', `/api/invitations/${newer}/accept`, '198.51.100.50', { password: 'the new password of mine' })).status).toBe(200);
      expect((await send('GET', `/api/invitations/${older}`, '198.51.100.50')).status).toBe(410);
      expect((await send('POST', `/api/invitations/${older}/accept`, '198.51.100.51', { password: 'someone else took over' })).status).toBe(410);
      expect((await login(worker.email, 'the new password of mine', '198.51.100.50')).status).toBe(200);
    });

    it('a link expires after seven days', async () => {
      const admin = await adminWithCookie();
      const invitation = await send('POST', '/api/admin/invitations', '198.51.100.30', { email: `vanha${n}@example.fi`, name: 'Vanha', role: 'social_worker' }, [admin]);
      const { token } = invitation.body as unknown as { token: string };
      setClockForTests(new Date(nowMs() + 7 * 24 * 3_600_000 + 60_000));
      expect((await send('GET', `/api/invitations/${token}`, '198.51.100.60')).status).toBe(410);
      expect((await send('POST', `/api/invitations/${token}/accept`, '198.51.100.60', { password })).status).toBe(410);
    });
  });
});
