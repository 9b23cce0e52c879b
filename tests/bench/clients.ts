/**
 * Bench clients: the standard y-websocket `WebsocketProvider` in Node, so every server is
 * driven by the same client. Each edit sets a new key `<client>:<n>` of the room's shared map to
 * the send time; every other client of the room records `now - t` when the key arrives. All
 * clients live in this process, so `performance.now()` is one clock.
 *
 * A map, not an array: a Y.Array event's `changes` walks the whole array, which made the bench
 * process itself the bottleneck with 60 clients; `keysChanged` costs only what changed.
 */
import { performance } from 'node:perf_hooks';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { wsUrlFor, type BenchServer } from './servers.js';
import type { Samples } from './stats.js';

export interface BenchClient {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Resolves on the first completed sync with the server. */
  readonly synced: Promise<void>;
  /** Edits this client made. */
  sent: number;
  /** Other clients' edits that reached this client. */
  received: number;
  /** Times the connection dropped after it was first up, and the close codes seen. */
  disconnects: number;
  closeCodes: Map<number, number>;
  edit(): void;
  destroy(): void;
}

/**
 * A provider for client `index` of a room, at the instance that index takes (with several
 * instances, a room's clients are spread over them).
 */
export function openProvider(server: BenchServer, room: string, doc: Y.Doc, index: number, options: { maxBackoffTime?: number } = {}): WebsocketProvider {
  return new WebsocketProvider(wsUrlFor(server, index), room, doc, {
    WebSocketPolyfill: server.WebSocketClass as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    ...options
  });
}

/** Resolves on the provider's first completed sync with the server. */
export function firstSync(provider: WebsocketProvider): Promise<void> {
  return new Promise<void>((resolve) => {
    provider.on('sync', (isSynced: boolean) => {
      if (isSynced) resolve();
    });
  });
}

export function connectClient(server: BenchServer, room: string, index: number, latencies: Samples): BenchClient {
  const doc = new Y.Doc();
  const edits = doc.getMap<number>('edits');
  // A dropped connection should come back quickly so it shows as latency, not as loss.
  const provider = openProvider(server, room, doc, index, { maxBackoffTime: 500 });
  const client: BenchClient = {
    doc,
    provider,
    synced: firstSync(provider),
    sent: 0,
    received: 0,
    disconnects: 0,
    closeCodes: new Map(),
    edit() {
      edits.set(`${index}:${client.sent++}`, performance.now());
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    }
  };
  edits.observe((event, transaction) => {
    if (transaction.local) return;
    const now = performance.now();
    for (const key of event.keysChanged) {
      const sentAt = edits.get(key);
      if (sentAt === undefined) continue;
      latencies.add(now - sentAt);
      client.received++;
    }
  });
  provider.on('status', ({ status }: { status: string }) => {
    if (status === 'disconnected') client.disconnects++;
  });
  provider.on('connection-close', (event: { code: number } | null) => {
    if (event) client.closeCodes.set(event.code, (client.closeCodes.get(event.code) ?? 0) + 1);
  });
  return client;
}

/** Connects clients a few at a time (a real crowd does not arrive in the same millisecond). */
export async function connectAll<T extends { synced: Promise<void>; destroy(): void }>(factories: Array<() => T>, concurrency = 25, timeoutMs = 120_000): Promise<T[]> {
  const clients: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < factories.length) {
      const client = factories[next++]!();
      clients.push(client);
      await client.synced;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`clients did not all sync within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: Math.min(concurrency, factories.length) }, worker)), timeout]);
  } catch (error) {
    for (const client of clients) client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return clients;
}
