/** Real y-websocket clients in Node, authenticated by a session cookie. */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { MESSAGE_SAVED, SAVED_PARAM, readSaved } from '../../shared/sync-protocol.js';

export interface YjsClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Resolves once the first sync with the server is done. */
  synced: Promise<void>;
  /** The highest clock of this client's own edits that the server said it stored. */
  savedClock(): number;
  /** The clock of this client's own edits. */
  localClock(): number;
  destroy(): void;
}

/** A `ws` WebSocket class that sends `headers` with the upgrade. */
export function webSocketWithHeaders(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as typeof WebSocket;
}

export function connectYjs(
  serverUrl: string,
  room: string,
  cookie: string,
  { saved = true, connect = true, doc = new Y.Doc() }: { saved?: boolean; connect?: boolean; doc?: Y.Doc } = {}
): YjsClient {
  const provider = new WebsocketProvider(`${serverUrl.replace(/^http/, 'ws')}/yjs`, room, doc, {
    WebSocketPolyfill: webSocketWithHeaders({ cookie }) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect,
    maxBackoffTime: 300,
    params: saved ? { [SAVED_PARAM]: '1' } : {}
  });
  let savedClock = 0;
  provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => {
    savedClock = Math.max(savedClock, Y.decodeStateVector(readSaved(decoder)).get(doc.clientID) ?? 0);
  };
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    provider.once('sync', (isSynced: boolean) => isSynced && resolve());
  });
  return {
    doc,
    provider,
    synced,
    savedClock: () => savedClock,
    localClock: () => Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    }
  };
}

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a raw WebSocket upgrade and resolves with the HTTP status it was refused with, or 101. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (error) => reject(error));
  });
}
