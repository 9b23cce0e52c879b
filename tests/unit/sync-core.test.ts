/**
 * The sync core on its own, with an in-memory store and fan-out: the writer's group commit and
 * per-update "stored" answers, the room registry's load-once and unload-after-drain, and the
 * bounded memory of other instances' unstored updates with its adoption.
 */
import pino from 'pino';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { localFanout, type Fanout, type FanoutMessage, type RoomSubscription } from '../../server/sync/fanout.js';
import type { RoomPeer } from '../../server/sync/peer.js';
import { RememberedUpdates } from '../../server/sync/remembered.js';
import { RoomRegistry } from '../../server/sync/room-registry.js';
import { applyStored, type DocumentStore, type UpdateRow } from '../../server/sync/store.js';
import { UpdateWriter } from '../../server/sync/update-writer.js';
import { waitFor } from '../helpers/yjs-client.js';

const logger = pino({ level: 'silent' });

/** A store in memory: every row appended, per document; `fail` makes appends throw. */
function memoryStore() {
  const rows = new Map<string, Uint8Array[]>();
  const state = { fail: false, loads: 0, appends: 0, loadGate: null as Promise<void> | null };
  const store: DocumentStore = {
    async load(docName) {
      state.loads++;
      if (state.loadGate) await state.loadGate;
      const updates = rows.get(docName) ?? [];
      return { snapshot: null, updates: [...updates], lastSeq: updates.length, logLength: updates.length };
    },
    async append(batch: UpdateRow[]) {
      state.appends++;
      await Promise.resolve();
      if (state.fail) throw new Error('simulated write failure');
      for (const row of batch) rows.set(row.docName, [...(rows.get(row.docName) ?? []), row.data]);
    },
    async compact() {
      return 0;
    },
    async adopt(docName, updates) {
      const stored = new Y.Doc();
      applyStored(stored, { snapshot: null, updates: rows.get(docName) ?? [] });
      const before = Y.encodeStateVector(stored);
      stored.transact(() => updates.forEach((u) => Y.applyUpdate(stored, u)));
      const missing = Y.encodeStateAsUpdate(stored, before);
      if (Y.decodeUpdate(missing).structs.length === 0) return false;
      rows.set(docName, [...(rows.get(docName) ?? []), missing]);
      return true;
    }
  };
  const stored = (docName: string): Y.Doc => {
    const doc = new Y.Doc();
    applyStored(doc, { snapshot: null, updates: rows.get(docName) ?? [] });
    return doc;
  };
  return { store, state, rows, stored };
}

function peer(): RoomPeer & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return {
    id: crypto.randomUUID(),
    identity: { accountId: 'a', user: { id: 'a', name: 'A', role: 'social_worker', organisation: 'O', color: '#000000' } },
    wantsSaved: true,
    ownedClientIds: new Set(),
    updatesApplied: 0,
    sent,
    send: (message) => sent.push(message),
    close: () => undefined
  };
}

function textEdit(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('notes').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

function setUp(fanout: Fanout = localFanout, unloadAfterMs = 10) {
  const memory = memoryStore();
  const writer = new UpdateWriter(memory.store, { windowMs: 2, compactAfterUpdates: 1_000, logger });
  const registry = new RoomRegistry({ store: memory.store, writer, fanout, unloadAfterMs, logger });
  return { ...memory, writer, registry };
}

describe('the update writer', () => {
  it('stores a burst in one commit and answers each update by its own ticket', async () => {
    const { writer, registry, state, stored } = setUp();
    const room = await registry.acquire('case:1');
    const p = peer();
    room.add(p);
    for (let i = 0; i < 20; i++) Y.applyUpdate(room.doc, textEdit(`w${i}`), p);
    const ticket = writer.lastTicket;
    expect(await writer.stored(ticket)).toBe(true);
    expect(state.appends).toBe(1);
    expect(stored('case:1').getText('notes').length).toBe(room.doc.getText('notes').length);
    registry.release('case:1');
  });

  it('answers false for an update whose write failed, keeps it, and stores it on the retry', async () => {
    const { writer, registry, state, stored } = setUp();
    const room = await registry.acquire('case:2');
    const p = peer();
    room.add(p);
    state.fail = true;
    Y.applyUpdate(room.doc, textEdit('tallessa'), p);
    expect(await writer.stored(writer.lastTicket)).toBe(false);
    expect(room.pending).toBe(1);
    state.fail = false;
    await waitFor(() => room.pending === 0, 3_000, 'the retry');
    expect(stored('case:2').getText('notes').toString()).toBe('tallessa');
    registry.release('case:2');
  });
});

describe('the room registry', () => {
  it('loads a room once for everyone arriving during the load, and unloads it only after its updates are stored', async () => {
    const { registry, state } = setUp();
    let open!: () => void;
    state.loadGate = new Promise((resolve) => (open = resolve));
    const arriving = Promise.all([registry.acquire('case:3'), registry.acquire('case:3'), registry.acquire('case:3')]);
    open();
    const [a, b, c] = await arriving;
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(state.loads).toBe(1);

    const p = peer();
    a.add(p);
    state.fail = true;
    Y.applyUpdate(a.doc, textEdit('ei vielä tallessa'), p);
    for (let i = 0; i < 3; i++) registry.release('case:3');
    // While the write fails the room stays loaded.
    await waitFor(() => state.appends >= 3, 3_000, 'retries');
    expect(registry.peek('case:3')).toBe(a);
    state.fail = false;
    await waitFor(() => registry.peek('case:3') === undefined, 5_000, 'the unload');
    const again = await registry.acquire('case:3');
    expect(again).not.toBe(a);
    expect(again.doc.getText('notes').toString()).toBe('ei vielä tallessa');
    registry.release('case:3');
  });
});

describe("other instances' unstored updates", () => {
  const limits = { maxUpdates: 4, maxBytes: 1_000_000 };
  const update = (room: string, ticket: number, text: string) => ({ ticket, room, update: textEdit(text), accountId: 'a' });

  it('forgets what its instance says it stored, and adopts the rest of a silent one, per room', async () => {
    let now = 0;
    const remembered = new RememberedUpdates(limits, () => now);
    const { store, stored } = memoryStore();
    remembered.remember('B', update('case:x', 1, 'yksi'));
    remembered.remember('B', update('case:x', 2, 'kaksi'));
    remembered.remember('B', update('case:y', 3, 'kolme'));
    remembered.markStored('B', 1);
    expect(remembered.updates).toBe(2);
    now = 10_000;
    expect(remembered.silent(5_000)).toEqual(['B']);
    const result = await remembered.adopt('B', store, () => null);
    expect(result).toEqual({ stored: 2, lost: [] });
    expect(stored('case:x').getText('notes').toString()).toBe('kaksi');
    expect(stored('case:y').getText('notes').toString()).toBe('kolme');
    expect(remembered.updates).toBe(0);
    expect(remembered.silent(5_000)).toEqual([]);
  });

  it('stays within its bound; a dead instance\'s forgotten rooms are stored whole from this instance\'s copy', async () => {
    let now = 0;
    const remembered = new RememberedUpdates(limits, () => now);
    const { store, stored } = memoryStore();
    const copy = new Y.Doc();
    for (let ticket = 1; ticket <= 10; ticket++) {
      const u = update(ticket <= 6 ? 'case:big' : 'case:small', ticket, `p${ticket} `);
      Y.applyUpdate(copy, u.update);
      remembered.remember('B', u);
      expect(remembered.updates).toBeLessThanOrEqual(limits.maxUpdates);
    }
    expect(remembered.dropped).toBe(6);
    now = 10_000;
    const result = await remembered.adopt('B', store, (room) => (room === 'case:big' ? Y.encodeStateAsUpdate(copy) : null));
    expect(result.lost).toEqual([]);
    for (let ticket = 1; ticket <= 6; ticket++) expect(stored('case:big').getText('notes').toString()).toContain(`p${ticket} `);
    expect(remembered.bytes).toBe(0);
  });

  it('says which rooms it could not store when they are not loaded here', async () => {
    const remembered = new RememberedUpdates({ maxUpdates: 1, maxBytes: 1_000_000 }, () => 0);
    const { store } = memoryStore();
    remembered.remember('B', update('case:gone', 1, 'a'));
    remembered.remember('B', update('case:here', 2, 'b'));
    expect((await remembered.adopt('B', store, () => null)).lost).toEqual(['case:gone']);
  });

  it('keeps the updates when storing them fails, to try again', async () => {
    const remembered = new RememberedUpdates(limits, () => 0);
    const failing: Pick<DocumentStore, 'adopt'> = { adopt: async () => Promise.reject(new Error('down')) };
    remembered.remember('B', update('case:x', 1, 'a'));
    await expect(remembered.adopt('B', failing, () => null)).rejects.toThrow('down');
    expect(remembered.updates).toBe(1);
  });
});

/** A fan-out that records what a room publishes (to check the room talks to it). */
function recordingFanout(): Fanout & { published: FanoutMessage[]; subscriptions: Map<string, RoomSubscription> } {
  const published: FanoutMessage[] = [];
  const subscriptions = new Map<string, RoomSubscription>();
  return {
    ...localFanout,
    published,
    subscriptions,
    publish: (message) => published.push(message),
    subscribe: (room, subscription) => {
      subscriptions.set(room, subscription);
      return () => subscriptions.delete(room);
    }
  };
}

describe('a room and its fan-out', () => {
  it('publishes its peers\' updates with their tickets and gives its whole copy for adoption', async () => {
    const fanout = recordingFanout();
    const { registry, writer } = setUp(fanout);
    const room = await registry.acquire('case:4');
    const p = peer();
    room.add(p);
    Y.applyUpdate(room.doc, textEdit('jaettu'), p);
    const published = fanout.published.find((m) => m.kind === 'update')!;
    expect(published.ticket).toBe(writer.lastTicket);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, fanout.subscriptions.get('case:4')!.state());
    expect(copy.getText('notes').toString()).toBe('jaettu');
    await writer.stored(writer.lastTicket);
    registry.release('case:4');
  });
});
