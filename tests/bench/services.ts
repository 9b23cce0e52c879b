/**
 * PostgreSQL and Redis for the two-instance mode: a fresh database for every case, and the
 * processes of both services whose CPU the load case reports apart from the Polku instances'.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  /** The URL to give Polku (`DATABASE_URL`). */
  url: string;
  drop(): Promise<void>;
}

/** A random suffix for names that must not collide between cases or with other users of the services. */
export const randomSuffix = (): string => randomUUID().replaceAll('-', '').slice(0, 16);

/** Creates an empty database on the server of `adminUrl` (any existing database to connect to). */
export async function createDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `polku_bench_${randomSuffix()}`;
  await withPostgres(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withPostgres(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  };
}

/**
 * PostgreSQL's processes working for `database` (its backends, and the shared background
 * processes such as the WAL writer, whose `datname` is null) and the Redis server's process.
 * Backends come and go with Polku's connection pools, so the load case asks at both ends of its window.
 */
export async function servicePids(adminUrl: string, database: string, redisUrl: string): Promise<number[]> {
  const [postgres, redis] = await Promise.all([
    withPostgres(adminUrl, (client) => client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 OR datname IS NULL', [database])),
    redisPid(redisUrl)
  ]);
  return [...postgres.rows.map((row) => row.pid), ...(redis === null ? [] : [redis])];
}

async function withPostgres<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The Redis server's process id as it reports it (`INFO server`). */
async function redisPid(url: string): Promise<number | null> {
  const pid = Number(/^process_id:(\d+)/m.exec(await withRedis(url, (redis) => redis.info('server')))?.[1]);
  return Number.isInteger(pid) ? pid : null;
}

async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  // One attempt: a Redis that is not there should fail the call, not be retried for ever.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // ioredis tells why a connection failed in an 'error' event; the call itself only says it closed.
  let failure: unknown = null;
  redis.on('error', (error: unknown) => (failure = error));
  try {
    await redis.connect().catch((error: unknown) => {
      throw failure ?? error;
    });
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** Fails early, naming the service, if PostgreSQL or Redis does not answer (a server would only time out starting). */
export async function checkServices(postgresUrl: string, redisUrl: string): Promise<void> {
  const named = (service: string, url: string) => (error: unknown) => {
    throw new Error(`${service} at ${new URL(url).host} does not answer: ${error instanceof Error ? error.message : String(error)}`);
  };
  await withPostgres(postgresUrl, (client) => client.query('SELECT 1')).catch(named('PostgreSQL', postgresUrl));
  await withRedis(redisUrl, (redis) => redis.ping()).catch(named('Redis', redisUrl));
}
