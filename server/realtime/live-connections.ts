/**
 * Every live connection of this instance (Yjs or Socket.IO, a person's or a client's device), by
 * who holds it: the per-session limit counts here, and the close path (`close-path.ts`) finds
 * here what to close.
 */

import type { CasePart } from '../../shared/access.js';

/** Who holds a connection: a signed-in person's session, or a client's device (guest session). */
export type Holder = { kind: 'session'; sessionId: string; accountId: string } | { kind: 'guest'; guestId: string };

export type CloseReason = 'signed_out' | 'expired' | 'revoked';

/** What the close path can do to one live connection. */
export interface LiveSocket {
  /** Ends the connection (its session ended, its account or device lost access). */
  close(reason: CloseReason): void;
  /** Its holder lost access to one case: a Yjs connection to that case closes, a Socket.IO one stops hearing of it. */
  revokeCase(caseId: string): void;
  /**
   * Its holder lost these parts of one case (a consent covering them ended while another still
   * holds): a Yjs connection to a document of those parts closes, a Socket.IO one leaves the
   * case's meetings if the meetings are among them.
   */
  revokeParts(caseId: string, parts: readonly CasePart[]): void;
}

interface Entry {
  holder: Holder;
  sockets: Set<LiveSocket>;
}

const keyOf = (holder: Holder): string => (holder.kind === 'session' ? `session:${holder.sessionId}` : `guest:${holder.guestId}`);

export class LiveConnections {
  private readonly byHolder = new Map<string, Entry>();

  /** How many live connections the holder has here. */
  count(holder: Holder): number {
    return this.byHolder.get(keyOf(holder))?.sockets.size ?? 0;
  }

  /** Registers a connection; returns the function that unregisters it. */
  add(holder: Holder, socket: LiveSocket): () => void {
    const key = keyOf(holder);
    let entry = this.byHolder.get(key);
    if (!entry) this.byHolder.set(key, (entry = { holder, sockets: new Set() }));
    entry.sockets.add(socket);
    const registered = entry;
    return () => {
      registered.sockets.delete(socket);
      if (registered.sockets.size === 0 && this.byHolder.get(key) === registered) this.byHolder.delete(key);
    };
  }

  /** Sessions with at least one live connection here. */
  sessions(): string[] {
    return [...this.byHolder.values()].flatMap(({ holder }) => (holder.kind === 'session' ? [holder.sessionId] : []));
  }

  /** Client devices with at least one live connection here. */
  guests(): string[] {
    return [...this.byHolder.values()].flatMap(({ holder }) => (holder.kind === 'guest' ? [holder.guestId] : []));
  }

  /** The live connections whose holder matches. */
  socketsOf(matches: (holder: Holder) => boolean): LiveSocket[] {
    return [...this.byHolder.values()].filter(({ holder }) => matches(holder)).flatMap(({ sockets }) => [...sockets]);
  }
}
