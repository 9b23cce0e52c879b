import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentStore } from '../../server/repositories/documents.js';
import { caseDocToJson, planNotes, planTitle } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { syncMessage, textUpdate } from '../helpers/raw-messages.js';
import { storedDoc } from '../helpers/stored.js';
import { addTeamMember, createCase, signUp, startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { connectYjs, upgradeStatus, waitFor, type YjsClient } from '../helpers/yjs-client.js';

describe.each(testDialects())('sync server on %s', (dialect) => {
  let server: TestServer;
  let worker: TestAccount;
  const clients: YjsClient[] = [];
  const open = (room: string, cookie: string, options?: Parameters<typeof connectYjs>[3]) => {
    const client = connectYjs(server.url, room, cookie, options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { POLKU_UNLOAD_AFTER_MS: '150', POLKU_MAX_MESSAGE_BYTES: String(256 * 1024) } });
    worker = await signUp(server);
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  it('two clients making 1,000 edits each end byte-identical, and a late joiner gets the same state', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const a = open(room, worker.cookie);
    const b = open(room, worker.cookie);
    await Promise.all([a.synced, b.synced]);
    for (let i = 0; i < 1000; i++) {
      planNotes(a.doc).insert(planNotes(a.doc).length, 'a');
      planNotes(b.doc).insert(0, 'b');
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => planNotes(a.doc).length === 2000 && planNotes(b.doc).length === 2000, 15_000, 'both to have 2,000 characters');
    expect(Buffer.from(Y.encodeStateAsUpdate(a.doc)).equals(Buffer.from(Y.encodeStateAsUpdate(b.doc)))).toBe(true);
    expect(planNotes(a.doc).toString()).toBe(planNotes(b.doc).toString());

    const c = open(room, worker.cookie);
    await c.synced;
    expect(planNotes(c.doc).toString()).toBe(planNotes(a.doc).toString());
    await waitFor(async () => planNotes(await storedDoc(server.db, room)).length === 2000, 5_000, 'the stored document');
  });

  it('tells a client "saved" with a state vector that covers its edits only after they are stored', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const a = open(room, worker.cookie);
    await a.synced;
    planTitle(a.doc).insert(0, 'Kohti omaa arkea');
    await waitFor(() => a.savedClock() >= a.localClock(), 2_000, 'saved');
    expect(planTitle(await storedDoc(server.db, room)).toString()).toBe('Kohti omaa arkea');
  });

  it('drops sync step 2 and update messages from a view connection', async () => {
    const caseId = await createCase(server.url, worker.cookie);
    const room = caseRoom(caseId);
    const observer = await signUp(server, { role: 'observer' });
    await addTeamMember(server.url, worker.cookie, caseId, observer.accountId, { caseRole: 'observer', access: 'view' });
    const editor = open(room, worker.cookie);
    await editor.synced;
    planTitle(editor.doc).insert(0, 'ok');

    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${room}`, { headers: { cookie: observer.cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(syncMessage('step2', textUpdate('notes', 'from observer step 2')));
    ws.send(syncMessage('update', textUpdate('notes', 'from observer update')));
    ws.send(new Uint8Array([42, 1, 2, 3]));
    // A round trip through an edit connection proves the observer's messages were processed first.
    const probe = open(room, worker.cookie);
    await probe.synced;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(planNotes(editor.doc).toString()).toBe('');
    expect(planNotes(probe.doc).toString()).toBe('');
    expect(planNotes(server.registry.peek(room)!.doc).toString()).toBe('');
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('refuses unauthenticated upgrades, strangers (as if the room did not exist) and foreign origins before any data', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const url = `${server.url.replace('http', 'ws')}/yjs/${room}`;
    const stranger = await signUp(server, { organisation: 'Toinen kunta' });
    expect(await upgradeStatus(url)).toBe(401);
    expect(await upgradeStatus(url, { cookie: 'polku_session=forged' })).toBe(401);
    expect(await upgradeStatus(url, { cookie: stranger.cookie })).toBe(404);
    expect(await upgradeStatus(url, { cookie: worker.cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${server.url.replace('http', 'ws')}/yjs/not-a-room`, { cookie: worker.cookie })).toBe(404);
    expect(await upgradeStatus(url, { cookie: worker.cookie, origin: server.url })).toBe(101);
  });

  it('closes only the connection that sends a malformed or truncated message', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const good = open(room, worker.cookie);
    const other = open(room, worker.cookie);
    await Promise.all([good.synced, other.synced]);
    for (const bad of [new Uint8Array([0, 2, 200]), new Uint8Array([0, 2, 5, 1, 2]), new Uint8Array([1, 9, 1]), new Uint8Array([0, 2, 3, 255, 255, 255])]) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${room}`, { headers: { cookie: worker.cookie } });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(bad);
      expect(await closed).toBe(1007);
    }
    planTitle(good.doc).insert(0, 'still working');
    await waitFor(() => planTitle(other.doc).toString() === 'still working', 2_000, 'the room to keep working');
  });

  it('refuses an update larger than the configured limit', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${room}`, { headers: { cookie: worker.cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(syncMessage('update', textUpdate('notes', 'x'.repeat(300 * 1024))));
    expect(await closed).toBe(1009);
    const probe = open(room, worker.cookie);
    await probe.synced;
    expect(planNotes(probe.doc).length).toBe(0);
  });

  it('owns identity in awareness: names come from the session, foreign ids are ignored, states go on close', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const a = open(room, worker.cookie);
    const b = open(room, worker.cookie);
    await Promise.all([a.synced, b.synced]);
    a.provider.awareness.setLocalState({ user: { name: 'Joku Muu', role: 'admin' }, focus: 'notes' });
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.focus === 'notes', 2_000, 'awareness');
    const seen = b.provider.awareness.getStates().get(a.doc.clientID) as { user: { name: string; role: string } };
    expect(seen.user.name).toMatch(/^Testi Henkilö/);
    expect(seen.user.role).toBe('social_worker');

    // b tries to speak for a's client id: the server ignores it.
    const forged = new awarenessProtocol.Awareness(new Y.Doc());
    forged.clientID = a.doc.clientID;
    forged.setLocalState({ focus: 'title' });
    awarenessProtocol.applyAwarenessUpdate(b.provider.awareness, awarenessProtocol.encodeAwarenessUpdate(forged, [a.doc.clientID]), null);
    b.provider.awareness.emit('update', [{ added: [], updated: [a.doc.clientID], removed: [] }, 'local']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const c = open(room, worker.cookie);
    await c.synced;
    await waitFor(() => c.provider.awareness.getStates().has(a.doc.clientID), 2_000, 'awareness for the late joiner');
    expect(c.provider.awareness.getStates().get(a.doc.clientID)?.focus).toBe('notes');

    a.destroy();
    await waitFor(() => !c.provider.awareness.getStates().has(a.doc.clientID), 2_000, 'awareness removed on close');
  });

  it('limits connections per session', async () => {
    const own = await startTestServer(dialect, { env: { POLKU_MAX_CONNECTIONS_PER_SESSION: '2' } });
    try {
      const person = await signUp(own);
      const url = `${own.url.replace('http', 'ws')}/yjs/${caseRoom(await createCase(own.url, person.cookie))}`;
      const sockets = [new WebSocket(url, { headers: { cookie: person.cookie } }), new WebSocket(url, { headers: { cookie: person.cookie } })];
      await Promise.all(sockets.map((ws) => new Promise((resolve) => ws.once('open', resolve))));
      expect(await upgradeStatus(url, { cookie: person.cookie })).toBe(429);
      for (const ws of sockets) ws.close();
    } finally {
      await own.close();
    }
  });

  it('unloads an idle room after storing and compacting it, and loads it again with all content', async () => {
    const room = caseRoom(await createCase(server.url, worker.cookie));
    const a = open(room, worker.cookie);
    await a.synced;
    for (let i = 0; i < 20; i++) planNotes(a.doc).insert(0, `${i};`);
    const expected = planNotes(a.doc).toString();
    await waitFor(async () => planNotes(await storedDoc(server.db, room)).toString() === expected, 3_000, 'stored');
    a.destroy();
    await waitFor(() => server.registry.peek(room) === undefined, 3_000, 'unload');
    const stored = await createDocumentStore(server.db).load(room);
    expect(stored.snapshot).not.toBeNull();
    expect(stored.logLength).toBe(0);
    const b = open(room, worker.cookie);
    await b.synced;
    expect(caseDocToJson(b.doc).notes).toBe(expected);
  });
});

describe.each(testDialects())('dropped connections on %s', (dialect) => {
  it('removes the presence of a client that stops answering within a few seconds', async () => {
    const server = await startTestServer(dialect, { env: { POLKU_HEARTBEAT_MS: '200' } });
    try {
      const person = await signUp(server);
      const room = caseRoom(await createCase(server.url, person.cookie));
      const watcher = connectYjs(server.url, room, person.cookie);
      await watcher.synced;
      // A raw socket that announces itself, then goes silent without closing (no pongs).
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${room}`, { headers: { cookie: person.cookie }, autoPong: false });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const ghost = new awarenessProtocol.Awareness(new Y.Doc());
      ghost.setLocalState({ focus: 'notes' });
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(ghost, [ghost.clientID]));
      const message = encoding.toUint8Array(encoder);
      ws.send(message);
      await waitFor(() => watcher.provider.awareness.getStates().has(ghost.clientID), 2_000, 'the ghost to appear');
      const start = Date.now();
      await waitFor(() => !watcher.provider.awareness.getStates().has(ghost.clientID), 3_000, 'the ghost to disappear');
      expect(Date.now() - start).toBeLessThan(3_000);
      watcher.destroy();
      ws.terminate();
    } finally {
      await server.close();
    }
  });
});

