/**
 * How a room's changes reach the other instances of the server, and how the application's
 * control messages (closing sockets) reach them. On one instance nothing needs to travel, so `localFanout` does
 * nothing; `redis-fanout.ts` is the implementation for several instances (see README.md).
 */
export type FanoutKind = 'update' | 'awareness' | 'sync';

export interface FanoutMessage {
  room: string;
  kind: FanoutKind;
  /** An update, an awareness update, or (for `sync`) the sender's state vector. */
  payload: Uint8Array;
  /**
   * For an update received from a peer of the sending instance: its writer ticket (the
   * position in that instance's write queue, see `UpdateWriter.enqueue`) and its author, so
   * that another instance can store it should the sender die before it did. 0 otherwise.
   */
  ticket?: number;
  accountId?: string | null;
  /** For `sync`: whether this is the answer to another instance's `sync` (not to be answered). */
  reply?: boolean;
}

export interface RoomSubscription {
  /** A change from another instance. */
  message(message: FanoutMessage): void;
  /** The link to the others was (re)established: exchange state vectors to catch up. */
  resync(): void;
  /** This instance's whole copy of the room, as one update. */
  state(): Uint8Array;
}

/**
 * A message of the application's to every other instance (e.g. "close these sockets"). Sync
 * relays it as JSON over the cluster channel and knows nothing of its meaning; the receiver
 * checks its shape.
 */
export type ControlMessage = { readonly op: string } & Readonly<Record<string, unknown>>;

export interface Fanout {
  /** Sends a change made on this instance to the others. */
  publish(message: FanoutMessage): void;
  /** Starts receiving other instances' changes to `room`; returns the unsubscribe function. */
  subscribe(room: string, subscription: RoomSubscription): () => void;
  /** The writer stored every update up to `ticket`: others may forget them. */
  stored(ticket: number): void;
  /** Sends a control message to the other instances. */
  control(message: ControlMessage): void;
  /** Receives the other instances' control messages. */
  onControl(handler: (message: ControlMessage) => void): void;
  /** `null` when there is nobody to talk to; otherwise whether the link is up. */
  connected(): boolean | null;
  close(): Promise<void>;
}

/** The single-instance fan-out: there is nobody else to tell. */
export const localFanout: Fanout = {
  publish: () => undefined,
  subscribe: () => () => undefined,
  stored: () => undefined,
  control: () => undefined,
  onControl: () => undefined,
  connected: () => null,
  close: async () => undefined
};
