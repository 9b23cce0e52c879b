import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTitle } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

describe.each(testDialects())('operations endpoints on %s', (dialect) => {
  let server: TestServer;
  const logged: Array<Record<string, unknown>> = [];
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    }
  });
  beforeAll(async () => {
    server = await startTestServer(dialect, { logger: pino({ level: 'info' }, lines), env: { POLKU_TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('says the process is up and the database ready', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok' });
  });

  it('exposes Prometheus metrics for connections, loaded rooms, stored updates and commit time', async () => {
    const person = await signUp(server);
    const client = connectYjs(server.url, caseRoom(await createCase(server.url, person.cookie)), person.cookie);
    await client.synced;
    planTitle(client.doc).insert(0, 'mittari');
    await waitFor(() => client.savedClock() >= client.localClock(), 2_000, 'saved');
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^polku_sync_connections 1$/m);
    expect(text).toMatch(/^polku_rooms_loaded 1$/m);
    expect(Number(/^polku_updates_stored_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^polku_commit_seconds_count \d+$/m);
    expect(text).toMatch(/polku_nodejs_eventloop_lag_seconds/);
    expect(text).toMatch(/^polku_persistence_lag_seconds_count [1-9]\d*$/m);
    client.destroy();
  });

  it('logs each request as one JSON line with a request id and the route pattern, never the path itself', async () => {
    const person = await signUp(server);
    const caseId = await createCase(server.url, person.cookie);
    const response = await fetch(`${server.url}/api/cases/${caseId}?secret=token123`, { headers: { cookie: person.cookie, 'x-request-id': 'proxy-given-id' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('proxy-given-id');
    const ownId = (await fetch(`${server.url}/api/auth/status`)).headers.get('x-request-id');
    expect(ownId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => logged.some((l) => l.reqId === ownId), 2_000, 'the log line');
    const line = logged.find((l) => l.reqId === 'proxy-given-id');
    expect(line).toMatchObject({ method: 'GET', route: '/api/cases/:id', status: 200, msg: 'request' });
    const everything = JSON.stringify(logged);
    expect(everything).not.toContain(caseId);
    expect(everything).not.toContain('token123');
    expect(everything).not.toContain(person.email);
    expect(everything).not.toContain(person.cookie.split('=')[1]);
  });

  it('behind the proxy, refuses /metrics to forwarded requests and audits the address the proxy saw', async () => {
    const forwarded = await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(forwarded.status).toBe(403);
    const person = await signUp(server);
    const response = await fetch(`${server.url}/api/cases`, {
      method: 'POST',
      headers: { cookie: person.cookie, 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9, 203.0.113.7' },
      body: JSON.stringify({ displayName: 'Välityspalvelin' })
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const row = await queries(server.db).selectFrom('audit_log').select('ip').where('case_id', '=', id).where('action', '=', 'case_created').executeTakeFirstOrThrow();
    expect(row.ip).toBe('203.0.113.7');
  });
});
