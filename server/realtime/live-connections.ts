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

export class LiveConnections {
  private readonly bySession = new Map<string, Set<LiveSocket>>();
  private readonly accountOfSession = new Map<string, string>();

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

  /** Closes every socket of every session of the account. */
  closeAccount(accountId: string, reason: 'signed_out' | 'expired' | 'revoked'): void {
    for (const [sessionId, owner] of [...this.accountOfSession]) if (owner === accountId) this.closeSession(sessionId, reason);
  }

  /** Sessions that have at least one live socket. */
  sessions(): string[] {
    return [...this.bySession.keys()];
  }

  closeSession(sessionId: string, reason: 'signed_out' | 'expired' | 'revoked'): void {
    for (const socket of [...(this.bySession.get(sessionId) ?? [])]) socket.close(reason);
  }
}
