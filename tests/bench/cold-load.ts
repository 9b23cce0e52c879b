/**
 * The persistence path: fill a room with `items` entries (one update each), let everyone leave,
 * wait until the server has stored and unloaded the document, then time a new client from
 * connect until it has the full content. The `synced` event alone is not enough: the reference
 * server answers the first sync before y-leveldb has read the document and sends the content
 * afterwards as an update.
 *
 * The first cold load is timed apart from the later ones: y-leveldb keeps the `items` updates
 * as they came and merges them on the first load (storing the merged state for next time),
 * while Polku compacts when it unloads, so for Polku every load reads a snapshot.
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { firstSync, openProvider } from './clients.js';
import { sleep, waitUntilIdle } from './proc-stats.js';
import type { BenchServer } from './servers.js';

interface Item {
  id: number;
  title: string;
}

export interface ColdLoadResult {
  items: number;
  /** Time to send every item and see it at a second client. */
  fillSeconds: number;
  /** Per repetition, first one first: connect → `synced` event, and connect → every item present. */
  syncedMs: number[];
  fullMs: number[];
}

const TIMEOUT_MS = 60_000;
/** Client indexes, which pick the instance (see `wsUrlFor`). */
const WRITER = 0;
const READER = 1;

export async function runColdLoad(server: BenchServer, items: number, repeats: number): Promise<ColdLoadResult> {
  const [room] = await server.createRooms(1);
  if (!room) throw new Error('no room');
  // The writer takes the first instance, the witness and the cold clients the second, so with
  // two instances both the fill and the cold load cross from one to the other.
  const writer = openDoc(server, room, items, WRITER);
  const witness = openDoc(server, room, items, READER);
  let fillSeconds: number;
  try {
    await withTimeout(Promise.all([writer.synced, witness.synced]), 'the first clients to sync');
    const fillStart = performance.now();
    const list = writer.doc.getArray<Item>('items');
    // One transaction per item, so the server gets `items` separate updates as from real editing.
    for (let i = 0; i < items; i++) list.push([{ id: i, title: `Item ${i + 1}: call the housing office about the lease` }]);
    await withTimeout(witness.full, 'the second client to receive every item');
    fillSeconds = (performance.now() - fillStart) / 1000;
  } finally {
    writer.destroy();
    witness.destroy();
  }

  const result: ColdLoadResult = { items, fillSeconds, syncedMs: [], fullMs: [] };
  for (let i = 0; i < repeats; i++) {
    // There is no "unloaded" signal from outside: wait past the unload delay until every server
    // process is idle, i.e. has stored, compacted and dropped the document (the reference server
    // drops it at once but may still be writing to LevelDB).
    const minMs = server.unloadAfterMs + 300;
    const idle = await Promise.all(server.pids.map((pid) => waitUntilIdle(pid, { minMs })));
    if (!idle.every(Boolean)) throw new Error('the server did not become idle after everyone left');
    const start = performance.now();
    const reader = openDoc(server, room, items, READER);
    try {
      await withTimeout(reader.synced, 'the cold client to sync');
      result.syncedMs.push(performance.now() - start);
      await withTimeout(reader.full, 'the cold client to receive every item');
      result.fullMs.push(performance.now() - start);
    } finally {
      reader.destroy();
    }
    const exit = server.exitedEarly();
    if (exit) throw new Error(`the server ${exit}`);
    await sleep(50);
  }
  return result;
}

interface OpenDoc {
  doc: Y.Doc;
  synced: Promise<void>;
  /** Resolves once the doc holds `items` entries. */
  full: Promise<void>;
  destroy(): void;
}

function openDoc(server: BenchServer, room: string, items: number, index: number): OpenDoc {
  const doc = new Y.Doc();
  const list = doc.getArray<Item>('items');
  const provider = openProvider(server, room, doc, index);
  const full = new Promise<void>((resolve) => {
    const check = (): void => {
      if (list.length < items) return;
      list.unobserve(check);
      resolve();
    };
    list.observe(check);
  });
  return {
    doc,
    synced: firstSync(provider),
    full,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    }
  };
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS / 1000} s waiting for ${what}`)), TIMEOUT_MS);
      })
    ]);
  } finally {
    clearTimeout(timer);
  }
}
