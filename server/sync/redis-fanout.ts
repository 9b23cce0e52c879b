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
import { groupBy } from '../../shared/group-by.js';
import type { Logger } from '../logger.js';
import type { DocumentStore } from './store.js';
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
}

export interface RedisFanout extends Fanout {
  readonly instanceId: string;
}

interface Published {
  ticket: number;
  room: string;
  update: Uint8Array;
  accountId: string | null;
}

interface OtherInstance {
  lastHeard: number;
  stored: number;
  /** Its published updates not yet marked stored. */
  unstored: Published[];
  adopting: boolean;
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
  const others = new Map<string, OtherInstance>();
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
    for (const other of others.values()) other.lastHeard = listeningSince;
    if (everReady) resyncAll();
    everReady = true;
  });
  sub.on('close', () => {
    listeningSince = null;
  });
  void sub.subscribe(CLUSTER_CHANNEL).catch((error: unknown) => logger.warn({ err: error }, 'redis subscribe failed'));

  const otherInstance = (id: string): OtherInstance => {
    let other = others.get(id);
    if (!other) others.set(id, (other = { lastHeard: Date.now(), stored: 0, unstored: [], adopting: false }));
    return other;
  };
  const markStored = (other: OtherInstance, ticket: number): void => {
    other.stored = Math.max(other.stored, ticket);
    if (other.unstored.length > 0 && other.unstored[0]!.ticket <= other.stored) {
      other.unstored = other.unstored.filter((u) => u.ticket > other.stored);
    }
  };

  sub.on('messageBuffer', (channelBuffer: Buffer, data: Buffer) => {
    const channel = channelBuffer.toString();
    try {
      if (channel === CLUSTER_CHANNEL) return onCluster(JSON.parse(data.toString()) as ClusterMessage);
      if (!channel.startsWith(DOC_PREFIX)) return;
      const room = channel.slice(DOC_PREFIX.length);
      const { from, message } = decodeDocMessage(room, data);
      if (from === instanceId) return;
      count('in');
      const other = otherInstance(from);
      other.lastHeard = Date.now();
      if (message.kind === 'update' && message.ticket && message.ticket > other.stored) {
        other.unstored.push({ ticket: message.ticket, room, update: message.payload, accountId: message.accountId ?? null });
      }
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
    const other = otherInstance(message.i);
    other.lastHeard = Date.now();
    markStored(other, message.s);
    if (message.t === 'bye' && other.unstored.length === 0) others.delete(message.i);
  };

  /** Stores what the database lacks of a dead instance's unstored updates. */
  const adopt = async (id: string, other: OtherInstance): Promise<void> => {
    other.adopting = true;
    const batch = other.unstored;
    try {
      // All of a document's updates together, in the order they were made: one may build on
      // another person's (Yjs would leave it pending if applied alone). The author is kept when
      // there is only one.
      let stored = 0;
      for (const [room, list] of groupBy(batch, (u) => u.room)) {
        const authors = new Set(list.map((u) => u.accountId));
        const author = authors.size === 1 ? list[0]!.accountId : null;
        if (await store.adopt(room, list.map((u) => u.update), author)) stored += list.length;
      }
      const done = new Set(batch);
      other.unstored = other.unstored.filter((u) => !done.has(u));
      if (stored > 0) options.onAdopted?.(stored);
      logger.warn({ instance: id, updates: batch.length, missing: stored }, 'an instance stopped answering; stored what it had not');
      if (other.unstored.length === 0) others.delete(id);
    } catch (error) {
      logger.error({ err: error, instance: id }, 'storing a stopped instance\'s updates failed; will retry');
    } finally {
      other.adopting = false;
    }
  };

  const heartbeat = setInterval(() => {
    sendCluster({ t: 'alive', i: instanceId, s: storedTicket });
    const now = Date.now();
    // Judge others only after listening long enough to have heard them.
    if (listeningSince === null || now - listeningSince < deadAfterMs) return;
    for (const [id, other] of others) {
      if (now - other.lastHeard < deadAfterMs || other.adopting) continue;
      if (other.unstored.length > 0) void adopt(id, other);
      else others.delete(id);
    }
  }, heartbeatMs);
  heartbeat.unref();
  const periodicResync = setInterval(resyncAll, resyncMs);
  periodicResync.unref();

  return {
    instanceId,
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
