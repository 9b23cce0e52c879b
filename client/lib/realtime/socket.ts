/** The typed Socket.IO connection for meeting events, open while someone is signed in. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/socket-events';

export type PolkuSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects to `/socket.io` with the session cookie; `onEnded` runs when the server ends the session. */
export function connectSocket(onEnded: () => void): PolkuSocket {
  const socket: PolkuSocket = io({ path: '/socket.io', transports: ['websocket'], withCredentials: true });
  socket.on('session:ended', () => {
    socket.disconnect();
    onEnded();
  });
  return socket;
}
