/**
 * The client's device in a meeting: its place (lobby, admitted, ended…) from the server, kept
 * current over Socket.IO's `/guest` namespace, and — while admitted — a read-only live copy of
 * their own plan and of its views (the wheel, the map and the path, each its own document). Nothing is kept on the device: no IndexedDB, and the copy is dropped the
 * moment access ends.
 */
import { io, type Socket } from 'socket.io-client';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { api, call, describeError, ApiError } from '$lib/api';
import type { GuestContext, GuestState, GuestStatus } from '../../../shared/meetings';
import type { GuestClientToServerEvents, GuestServerToClientEvents } from '../../../shared/socket-events';
import { caseRoom, VIEW_KINDS, viewRoom, type ViewKind } from '../../../shared/rooms';

type GuestSocket = Socket<GuestServerToClientEvents, GuestClientToServerEvents>;

export class GuestSession {
  /** `null` until known; `none` when this device is in no meeting. */
  status = $state<GuestStatus | 'none' | null>(null);
  error = $state<string | null>(null);
  doc = $state<Y.Doc | null>(null);
  /** The views' own documents, open while `doc` is. */
  views = $state<Record<ViewKind, Y.Doc> | null>(null);
  synced = $state(false);
  connected = $state(false);
  context = $state<GuestContext | null>(null);
  private state: GuestState | null = null;
  private provider: WebsocketProvider | null = null;
  private viewProviders: WebsocketProvider[] = [];
  private socket: GuestSocket | null = null;

  async start(): Promise<void> {
    try {
      this.state = await call(api.guest.$get());
      this.apply(this.state.status);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unauthenticated') this.status = 'none';
      else this.error = describeError(e);
    }
  }

  /** Sends the client's own words; the server checks them and writes them into the plan. */
  async say(json: Parameters<typeof api.guest.voice.$post>[0]['json']): Promise<void> {
    await call(api.guest.voice.$post({ json }));
  }

  async leave(): Promise<void> {
    await call(api.guest.leave.$post());
    this.apply('left');
  }

  destroy(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.closeDoc();
  }

  private apply(status: GuestStatus): void {
    this.status = status;
    if (status === 'waiting' || status === 'admitted') this.listen();
    else this.socket?.disconnect();
    if (status === 'admitted') {
      this.openDoc();
      void this.loadContext();
    } else {
      this.closeDoc();
    }
  }

  private listen(): void {
    if (this.socket) return;
    const socket: GuestSocket = io('/guest', { path: '/socket.io', transports: ['websocket'], withCredentials: true });
    socket.on('guest:status', ({ status }) => {
      if (status !== this.status) this.apply(status);
    });
    socket.on('connect', () => (this.connected = true));
    socket.on('disconnect', () => (this.connected = false));
    this.socket = socket;
  }

  private openDoc(): void {
    if (this.provider || !this.state) return;
    const doc = new Y.Doc();
    const provider = this.connect(caseRoom(this.state.caseId), doc);
    provider.on('sync', (isSynced: boolean) => {
      if (isSynced) this.synced = true;
    });
    const views = Object.fromEntries(VIEW_KINDS.map((view) => [view, new Y.Doc()])) as Record<ViewKind, Y.Doc>;
    this.viewProviders = VIEW_KINDS.map((view) => this.connect(viewRoom(this.state!.caseId, view), views[view]));
    this.provider = provider;
    this.doc = doc;
    this.views = views;
  }

  /** A read-only connection to one of the case's documents. */
  private connect(room: string, doc: Y.Doc): WebsocketProvider {
    const server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
    const provider = new WebsocketProvider(server, room, doc, { disableBc: true, maxBackoffTime: 5000 });
    // The client's phone does not announce itself in the document's presence.
    provider.awareness.setLocalState(null);
    // Closed by the server because access ended: stop trying, and ask where we stand.
    provider.on('connection-close', (event: CloseEvent | null) => {
      if (event && event.code >= 4400 && event.code < 4500) {
        provider.shouldConnect = false;
        void this.refresh();
      }
    });
    return provider;
  }

  private closeDoc(): void {
    this.provider?.destroy();
    this.provider = null;
    for (const provider of this.viewProviders) provider.destroy();
    this.viewProviders = [];
    this.doc?.destroy();
    this.doc = null;
    for (const doc of Object.values(this.views ?? {})) doc.destroy();
    this.views = null;
    this.synced = false;
    this.context = null;
  }

  private async refresh(): Promise<void> {
    try {
      const state = await call(api.guest.$get());
      if (state.status !== this.status) this.apply(state.status);
    } catch {
      this.apply('ended');
    }
  }

  private async loadContext(): Promise<void> {
    try {
      this.context = await call(api.guest.context.$get());
    } catch (e) {
      this.error = describeError(e);
    }
  }
}
