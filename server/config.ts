/** Runtime configuration, read once from the environment and validated. */
import path from 'node:path';
import { z } from 'zod';

const intFrom = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  POLKU_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  POLKU_ORIGIN: z.string().optional(),
  POLKU_TRUST_PROXY: z.enum(['true', 'false', '1', '0', '']).default('false'),
  POLKU_MAX_CONNECTIONS_PER_SESSION: intFrom(20),
  POLKU_MAX_SESSIONS_PER_ACCOUNT: intFrom(10),
  POLKU_MAX_MESSAGE_BYTES: intFrom(5 * 1024 * 1024),
  POLKU_MAX_MESSAGES_PER_SECOND: intFrom(500),
  POLKU_MAX_DOCUMENT_BYTES: intFrom(16 * 1024 * 1024),
  POLKU_COMMIT_WINDOW_MS: z.coerce.number().int().min(0).max(25).default(5),
  POLKU_UNLOAD_AFTER_MS: intFrom(30_000),
  POLKU_COMPACT_AFTER_UPDATES: intFrom(500),
  POLKU_SESSION_IDLE_MINUTES: intFrom(60),
  POLKU_SESSION_ABSOLUTE_HOURS: intFrom(12),
  POLKU_SESSION_SWEEP_MS: intFrom(60_000),
  POLKU_HEARTBEAT_MS: intFrom(2_000),
  POLKU_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  POLKU_CLIENT_DIR: z.string().default('build'),
  REDIS_URL: z.string().optional(),
  POLKU_REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('polku'),
  POLKU_FANOUT_DEAD_AFTER_MS: intFrom(5_000),
  POLKU_FANOUT_RESYNC_MS: intFrom(30_000),
  POLKU_CHAIN_KEY: z.string().optional(),
  POLKU_CHAIN_KEY_FILE: z.string().optional(),
  POLKU_CHECKPOINT_MINUTES: intFrom(15),
  POLKU_AUDIT_DENIAL_WINDOW_MS: intFrom(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Extra origins allowed for WebSocket upgrades and state-changing requests. */
  allowedOrigins: string[];
  /** Behind our own reverse proxy: take the client's address from its `X-Forwarded-For`. */
  trustProxy: boolean;
  maxConnectionsPerSession: number;
  /** Live sessions one account may hold; a sign-in beyond it ends the oldest. */
  maxSessionsPerAccount: number;
  maxMessageBytes: number;
  /** Average messages per second one Yjs connection may send (bursts of 20 s worth allowed). */
  maxMessagesPerSecond: number;
  /** Largest a document may grow (encoded); an edit past it is refused. */
  maxDocumentBytes: number;
  commitWindowMs: number;
  unloadAfterMs: number;
  compactAfterUpdates: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** WebSocket ping interval; a connection silent for two of them is closed. */
  heartbeatMs: number;
  /** How often sessions with live sockets, guests' devices and consents' ends are re-checked. */
  sessionSweepMs: number;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** Redis for fan-out between instances; `undefined` runs as a single instance. */
  redisUrl: string | undefined;
  /** Prefix of every Redis channel, so that several deployments (or tests) can share one Redis. */
  redisPrefix: string;
  /** An instance silent for this long is taken for dead (its unstored updates are stored by another). */
  fanoutDeadAfterMs: number;
  /** How often loaded rooms exchange state vectors with the other instances. */
  fanoutResyncMs: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** The keyed chains' keys (base64, newest first), when given in the environment. */
  chainKey: string | undefined;
  /** Otherwise the key file (one base64 key a line, newest first); created on first start. */
  chainKeyFile: string;
  /** How often each chain's head is logged as a signed checkpoint (when it moved). */
  checkpointMs: number;
  /** Repeats of one refusal (session, action, target) within this window become one audit row with a count. */
  auditDenialWindowMs: number;
  /** The built client to serve; `null` when another server (Vite) serves it. */
  clientDir: string | null;
}

/** Reads the configuration from `env`; throws with the variable's name on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.REDIS_URL && !e.DATABASE_URL) {
    throw new Error('Invalid configuration REDIS_URL: several instances need a shared database; set DATABASE_URL (PostgreSQL) too');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.POLKU_DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    trustProxy: e.POLKU_TRUST_PROXY === 'true' || e.POLKU_TRUST_PROXY === '1',
    allowedOrigins: (e.POLKU_ORIGIN ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    maxConnectionsPerSession: e.POLKU_MAX_CONNECTIONS_PER_SESSION,
    maxSessionsPerAccount: e.POLKU_MAX_SESSIONS_PER_ACCOUNT,
    maxMessageBytes: e.POLKU_MAX_MESSAGE_BYTES,
    maxMessagesPerSecond: e.POLKU_MAX_MESSAGES_PER_SECOND,
    maxDocumentBytes: e.POLKU_MAX_DOCUMENT_BYTES,
    commitWindowMs: e.POLKU_COMMIT_WINDOW_MS,
    unloadAfterMs: e.POLKU_UNLOAD_AFTER_MS,
    compactAfterUpdates: e.POLKU_COMPACT_AFTER_UPDATES,
    sessionIdleMs: e.POLKU_SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.POLKU_SESSION_ABSOLUTE_HOURS * 3_600_000,
    sessionSweepMs: e.POLKU_SESSION_SWEEP_MS,
    heartbeatMs: e.POLKU_HEARTBEAT_MS,
    sqliteSynchronous: e.POLKU_SQLITE_SYNCHRONOUS,
    redisUrl: e.REDIS_URL || undefined,
    redisPrefix: e.POLKU_REDIS_PREFIX,
    fanoutDeadAfterMs: e.POLKU_FANOUT_DEAD_AFTER_MS,
    fanoutResyncMs: e.POLKU_FANOUT_RESYNC_MS,
    logLevel: e.LOG_LEVEL,
    chainKey: e.POLKU_CHAIN_KEY || undefined,
    chainKeyFile: path.resolve(e.POLKU_CHAIN_KEY_FILE || path.join(e.POLKU_DATA_DIR, 'chain.key')),
    checkpointMs: e.POLKU_CHECKPOINT_MINUTES * 60_000,
    auditDenialWindowMs: e.POLKU_AUDIT_DENIAL_WINDOW_MS,
    clientDir: e.POLKU_CLIENT_DIR === '' ? null : path.resolve(e.POLKU_CLIENT_DIR)
  };
}
