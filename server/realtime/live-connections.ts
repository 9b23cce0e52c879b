/**
 * Every live socket (Yjs or Socket.IO) by session, so that the per-session limit can be
 * enforced and a session's sockets closed at once when it ends.
 */
export interface LiveSocket {
  close(reason: 'signed_out' | 'expired' | 'revoked'): void;
}

export class LiveConnections {
  private readonly bySession = new Map<string, Set<LiveSocket>>();

  count(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }

  /** Registers a socket; returns the function that unregisters it. */
  add(sessionId: string, socket: LiveSocket): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(socket);
    return () => {
      set.delete(socket);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    };
  }

  /** Sessions that have at least one live socket. */
  sessions(): string[] {
    return [...this.bySession.keys()];
  }

  closeSession(sessionId: string, reason: 'signed_out' | 'expired' | 'revoked'): void {
    for (const socket of [...(this.bySession.get(sessionId) ?? [])]) socket.close(reason);
  }
}
