/**
 * Wiring that only matters with several instances: Socket.IO's Redis adapter, and closes of
 * sessions, accounts and case access that must reach sockets on every instance (see
 * `../sync/README.md`, "Several instances"). With one instance the fan-out is local and this
 * changes nothing.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Fanout } from '../sync/fanout.js';
import { closeRedisClient, createRedisClient } from '../sync/redis-fanout.js';
import type { SyncServer } from '../sync/sync-server.js';
import type { LiveConnections, RelayedClose } from './live-connections.js';
import type { PolkuIo } from './socket-server.js';

export interface InstanceLinks {
  /** Closes the Yjs connections of `accountIds` to the case, here and on the other instances. */
  closeCase(caseId: string, accountIds: readonly string[]): void;
  close(): Promise<void>;
}

export function linkInstances(deps: {
  config: Config;
  logger: Logger;
  fanout: Fanout;
  io: PolkuIo;
  live: LiveConnections;
  guests: LiveConnections;
  sync: SyncServer;
}): InstanceLinks {
  const { config, logger, fanout, io, live, guests, sync } = deps;
  // Socket.IO's publishing is queued while Redis is down (meeting events arrive late, not never).
  const adapterClients: Redis[] = [];
  if (config.redisUrl) {
    const publish = createRedisClient(config.redisUrl, logger, 'socket.io-publish', true);
    const subscribe = createRedisClient(config.redisUrl, logger, 'socket.io-subscribe', true);
    adapterClients.push(publish, subscribe);
    io.adapter(createAdapter(publish, subscribe, { key: `${config.redisPrefix}:socket.io` }));
  }

  const relay = (pool: 'live' | 'guests') => (close: RelayedClose) =>
    fanout.control(
      close.kind === 'session'
        ? { op: 'close-session', pool, id: close.id, reason: close.reason }
        : { op: 'close-account', accountId: close.accountId, reason: close.reason }
    );
  live.relayTo(relay('live'));
  guests.relayTo(relay('guests'));
  fanout.onControl((message) => {
    if (message.op === 'close-session') (message.pool === 'live' ? live : guests).closeSession(message.id, message.reason, true);
    else if (message.op === 'close-account') live.closeAccount(message.accountId, message.reason, true);
    else sync.closeFor(message.caseId, message.accountIds);
  });

  return {
    closeCase(caseId, accountIds) {
      sync.closeFor(caseId, accountIds);
      fanout.control({ op: 'close-case', caseId, accountIds: [...accountIds] });
    },
    async close() {
      await Promise.all(adapterClients.map(closeRedisClient));
    }
  };
}
