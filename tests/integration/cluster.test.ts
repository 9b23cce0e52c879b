/**
 * Two real instances on one real PostgreSQL, with fan-out over the real Redis: documents,
 * presence and closes travel between them, every update is stored exactly once, and compaction
 * is consistent whichever instance runs it.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentStore } from '../../server/repositories/documents.js';
import { planNotes } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { io as connectSocket } from 'socket.io-client';
import { addTeamMember, createCase, signIn, signUp, startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { storedDoc } from '../helpers/stored.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

const REDIS_URL = process.env.POLKU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('two instances with Redis and PostgreSQL', () => {
  let database: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let worker: TestAccount;
  const clients: YjsClient[] = [];
  const open = (server: TestServer, room: string, cookie: string) => {
    const client = connectYjs(server.url, room, cookie);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = { REDIS_URL, POLKU_REDIS_PREFIX: `polku-test-${crypto.randomUUID().slice(0, 8)}`, POLKU_UNLOAD_AFTER_MS: '200' };
    one = await startTestServer('postgres', { database, env });
    two = await startTestServer('postgres', { database, env });
    worker = await signUp(one);
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await one.stop();
    await two.stop();
    await database.drop();
  });

  it('says ready only with both the database and Redis, and names Redis in /readyz', async () => {
    const response = await fetch(`${one.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
  });

  it('two clients of one room on two instances converge, and every update is stored exactly once', async () => {
    const room = caseRoom(await createCase(one.url, worker.cookie));
    const a = open(one, room, worker.cookie);
    const b = open(two, room, worker.cookie);
    await Promise.all([a.synced, b.synced]);
    for (let i = 0; i < 200; i++) {
      planNotes(a.doc).insert(0, 'a');
      planNotes(b.doc).insert(planNotes(b.doc).length, 'b');
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => planNotes(a.doc).length === 400 && planNotes(b.doc).length === 400, 10_000, 'both clients to have every edit');
    expect(planNotes(a.doc).toString()).toBe(planNotes(b.doc).toString());
    await waitFor(() => a.savedClock() === a.localClock() && b.savedClock() === b.localClock(), 10_000, 'everything to be stored');

    const rows = await queries(one.db).selectFrom('document_updates').select(['seq']).where('doc_name', '=', room).orderBy('seq').execute();
    // The case's first state, then one row per edit: nobody stored another instance's update.
    expect(rows.length).toBe(1 + 400);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(planNotes(await storedDoc(one.db, room)).toString()).toBe(planNotes(a.doc).toString());
  });

  it('shows presence across instances and forgets it when the person leaves', async () => {
    const room = caseRoom(await createCase(one.url, worker.cookie));
    const a = open(one, room, worker.cookie);
    const b = open(two, room, worker.cookie);
    await Promise.all([a.synced, b.synced]);
    a.provider.awareness.setLocalStateField('focus', 'goal-1');
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.focus === 'goal-1', 5_000, 'presence to cross instances');
    // The server set who it is, not the client.
    expect(b.provider.awareness.getStates().get(a.doc.clientID)?.user?.id).toBe(worker.accountId);
    awarenessProtocol.removeAwarenessStates(a.provider.awareness, [a.doc.clientID], 'test');
    a.provider.disconnect();
    await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 5_000, 'presence to be removed');
  });

  it('nobody else can take over the presence of a person on another instance', async () => {
    const room = caseRoom(await createCase(one.url, worker.cookie));
    const other = await signUp(one, { organisation: 'Testikunta' });
    await addTeamMember(one.url, worker.cookie, room.slice('case:'.length), other.accountId);
    const a = open(one, room, worker.cookie);
    await a.synced;
    a.provider.awareness.setLocalStateField('focus', 'goal-1');
    const watcher = open(one, room, worker.cookie);
    await watcher.synced;
    await waitFor(() => watcher.provider.awareness.getStates().get(a.doc.clientID)?.focus === 'goal-1', 5_000, 'presence');
    // Another person on the other instance sends awareness under the first person's client id.
    const doc = new Y.Doc();
    doc.clientID = a.doc.clientID;
    const impostor = connectYjs(two.url, room, other.cookie, { doc });
    clients.push(impostor);
    await impostor.synced;
    impostor.provider.awareness.setLocalStateField('focus', 'hijacked');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watcher.provider.awareness.getStates().get(a.doc.clientID)?.focus).toBe('goal-1');
    expect(watcher.provider.awareness.getStates().get(a.doc.clientID)?.user?.id).toBe(worker.accountId);
  });

  it('a room loaded later on the other instance gets edits not yet stored there', async () => {
    const room = caseRoom(await createCase(one.url, worker.cookie));
    const a = open(one, room, worker.cookie);
    await a.synced;
    // Instance two loads the room while instance one still holds the edit unstored.
    const write = one.writer as unknown as { flush(): Promise<void> };
    const flush = write.flush.bind(one.writer);
    write.flush = () => new Promise((resolve) => setTimeout(() => resolve(flush()), 500));
    planNotes(a.doc).insert(0, 'first words');
    const b = open(two, room, worker.cookie);
    await b.synced;
    await waitFor(() => planNotes(b.doc).toString() === 'first words', 5_000, 'the late room to catch up');
    write.flush = flush;
  });

  it('signing out on one instance closes that session\'s document connections on the other', async () => {
    const second = await signIn(one.url, worker.email, worker.password);
    const room = caseRoom(await createCase(one.url, worker.cookie));
    const b = open(two, room, second);
    await b.synced;
    const closed = new Promise<number>((resolve) => b.provider.ws?.addEventListener('close', (event) => resolve(event.code)));
    const response = await fetch(`${one.url}/api/auth/logout`, { method: 'POST', headers: { cookie: second, origin: one.url } });
    expect(response.ok).toBe(true);
    const late = new Promise<number>((resolve) => setTimeout(() => resolve(-1), 3_000));
    expect(await Promise.race([closed, late])).toBeGreaterThanOrEqual(4000);
    b.provider.disconnect();
  });

  it('removing someone from the team on one instance cuts their Socket.IO subscription and document connection on the other', async () => {
    const caseId = await createCase(one.url, worker.cookie);
    const coach = await signUp(one, { role: 'coach', organisation: 'Testikunta' });
    await addTeamMember(one.url, worker.cookie, caseId, coach.accountId);
    const yjs = open(two, caseRoom(caseId), coach.cookie);
    await yjs.synced;
    let closeCode = 0;
    yjs.provider.ws!.addEventListener('close', (event) => (closeCode = event.code));
    const socket = connectSocket(two.url, { transports: ['websocket'], extraHeaders: { cookie: coach.cookie }, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.emit('case:subscribe', caseId, (result: { ok: boolean }) => (result.ok ? resolve() : reject(new Error('subscribe refused'))));
    });
    const revoked = new Promise((resolve) => socket.once('case:revoked', resolve));
    const response = await fetch(`${one.url}/api/cases/${caseId}/team/${coach.accountId}`, { method: 'DELETE', headers: { cookie: worker.cookie, origin: one.url } });
    expect(response.status).toBe(200);
    await revoked;
    await waitFor(() => closeCode === 4403, 2_000, 'the document connection on the other instance to close with 4403');
    socket.disconnect();
  });

  it('appends from two instances to one document get distinct sequence numbers, and compaction keeps everything', async () => {
    const storeOne = createDocumentStore(one.db);
    const storeTwo = createDocumentStore(two.db);
    const name = `test:${crypto.randomUUID()}`;
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 60; i++) source.getArray<number>('n').push([i]);
    await Promise.all(
      updates.map((data, i) =>
        (i % 2 ? storeOne : storeTwo).append([{ docName: name, data, accountId: null }]).then(async () => {
          if (i % 10 === 0) await (i % 20 ? storeOne : storeTwo).compact(name);
        })
      )
    );
    const rows = await queries(one.db).selectFrom('document_updates').select('seq').where('doc_name', '=', name).orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual(updates.map((_, i) => i + 1));
    await storeTwo.compact(name);
    const loaded = await storeOne.load(name);
    expect(loaded.logLength).toBe(0);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, loaded.snapshot!);
    expect(doc.getArray<number>('n').toArray().sort((x, y) => x - y)).toEqual([...Array(60).keys()]);
  });

  it('adopts updates that build on each other\'s across authors, all of them', async () => {
    const store = createDocumentStore(one.db);
    const name = `test:${crypto.randomUUID()}`;
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const updates: Uint8Array[] = [];
    const relay = (from: Y.Doc, to: Y.Doc) => from.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'relay') {
        updates.push(u);
        Y.applyUpdate(to, u, 'relay');
      }
    });
    relay(alice, bob);
    relay(bob, alice);
    alice.getText('t').insert(0, 'Alice ');
    bob.getText('t').insert(6, 'then Bob ');
    alice.getText('t').insert(15, 'then Alice again');
    expect(await store.adopt(name, updates, null)).toBe(true);
    const loaded = new Y.Doc();
    for (const u of (await store.load(name)).updates) Y.applyUpdate(loaded, u);
    expect(loaded.getText('t').toString()).toBe('Alice then Bob then Alice again');
  });

  it('stores only what the database lacks when adopting a stopped instance\'s updates', async () => {
    const store = createDocumentStore(one.db);
    const name = `test:${crypto.randomUUID()}`;
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getText('t').insert(0, 'stored ');
    doc.getText('t').insert(7, 'lost');
    await store.append([{ docName: name, data: updates[0]!, accountId: null }]);
    expect(await store.adopt(name, updates, worker.accountId)).toBe(true);
    expect(await store.adopt(name, updates, worker.accountId)).toBe(false);
    const rows = await queries(one.db).selectFrom('document_updates').select(['seq', 'account_id']).where('doc_name', '=', name).orderBy('seq').execute();
    expect(rows).toEqual([
      { seq: 1, account_id: null },
      { seq: 2, account_id: worker.accountId }
    ]);
    const loaded = new Y.Doc();
    for (const u of (await store.load(name)).updates) Y.applyUpdate(loaded, u);
    expect(loaded.getText('t').toString()).toBe('stored lost');
  });
});
