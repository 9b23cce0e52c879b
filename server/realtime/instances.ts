/**
 * Socket.IO's Redis adapter, which only matters with several instances (meeting rooms, presence
 * and events span the instances; see `../sync/README.md`, "Several instances"). Closing sockets
 * on every instance is the close path's (`close-path.ts`).
 */
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { closeRedisClient, createRedisClient } from '../sync/redis-fanout.js';
import type { PolkuIo } from './socket-server.js';

/** Links Socket.IO to the other instances; returns the function that closes its Redis connections. */
export function linkSocketIo(io: PolkuIo, config: Pick<Config, 'redisUrl' | 'redisPrefix'>, logger: Logger): () => Promise<void> {
  if (!config.redisUrl) return async () => undefined;
  // Socket.IO's publishing is queued while Redis is down (meeting events arrive late, not never).
  const publish = createRedisClient(config.redisUrl, logger, 'socket.io-publish', true);
  const subscribe = createRedisClient(config.redisUrl, logger, 'socket.io-subscribe', true);
  io.adapter(createAdapter(publish, subscribe, { key: `${config.redisPrefix}:socket.io` }));
  const clients: Redis[] = [publish, subscribe];
  return async () => {
    await Promise.all(clients.map(closeRedisClient));
  };
}
