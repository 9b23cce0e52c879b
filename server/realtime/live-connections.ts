/**
 * Every live socket (Yjs or Socket.IO) by session, so that the per-session limit can be
 * enforced and a session's sockets closed at once when it ends.
 */
export interface LiveSocket {
  close(reason: 'signed_out' | 'expired' | 'revoked'): void;
}

export interface SocketOwner {
  sessionId: string;
  accountId: string;
}

export type CloseReason = 'signed_out' | 'expired' | 'revoked';

/** A close that must also happen on the other instances (their sockets of the same session). */
export type RelayedClose = { kind: 'session'; id: string; reason: CloseReason } | { kind: 'account'; accountId: string; reason: CloseReason };

export class LiveConnections {
  private readonly bySession = new Map<string, Set<LiveSocket>>();
  private readonly accountOfSession = new Map<string, string>();
  private relay: ((close: RelayedClose) => void) | null = null;

  /** Every close asked for here is also sent to `relay` (the other instances). */
  relayTo(relay: (close: RelayedClose) => void): void {
    this.relay = relay;
  }

  count(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }

  /** Registers a socket; returns the function that unregisters it. */
  add({ sessionId, accountId }: SocketOwner, socket: LiveSocket): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    this.accountOfSession.set(sessionId, accountId);
    set.add(socket);
    return () => {
      set.delete(socket);
      if (set.size === 0 && this.bySession.get(sessionId) === set) {
        this.bySession.delete(sessionId);
        this.accountOfSession.delete(sessionId);
      }
    };
  }

  /** Closes every socket of every session of the account (here and, unless `relayed`, elsewhere). */
  closeAccount(accountId: string, reason: CloseReason, relayed = false): void {
    for (const [sessionId, owner] of [...this.accountOfSession]) if (owner === accountId) this.closeLocal(sessionId, reason);
    if (!relayed) this.relay?.({ kind: 'account', accountId, reason });
  }

  /** Sessions that have at least one live socket. */
  sessions(): string[] {
    return [...this.bySession.keys()];
  }

  /** Closes every socket of the session (here and, unless `relayed`, elsewhere). */
  closeSession(sessionId: string, reason: CloseReason, relayed = false): void {
    this.closeLocal(sessionId, reason);
    if (!relayed) this.relay?.({ kind: 'session', id: sessionId, reason });
  }

  private closeLocal(sessionId: string, reason: CloseReason): void {
    for (const socket of [...(this.bySession.get(sessionId) ?? [])]) socket.close(reason);
  }
}
