import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../../server/repositories/documents.js';
import { planNotes, planTitle } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, upgradeStatus, waitFor, type YjsClient } from '../helpers/yjs-client.js';

/** A real store whose operations can be made to fail or to be slow, to simulate a sick database. */
function faultyStore(faults: { failAppend: boolean; failLoad: boolean; loadDelayMs: number; appends: number }) {
  return (store: DocumentStore): DocumentStore => ({
    async load(name) {
      if (faults.loadDelayMs) await new Promise((resolve) => setTimeout(resolve, faults.loadDelayMs));
      if (faults.failLoad) throw new Error('simulated load failure');
      return store.load(name);
    },
    async append(rows) {
      faults.appends++;
      if (faults.failAppend) throw new Error('simulated write failure');
      return store.append(rows);
    },
    compact: (name) => store.compact(name),
    adopt: (name, updates, accountId) => store.adopt(name, updates, accountId)
  });
}

describe.each(testDialects())('storage faults on %s', (dialect) => {
  let server: TestServer | null = null;
  const clients: YjsClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server?.close();
    server = null;
  });

  it('keeps edits in memory and retries when the database write fails, telling nobody "saved" meanwhile', async () => {
    const faults = { failAppend: false, failLoad: false, loadDelayMs: 0, appends: 0 };
    server = await startTestServer(dialect, { wrapStore: faultyStore(faults), env: { POLKU_UNLOAD_AFTER_MS: '100' } });
    const person = await signUp(server);
    const room = caseRoom(await createCase(server.url, person.cookie));
    const a = connectYjs(server.url, room, person.cookie);
    clients.push(a);
    await a.synced;

    faults.failAppend = true;
    const appendsBefore = faults.appends;
    planNotes(a.doc).insert(0, 'kirjoitettu kun tietokanta oli rikki');
    await waitFor(() => faults.appends >= appendsBefore + 3, 3_000, 'retries');
    expect(a.savedClock()).toBeLessThan(a.localClock());

    // The document stays in memory: another client sees the edit, and the room is not unloaded.
    const b = connectYjs(server.url, room, person.cookie);
    clients.push(b);
    await b.synced;
    expect(planNotes(b.doc).toString()).toBe('kirjoitettu kun tietokanta oli rikki');
    b.destroy();
    a.destroy();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.registry.peek(room)).toBeDefined();

    faults.failAppend = false;
    await waitFor(() => server!.registry.peek(room) === undefined, 5_000, 'stored and unloaded after recovery');
    const c = connectYjs(server.url, room, person.cookie);
    clients.push(c);
    await c.synced;
    expect(planNotes(c.doc).toString()).toBe('kirjoitettu kun tietokanta oli rikki');
  });

  it('says "saved" once the write succeeds after a failure', async () => {
    const faults = { failAppend: true, failLoad: false, loadDelayMs: 0, appends: 0 };
    server = await startTestServer(dialect, { wrapStore: faultyStore(faults) });
    const person = await signUp(server);
    const room = caseRoom(await createCase(server.url, person.cookie));
    const a = connectYjs(server.url, room, person.cookie);
    clients.push(a);
    await a.synced;
    planTitle(a.doc).insert(0, 'otsikko');
    await waitFor(() => faults.appends >= 2, 3_000, 'a failed attempt');
    expect(a.savedClock()).toBeLessThan(a.localClock());
    faults.failAppend = false;
    await waitFor(() => a.savedClock() >= a.localClock(), 5_000, 'saved after recovery');
  });

  it('refuses the connection when the load fails and never overwrites the stored document', async () => {
    const faults = { failAppend: false, failLoad: false, loadDelayMs: 0, appends: 0 };
    server = await startTestServer(dialect, { wrapStore: faultyStore(faults), env: { POLKU_UNLOAD_AFTER_MS: '50' } });
    const person = await signUp(server);
    const room = caseRoom(await createCase(server.url, person.cookie));
    const a = connectYjs(server.url, room, person.cookie);
    clients.push(a);
    await a.synced;
    planNotes(a.doc).insert(0, 'tallessa');
    await waitFor(() => a.savedClock() >= a.localClock(), 3_000, 'saved');
    a.destroy();
    await waitFor(() => server!.registry.peek(room) === undefined, 3_000, 'unload');

    faults.failLoad = true;
    const appendsBefore = faults.appends;
    expect(await upgradeStatus(`${server.url.replace('http', 'ws')}/yjs/${room}`, { cookie: person.cookie })).toBe(503);
    // A client whose connection is refused keeps its own edits; the server stores nothing meanwhile.
    const b = connectYjs(server.url, room, person.cookie);
    clients.push(b);
    planNotes(b.doc).insert(0, 'offline edit ');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(faults.appends).toBe(appendsBefore);

    faults.failLoad = false;
    await b.synced;
    await waitFor(() => planNotes(b.doc).toString().includes('tallessa'), 3_000, 'content after recovery');
    expect([...planNotes(b.doc).toString()].sort().join('')).toBe([...'offline edit tallessa'].sort().join(''));
  });

  it('loads a document once and gives all twenty clients connecting during a slow load the full content', async () => {
    const faults = { failAppend: false, failLoad: false, loadDelayMs: 0, appends: 0 };
    server = await startTestServer(dialect, { wrapStore: faultyStore(faults), env: { POLKU_UNLOAD_AFTER_MS: '50' } });
    const person = await signUp(server, {});
    const room = caseRoom(await createCase(server.url, person.cookie));
    const writer = connectYjs(server.url, room, person.cookie);
    await writer.synced;
    for (let i = 0; i < 200; i++) planNotes(writer.doc).insert(planNotes(writer.doc).length, `rivi ${i}\n`);
    const expected = planNotes(writer.doc).toString();
    await waitFor(() => writer.savedClock() >= writer.localClock(), 3_000, 'saved');
    writer.destroy();
    await waitFor(() => server!.registry.peek(room) === undefined, 3_000, 'unload');

    faults.loadDelayMs = 500;
    const loadsBefore = server.registry.loads;
    const many = Array.from({ length: 20 }, () => connectYjs(server!.url, room, person.cookie));
    clients.push(...many);
    await Promise.all(many.map((c) => c.synced));
    expect(server.registry.loads - loadsBefore).toBe(1);
    for (const c of many) expect(planNotes(c.doc).toString()).toBe(expected);
  });

  it('gives a client that connects while the room unloads all content', async () => {
    const faults = { failAppend: false, failLoad: false, loadDelayMs: 0, appends: 0 };
    server = await startTestServer(dialect, { wrapStore: faultyStore(faults), env: { POLKU_UNLOAD_AFTER_MS: '1' } });
    const person = await signUp(server);
    const room = caseRoom(await createCase(server.url, person.cookie));
    for (let round = 0; round < 15; round++) {
      const c = connectYjs(server.url, room, person.cookie);
      clients.push(c);
      await c.synced;
      expect(planNotes(c.doc).length).toBe(round);
      planNotes(c.doc).insert(0, 'x');
      c.destroy();
      await new Promise((resolve) => setTimeout(resolve, round % 4));
    }
    const last = connectYjs(server.url, room, person.cookie);
    clients.push(last);
    await last.synced;
    await waitFor(() => planNotes(last.doc).length === 15, 2_000, 'all fifteen edits');
    expect(Y.encodeStateVector(last.doc).length).toBeGreaterThan(0);
  });
});
