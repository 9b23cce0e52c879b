import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTitle } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';

describe.each(testDialects())('operations endpoints on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
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
    client.destroy();
  });
});
