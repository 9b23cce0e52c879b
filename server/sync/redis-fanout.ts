/**
 * Fan-out between instances over Redis pub/sub (see README.md for why pub/sub and not Streams).
 *
 * - Each loaded room subscribes to `polku:doc:<room>`; updates and awareness changes made by
 *   this instance's peers are published there and applied by the others with `REMOTE_ORIGIN`
 *   (broadcast there, stored here).
 * - Pub/sub forgets what it could not deliver, so instances catch up the way y-websocket clients
 *   do: by exchanging state vectors (`sync` messages) when a room is subscribed, whenever the
 *   link to Redis comes back, and every `resyncMs` as a safety net.
 * - `polku:cluster` carries a heartbeat with the instance's "stored up to ticket" mark, and
 *   control messages (closing sockets that live on another instance). An instance that stops
 *   beating while updates it published are not yet marked stored is taken for dead, and what
 *   the database lacks of those updates is stored by whoever noticed (`DocumentStore.adopt`,
 *   which stores only the missing part, under the document's lock).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../logger.js';
import type { DocumentStore } from './store.js';
import { RememberedUpdates, type RememberedLimits } from './remembered.js';
import type { ControlMessage, Fanout, FanoutKind, FanoutMessage, RoomSubscription } from './fanout.js';

const KINDS: FanoutKind[] = ['update', 'awareness', 'sync'];
const MAX_QUEUED_CONTROL = 10_000;
const QUIT_TIMEOUT_MS = 1_000;

export interface RedisFanoutOptions {
  url: string;
  /** Channels are `<prefix>:doc:<room>` and `<prefix>:cluster`. */
  prefix?: string;
  store: Pick<DocumentStore, 'adopt'>;
  logger: Logger;
  /** How often this instance says it is alive (and how far it has stored). */
  heartbeatMs?: number;
  /** An instance not heard from for this long is taken for dead. */
  deadAfterMs?: number;
  /** How often every loaded room exchanges state vectors with the other instances. */
  resyncMs?: number;
  /** Counts messages for the metrics. */
  onMessage?: (direction: 'in' | 'out' | 'dropped') => void;
  /** Counts updates stored on behalf of a dead instance. */
  onAdopted?: (updates: number) => void;
  /** Bounds of the other instances' unstored updates kept here (default 100,000 and 128 MiB). */
  remembered?: RememberedLimits;
}

export interface RedisFanout extends Fanout {
  readonly instanceId: string;
  /** Other instances' unstored updates kept here, and how many were forgotten for the bound. */
  remembered(): { updates: number; bytes: number; dropped: number };
}

type ClusterMessage =
  | { t: 'alive'; i: string; s: number }
  | { t: 'bye'; i: string; s: number }
  | { t: 'control'; i: string; m: ControlMessage };

/** A Redis connection with the options every Polku connection uses. */
export function createRedisClient(url: string, logger: Logger, role: string, queueWhileOffline: boolean): Redis {
  const client = new Redis(url, {
    // Reconnect quickly and forever: an instance keeps serving its own clients meanwhile.
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    // Commands are either queued until the link is back (subscriptions: their number is
    // bounded by the rooms) or refused at once (publishing: the sync exchange catches up).
    enableOfflineQueue: queueWhileOffline,
    maxRetriesPerRequest: queueWhileOffline ? null : 1,
    connectionName: `polku-${role}`
  });
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.warn({ err: error, role }, 'redis connection error; reconnecting');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.info({ role }, 'redis connection is back');
    reported = false;
  });
  return client;
}

/**
 * Closes a connection without hanging: `quit` waits for queued commands, which never go out while
 * Redis is down, so a connection that is not ready (or does not finish quitting) is dropped.
 */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status !== 'ready') return client.disconnect();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)));
  await Promise.race([client.quit().then(() => undefined), timeout]).catch(() => undefined);
  clearTimeout(timer);
  client.disconnect();
}

function encodeDocMessage(instanceId: string, message: FanoutMessage): Buffer {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, KINDS.indexOf(message.kind));
  encoding.writeVarString(encoder, instanceId);
  encoding.writeVarUint(encoder, message.ticket ?? 0);
  encoding.writeVarString(encoder, message.accountId ?? '');
  encoding.writeVarUint(encoder, message.reply ? 1 : 0);
  encoding.writeVarUint8Array(encoder, message.payload);
  return Buffer.from(encoding.toUint8Array(encoder));
}

function decodeDocMessage(room: string, data: Uint8Array): { from: string; message: FanoutMessage } {
  const decoder = decoding.createDecoder(data);
  const kind = KINDS[decoding.readVarUint(decoder)];
  if (!kind) throw new Error('unknown fan-out message kind');
  const from = decoding.readVarString(decoder);
  const ticket = decoding.readVarUint(decoder);
  const accountId = decoding.readVarString(decoder) || null;
  const reply = decoding.readVarUint(decoder) === 1;
  const payload = decoding.readVarUint8Array(decoder);
  return { from, message: { room, kind, payload, ticket, accountId, reply } };
}

export function createRedisFanout(options: RedisFanoutOptions): RedisFanout {
  const { logger, store } = options;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const deadAfterMs = options.deadAfterMs ?? 5_000;
  const resyncMs = options.resyncMs ?? 30_000;
  const count = options.onMessage ?? (() => undefined);
  const instanceId = randomBytes(8).toString('hex');
  const DOC_PREFIX = `${options.prefix ?? 'polku'}:doc:`;
  const CLUSTER_CHANNEL = `${options.prefix ?? 'polku'}:cluster`;
  const pub = createRedisClient(options.url, logger, 'fanout-publish', false);
  const sub = createRedisClient(options.url, logger, 'fanout-subscribe', true);
  const rooms = new Map<string, Set<RoomSubscription>>();
  const remembered = new RememberedUpdates(options.remembered ?? { maxUpdates: 100_000, maxBytes: 128 * 1024 * 1024 });
  /** Each instance listens on a channel of its own: while it has a listener there, it is alive. */
  const instanceChannel = (id: string): string => `${options.prefix ?? 'polku'}:instance:${id}`;
  const controlHandlers: Array<(message: ControlMessage) => void> = [];
  let storedTicket = 0;
  /** Since when the subscription link is up (`null` while it is down). */
  let listeningSince: number | null = null;
  let everReady = false;
  let closed = false;

  const send = (channel: string, data: Buffer): void => {
    if (pub.status !== 'ready') {
      count('dropped');
      return;
    }
    count('out');
    pub.publish(channel, data).catch(() => count('dropped'));
  };
  const sendCluster = (message: ClusterMessage): void => send(CLUSTER_CHANNEL, Buffer.from(JSON.stringify(message)));
  // Control messages (closing someone's sockets) must not be lost to a Redis blip: they wait.
  const controlQueue: Buffer[] = [];
  const publishControl = (data: Buffer): void => {
    count('out');
    pub.publish(CLUSTER_CHANNEL, data).catch(() => controlQueue.push(data));
  };
  const sendControl = (message: ControlMessage): void => {
    const data = Buffer.from(JSON.stringify({ t: 'control', i: instanceId, m: message } satisfies ClusterMessage));
    if (pub.status === 'ready') publishControl(data);
    else if (controlQueue.length < MAX_QUEUED_CONTROL) controlQueue.push(data);
    else logger.error('too many control messages waiting for Redis; dropping one');
  };
  pub.on('ready', () => {
    for (const data of controlQueue.splice(0)) publishControl(data);
  });

  const resyncAll = (): void => {
    for (const subscriptions of rooms.values()) for (const s of subscriptions) s.resync();
  };

  sub.on('ready', () => {
    listeningSince = Date.now();
    // Nobody could be heard while the link was down: start counting afresh.
    remembered.restartClocks(listeningSince);
    if (everReady) resyncAll();
    everReady = true;
  });
  sub.on('close', () => {
    listeningSince = null;
  });
  void sub.subscribe(CLUSTER_CHANNEL, instanceChannel(instanceId)).catch((error: unknown) => logger.warn({ err: error }, 'redis subscribe failed'));

  sub.on('messageBuffer', (channelBuffer: Buffer, data: Buffer) => {
    const channel = channelBuffer.toString();
    try {
      if (channel === CLUSTER_CHANNEL) return onCluster(JSON.parse(data.toString()) as ClusterMessage);
      if (!channel.startsWith(DOC_PREFIX)) return;
      const room = channel.slice(DOC_PREFIX.length);
      const { from, message } = decodeDocMessage(room, data);
      if (from === instanceId) return;
      count('in');
      if (message.kind === 'update' && message.ticket) {
        remembered.remember(from, { ticket: message.ticket, room, update: message.payload, accountId: message.accountId ?? null });
      } else remembered.heard(from);
      for (const s of rooms.get(room) ?? []) s.message(message);
    } catch (error) {
      logger.warn({ err: error, channel }, 'ignoring a malformed fan-out message');
    }
  });

  const onCluster = (message: ClusterMessage): void => {
    if (message.i === instanceId) return;
    if (message.t === 'control') {
      for (const handler of controlHandlers) handler(message.m);
      return;
    }
    if (message.t === 'bye') remembered.left(message.i, message.s);
    else remembered.markStored(message.i, message.s);
  };

  /** This instance's whole copy of `room`, if it holds the room. */
  const wholeRoom = (room: string): Uint8Array | null => {
    for (const subscription of rooms.get(room) ?? []) return subscription.state();
    return null;
  };

  /**
   * Stores what the database lacks of a silent instance's unstored updates — unless it still
   * listens on its own channel: then it is only paused (a long garbage collection, a big PDF)
   * and will store them itself; adopting them too would store the same updates twice.
   */
  const adoptIfGone = async (id: string): Promise<void> => {
    try {
      const [, listeners] = (await pub.call('PUBSUB', 'NUMSUB', instanceChannel(id))) as [string, number];
      if (Number(listeners) > 0) {
        remembered.heard(id);
        logger.warn({ instance: id }, 'an instance is silent but still connected to Redis; waiting for it');
        return;
      }
      const { stored, lost } = await remembered.adopt(id, store, wholeRoom);
      if (stored > 0) options.onAdopted?.(stored);
      logger.warn({ instance: id, missing: stored }, 'an instance stopped answering; stored what it had not');
      if (lost.length > 0) logger.error({ instance: id, rooms: lost }, 'some of a stopped instance\'s updates were forgotten for the bound and their rooms are not loaded here; they are stored when a client holding them reconnects');
    } catch (error) {
      logger.error({ err: error, instance: id }, 'storing a stopped instance\'s updates failed; will retry');
    }
  };

  const heartbeat = setInterval(() => {
    sendCluster({ t: 'alive', i: instanceId, s: storedTicket });
    const now = Date.now();
    // Judge others only after listening long enough to have heard them.
    if (listeningSince === null || now - listeningSince < deadAfterMs) return;
    for (const id of remembered.silent(deadAfterMs)) void adoptIfGone(id);
  }, heartbeatMs);
  heartbeat.unref();
  const periodicResync = setInterval(resyncAll, resyncMs);
  periodicResync.unref();

  return {
    instanceId,
    remembered: () => ({ updates: remembered.updates, bytes: remembered.bytes, dropped: remembered.dropped }),
    publish(message) {
      send(DOC_PREFIX + message.room, encodeDocMessage(instanceId, message));
    },
    subscribe(room, subscription) {
      let subscriptions = rooms.get(room);
      if (!subscriptions) {
        rooms.set(room, (subscriptions = new Set()));
        sub.subscribe(DOC_PREFIX + room).then(
          // Others may hold changes made before this instance listened.
          () => subscription.resync(),
          (error: unknown) => logger.warn({ err: error, room }, 'redis subscribe failed')
        );
      }
      subscriptions.add(subscription);
      return () => {
        const current = rooms.get(room);
        if (!current?.delete(subscription) || current.size > 0) return;
        rooms.delete(room);
        if (!closed) sub.unsubscribe(DOC_PREFIX + room).catch(() => undefined);
      };
    },
    stored(ticket) {
      storedTicket = Math.max(storedTicket, ticket);
    },
    control: sendControl,
    onControl(handler) {
      controlHandlers.push(handler);
    },
    connected: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      closed = true;
      clearInterval(heartbeat);
      clearInterval(periodicResync);
      sendCluster({ t: 'bye', i: instanceId, s: storedTicket });
      await Promise.all([closeRedisClient(pub), closeRedisClient(sub)]);
    }
  };
}
