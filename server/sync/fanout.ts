/**
 * How a room's updates and awareness changes reach other instances of the server. On one
 * instance nothing needs to travel, so `localFanout` does nothing; a Redis implementation plugs
 * in here without touching the sync loop.
 */
export type FanoutKind = 'update' | 'awareness';

export interface FanoutMessage {
  room: string;
  kind: FanoutKind;
  payload: Uint8Array;
}

export interface Fanout {
  /** Sends a change made on this instance to the others. */
  publish(message: FanoutMessage): void;
  /** Starts receiving other instances' changes to `room`; returns the unsubscribe function. */
  subscribe(room: string, onMessage: (message: FanoutMessage) => void): () => void;
  close(): Promise<void>;
}

/** The single-instance fan-out: there is nobody else to tell. */
export const localFanout: Fanout = {
  publish: () => undefined,
  subscribe: () => () => undefined,
  close: async () => undefined
};
