/** The signed-in person's Socket.IO connection, shared by the pages that listen to case events. */
import type { PolkuSocket } from './socket';

class Live {
  socket = $state<PolkuSocket | null>(null);
}

export const live = new Live();

/**
 * Subscribes to a case's `case:changed`, `case:revoked` and `case:meetings` events while the calling component
 * lives; resubscribes after reconnects. Returns the cleanup function for an `$effect`.
 */
export function followCase(caseId: string, handlers: { changed(): void; revoked(): void; meetings?(): void }): () => void {
  const socket = live.socket;
  if (!socket) return () => undefined;
  const subscribe = () => socket.emit('case:subscribe', caseId, () => undefined);
  const onChanged = (payload: { caseId: string }) => payload.caseId === caseId && handlers.changed();
  const onRevoked = (payload: { caseId: string }) => payload.caseId === caseId && handlers.revoked();
  const onMeetings = (payload: { caseId: string }) => payload.caseId === caseId && handlers.meetings?.();
  socket.on('connect', subscribe);
  socket.on('case:meetings', onMeetings);
  socket.on('case:changed', onChanged);
  socket.on('case:revoked', onRevoked);
  if (socket.connected) subscribe();
  return () => {
    socket.off('connect', subscribe);
    socket.off('case:changed', onChanged);
    socket.off('case:revoked', onRevoked);
    socket.off('case:meetings', onMeetings);
    socket.emit('case:unsubscribe', caseId);
  };
}
