import { Manager } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../../server/repositories/documents.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';

/**
 * Access is checked when a connection is admitted and again once it is registered where the
 * close path can find it, so a revocation that lands in between (while a document loads, while
 * an audit row is written, between Socket.IO's handshake and its namespace connection) still
 * closes the connection.
 */
describe.each(testDialects())('admission of live connections on %s', (dialect) => {
  let server: TestServer;
  /** Rooms whose load is held until the test releases it. */
  const held = new Map<string, { started: boolean; release: () => void; released: Promise<void> }>();

  function holdLoad(room: string): { started: () => boolean; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const gate = { started: false, release, released };
    held.set(room, gate);
    return { started: () => gate.started, release };
  }

  const slowLoads = (store: DocumentStore): DocumentStore => ({
    ...store,
    load: async (docName) => {
      const gate = held.get(docName);
      if (gate) {
        gate.started = true;
        await gate.released;
      }
      return store.load(docName);
    }
  });

  const api = (method: string, path: string, cookie: string) => fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie } });

  beforeAll(async () => {
    server = await startTestServer(dialect, { wrapStore: slowLoads });
  });
  afterAll(async () => {
    for (const gate of held.values()) gate.release();
    await server.close();
  });

  it('a member removed while their document is loading is closed with 4403 and gets none of it', async () => {
    const worker = await signUp(server);
    const coach = await signUp(server, { role: 'coach' });
    const caseId = await createCase(server.url, worker.cookie);
    await addTeamMember(server.url, worker.cookie, caseId, coach.accountId);
    const load = holdLoad(caseRoom(caseId));

    const yjs = connectYjs(server.url, caseRoom(caseId), coach.cookie);
    const closeCodes: number[] = [];
    const watch = () => yjs.provider.ws?.addEventListener('close', (event) => closeCodes.push(event.code));
    watch();
    yjs.provider.on('status', watch);
    await waitFor(load.started, 5_000, 'the document load to start');

    expect((await api('DELETE', `/api/cases/${caseId}/team/${coach.accountId}`, worker.cookie)).status).toBe(200);
    load.release();

    await waitFor(() => closeCodes.includes(4403), 5_000, 'the Yjs connection to close with 4403');
    expect(yjs.provider.synced).toBe(false);
    expect(yjs.doc.share.size).toBe(0);
    yjs.destroy();
  });

  it('a Socket.IO connection whose session ended between the handshake and the connection is closed', async () => {
    const worker = await signUp(server);
    const manager = new Manager(server.url, { transports: ['websocket'], extraHeaders: { cookie: worker.cookie }, reconnection: false, autoConnect: false });
    // The handshake (where the session is checked) happens when the manager opens...
    await new Promise<void>((resolve, reject) => manager.open((error) => (error ? reject(error) : resolve())));
    // ...the session ends...
    expect((await api('POST', '/api/auth/logout', worker.cookie)).status).toBe(200);
    // ...and only then does the socket connect to the namespace.
    const socket = manager.socket('/');
    let disconnected = false;
    socket.on('disconnect', () => (disconnected = true));
    socket.on('connect_error', () => (disconnected = true));
    socket.connect();
    await waitFor(() => disconnected, 5_000, 'the socket to be closed');
    expect(socket.connected).toBe(false);
    manager.engine?.close();
  });
});
