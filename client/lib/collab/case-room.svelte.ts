/**
 * A live connection to one case document: the Y.Doc, its y-websocket provider, and reactive
 * state for the screen — connection status, save state (from the server's "saved" messages)
 * and who else is here (awareness, with identity set by the server).
 */
import * as decoding from 'lib0/decoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Me } from '../../../shared/api-types';
import { colorFor, type PresenceUser } from '../../../shared/presence';
import { MESSAGE_SAVED, SAVED_PARAM, readSaved } from '../../../shared/sync-protocol';
import { SparingUndoManager } from '../../../shared/undo';

/** `too_large`: the server refused an edit that would take the document past its size cap. */
export type ConnectionStatus = 'connected' | 'connecting' | 'offline' | 'too_large';

/** The close code the server uses for an edit past the document's size cap. */
const CLOSE_DOCUMENT_TOO_LARGE = 4413;
export type SaveState = 'saved' | 'saving' | 'unsaved';

export interface PresentUser extends PresenceUser {
  focus: string | null;
  self: boolean;
}

export class CaseRoom {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  /** Keeps the document on this device, so edits survive a dropped network and a closed tab. */
  readonly local: IndexeddbPersistence;
  /** The origin of every edit made on this page; undo tracks only these. */
  readonly origin = { local: true };
  /** Who this page is, as shown to the others (the server overwrites it from the session). */
  readonly user: PresenceUser;
  status = $state<ConnectionStatus>('connecting');
  synced = $state(false);
  saveState = $state<SaveState>('saved');
  people = $state<PresentUser[]>([]);
  /** What the server says it has stored: each client id's clock ("saved" messages). */
  private readonly stored = new Map<number, number>();
  /**
   * What this device holds that the server has not confirmed yet: each client id's clock, from
   * edits made here and from the offline copy restored into the page (which may hold edits made
   * under an earlier client id, in a tab closed while offline).
   */
  private readonly held = new Map<number, number>();

  constructor(
    readonly roomName: string,
    me: Me
  ) {
    const server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
    this.local = new IndexeddbPersistence(`polku:${me.id}:${roomName}`, this.doc);
    this.provider = new WebsocketProvider(server, roomName, this.doc, {
      params: { [SAVED_PARAM]: '1' },
      disableBc: true,
      maxBackoffTime: 5000
    });
    // Announce ourselves at once (the server replaces `user` for everyone else with the
    // session's identity); a state that was never set is not sent, so nobody would see us.
    this.user = { id: me.id, name: me.name, role: me.role, organisation: me.organisation.name, color: colorFor(me.id) };
    this.provider.awareness.setLocalState({ user: this.user, focus: null });
    this.provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder: decoding.Decoder) => {
      for (const [client, clock] of Y.decodeStateVector(readSaved(decoder))) this.stored.set(client, Math.max(clock, this.stored.get(client) ?? 0));
      this.updateSaveState();
    };
    this.provider.on('connection-close', (event) => {
      // Reconnecting would send the same edit again and be refused again: stop and say why.
      if (event?.code !== CLOSE_DOCUMENT_TOO_LARGE) return;
      this.provider.disconnect();
      this.status = 'too_large';
      this.updateSaveState();
    });
    this.provider.on('status', ({ status }) => {
      if (this.status === 'too_large') return;
      this.status = status === 'connected' ? 'connected' : navigator.onLine ? 'connecting' : 'offline';
      this.updateSaveState();
    });
    this.provider.on('sync', (synced: boolean) => {
      if (!synced || this.synced) return;
      this.synced = true;
      // For the render benchmark (and real-user timing): when the document's data arrived.
      performance.mark(`polku:synced:${roomName}`);
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      // Everything that did not come from the server is this device's to deliver.
      if (origin === this.provider) return;
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) this.held.set(client, Math.max(clock, this.held.get(client) ?? 0));
      this.updateSaveState();
    });
    this.provider.awareness.on('change', this.updatePeople);
    window.addEventListener('offline', this.onNetworkChange);
    window.addEventListener('online', this.onNetworkChange);
    this.updatePeople();
  }

  /**
   * An undo manager for `scope` that only ever undoes this page's own edits and never removes
   * what someone else has added since (`onKept` hears when a step kept such work).
   */
  undoManager(scope: ConstructorParameters<typeof Y.UndoManager>[0], onKept?: () => void): Y.UndoManager {
    return new SparingUndoManager(scope, this.origin, onKept);
  }

  /** Runs `change` as one local edit (undoable as one step). */
  edit(change: () => void): void {
    this.doc.transact(change, this.origin);
  }

  /** Forgets this device's copy (when access to the case has ended). */
  async forget(): Promise<void> {
    await this.local.clearData();
  }

  /** Says which field this person is editing (shown to the others). */
  setFocus(field: string | null): void {
    this.provider.awareness.setLocalStateField('focus', field);
  }

  destroy(): void {
    window.removeEventListener('offline', this.onNetworkChange);
    window.removeEventListener('online', this.onNetworkChange);
    this.provider.awareness.off('change', this.updatePeople);
    this.provider.destroy();
    void this.local.destroy();
    this.doc.destroy();
  }

  private readonly onNetworkChange = (): void => {
    if (this.status === 'too_large') return;
    // The browser knows the network is gone before the socket notices: say so at once.
    if (!navigator.onLine) this.status = 'offline';
    else this.status = this.provider.wsconnected ? 'connected' : 'connecting';
    this.updateSaveState();
  };

  /** "All changes saved" only once the server has stored everything this device holds. */
  private updateSaveState(): void {
    for (const [client, clock] of this.held) if ((this.stored.get(client) ?? 0) >= clock) this.held.delete(client);
    if (this.held.size === 0) this.saveState = 'saved';
    else this.saveState = this.status === 'connected' ? 'saving' : 'unsaved';
  }

  private readonly updatePeople = (): void => {
    const byUser = new Map<string, PresentUser>();
    for (const [clientId, state] of this.provider.awareness.getStates()) {
      const user = (state as { user?: PresenceUser }).user;
      if (!user?.id) continue;
      const self = clientId === this.doc.clientID;
      const focus = typeof state.focus === 'string' ? state.focus : null;
      const existing = byUser.get(user.id);
      if (!existing || self) byUser.set(user.id, { ...user, focus: focus ?? existing?.focus ?? null, self: self || (existing?.self ?? false) });
    }
    this.people = [...byUser.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  };
}
