/**
 * One process, one port: the API, the built client, the Yjs endpoint and Socket.IO.
 * `startServer` returns a handle whose `stop` shuts down gracefully: stop accepting, close
 * sockets, store every pending update, compact, close the database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createApi } from './api/app.js';
import type { Config } from './config.js';
import { closeDatabase, openDatabase, type OpenDatabase } from './db/connect.js';
import type { Dialect } from './db/migrations/index.js';
import { createOperationsApp, createMetrics } from './http/operations.js';
import { createStaticApp } from './http/static.js';
import { createLogger, type Logger } from './logger.js';
import { createClosePath } from './realtime/close-path.js';
import { LiveConnections } from './realtime/live-connections.js';
import { createCaseRealtime, createMeetingRealtime, createSocketServer, type PolkuIo } from './realtime/socket-server.js';
import type { MeetingRealtime } from './realtime/meeting-realtime.js';
import { startGuestSweeper } from './realtime/guest-sweeper.js';
import { startConsentExpiry } from './realtime/consent-expiry.js';
import { expireEndedConsents } from './services/consent-service.js';
import { startDenialLimiter } from './services/audit-service.js';
import { checkpointPublisher, loadKeyRing, missingTriggers, prepareChains, useKeyRing } from './services/chain.js';
import { moveViewsOut } from './services/view-move-service.js';
import { createServerDocs } from './sync/server-edits.js';
import type { CaseRealtime } from './realtime/case-realtime.js';
import { startSessionSweeper } from './realtime/session-sweeper.js';
import { createDocumentStore, type DocumentStore } from './repositories/documents.js';
import { localFanout, type Fanout } from './sync/fanout.js';
import { createRedisFanout, type RedisFanout } from './sync/redis-fanout.js';
import { linkSocketIo } from './realtime/instances.js';
import { createYjsEndpoint, type YjsContext } from './realtime/yjs-endpoint.js';
import { requestLogging } from './http/request-logging.js';
import { RoomRegistry } from './sync/room-registry.js';
import { SyncServer, YJS_PATH_PREFIX } from './sync/sync-server.js';
import { UpdateWriter } from './sync/update-writer.js';

export interface ServerOptions {
  config: Config;
  logger?: Logger;
  /** Wraps the document store (tests use it to inject storage faults). */
  wrapStore?: (store: DocumentStore) => DocumentStore;
  fanout?: Fanout;
  /** In development, requests outside `/api` go here (Vite's middleware). */
  devMiddleware?: (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
}

export interface RunningServer {
  port: number;
  url: string;
  /** The database (its query builder: tests read it directly). */
  db: OpenDatabase['db'];
  dialect: Dialect;
  registry: RoomRegistry;
  writer: UpdateWriter;
  sync: SyncServer<YjsContext>;
  io: PolkuIo;
  httpServer: http.Server;
  logger: Logger;
  stop(): Promise<void>;
}

/** How long shutdown waits for closing connections to hand over what they sent. */
const SHUTDOWN_CLOSE_MS = 2_000;
const SHUTDOWN_FLUSH_MS = 15_000;
const OPERATIONS = new Set(['/healthz', '/readyz', '/metrics']);

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const { db, dialect } = await openDatabase(config);
  try {
    useKeyRing(db, loadKeyRing({ key: config.chainKey, keyFile: config.chainKeyFile }, { create: true, warn: (message) => logger.warn(message) }));
    await prepareChains(db);
  } catch (error) {
    await closeDatabase(db);
    throw error;
  }
  const missing = await missingTriggers(db);
  if (missing.length > 0) {
    logger.warn({ missing }, 'protecting triggers are missing or disabled: the audit log or the archive can be changed in the database; run `npm run polku -- audit verify` and `archive verify`');
  }
  const stopDenialLimiter = startDenialLimiter(db, config.auditDenialWindowMs, logger);
  const publishCheckpoints = checkpointPublisher(db, logger);
  await publishCheckpoints();
  const checkpointTimer = setInterval(() => void publishCheckpoints().catch((error: unknown) => logger.error({ err: error }, 'could not publish a chain checkpoint')), config.checkpointMs);
  checkpointTimer.unref();
  // Before any connection: cases made before consent scopes get their views in their own documents.
  const movedViews = await moveViewsOut(db);
  if (movedViews > 0) logger.info({ cases: movedViews }, 'moved the wheel, map and path into their own documents');
  const baseStore = createDocumentStore(db);
  const store = options.wrapStore ? options.wrapStore(baseStore) : baseStore;
  // Gauges read these lazily; they are assigned below.
  let sync: SyncServer<YjsContext> | null = null;
  let registry: RoomRegistry | null = null;
  let fanout: Fanout = localFanout;
  let redisFanout: RedisFanout | null = null;
  const metrics = createMetrics({
    connections: () => sync?.connectionCount ?? 0,
    rooms: () => registry?.loadedCount ?? 0,
    backlog: () => writer.backlog,
    fanoutConnected: () => fanout.connected(),
    remembered: () => redisFanout?.remembered() ?? null,
    missingTriggers: async () => (await missingTriggers(db)).length
  });
  fanout =
    options.fanout ??
    (config.redisUrl
      ? (redisFanout = createRedisFanout({
          url: config.redisUrl,
          prefix: config.redisPrefix,
          store,
          logger,
          deadAfterMs: config.fanoutDeadAfterMs,
          resyncMs: config.fanoutResyncMs,
          onMessage: (direction) => metrics.fanoutMessages.inc({ direction }),
          onAdopted: (updates) => metrics.adoptedUpdates.inc(updates)
        }))
      : localFanout);
  const writer = new UpdateWriter(store, {
    windowMs: config.commitWindowMs,
    compactAfterUpdates: config.compactAfterUpdates,
    logger,
    onCommit: (updates, seconds, lagSeconds) => {
      metrics.updates.inc(updates);
      metrics.commitSeconds.observe(seconds);
      metrics.persistenceLagSeconds.observe(lagSeconds);
    },
    onStored: (ticket) => fanout.stored(ticket)
  });
  registry = new RoomRegistry({ store, writer, fanout, unloadAfterMs: config.unloadAfterMs, logger });
  const live = new LiveConnections();
  const close = createClosePath(live, fanout, logger);
  const docs = createServerDocs(registry, writer, logger);

  // Socket.IO and the Yjs server need the HTTP server, and the API needs them: bind late.
  let realtimeImpl: CaseRealtime | null = null;
  const realtime: CaseRealtime = {
    changed: (caseId) => realtimeImpl?.changed(caseId)
  };
  let meetingsImpl: MeetingRealtime | null = null;
  const meetings: MeetingRealtime = {
    caseChanged: (caseId) => meetingsImpl?.caseChanged(caseId),
    changed: (meetingId, caseId) => meetingsImpl?.changed(meetingId, caseId),
    ended: (meetingId, caseId) => meetingsImpl?.ended(meetingId, caseId),
    guestChanged: (guestId, status) => meetingsImpl?.guestChanged(guestId, status)
  };
  const app = new Hono();
  app.use(requestLogging(logger));
  app.route('/', createOperationsApp(db, metrics, () => fanout.connected(), config.trustProxy));
  app.route('/', createApi({ db, config, close, realtime, logger, docs, meetings }));
  if (!options.devMiddleware && config.clientDir) app.route('/', createStaticApp(config.clientDir));
  const honoListener = getRequestListener(app.fetch);
  const httpServer = http.createServer((req, res) => {
    if (options.devMiddleware && !req.url?.startsWith('/api/') && req.url !== '/api' && !OPERATIONS.has(req.url ?? '')) {
      options.devMiddleware(req, res, () => void honoListener(req, res));
      return;
    }
    void honoListener(req, res);
  });

  const yjs = createYjsEndpoint({ db, config, live, logger });
  sync = new SyncServer(registry, yjs.hooks, { maxMessageBytes: config.maxMessageBytes, maxMessagesPerSecond: config.maxMessagesPerSecond, maxDocumentBytes: config.maxDocumentBytes, heartbeatMs: config.heartbeatMs }, logger);
  const stopSweeper = startSessionSweeper(db, live, close, logger, config.sessionSweepMs);
  const stopGuestSweeper = startGuestSweeper(db, live, close, logger, config.sessionSweepMs);
  const io = createSocketServer(httpServer, { db, config, live, logger });
  const closeSocketIoLinks = linkSocketIo(io, config, logger);
  realtimeImpl = createCaseRealtime(io);
  meetingsImpl = createMeetingRealtime(io, close);
  const stopConsentExpiry = startConsentExpiry(() => expireEndedConsents({ db, realtime, close }), logger, config.sessionSweepMs);
  httpServer.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '';
    if (url.startsWith(YJS_PATH_PREFIX)) {
      void sync.handleUpgrade(req, socket, head).catch((error: unknown) => {
        logger.error({ err: error }, 'yjs upgrade failed');
        socket.destroy();
      });
    } else if (!url.startsWith('/socket.io/') && !options.devMiddleware) {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, dialect, instances: config.redisUrl ? 'several (Redis fan-out)' : 'one' }, 'Polku is listening');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      stopSweeper();
      stopGuestSweeper();
      const consentExpiryStopped = stopConsentExpiry();
      httpServer.close();
      sync.closeAll();
      io.disconnectSockets(true);
      // What the clients sent before the close is still being handled: let it reach the queue.
      await sync.closed(SHUTDOWN_CLOSE_MS);
      const stored = await writer.drainAll(Date.now() + SHUTDOWN_FLUSH_MS);
      if (!stored) logger.error({ pending: writer.backlog }, 'could not store every pending update before shutdown');
      await registry.unloadAll();
      await sync.close();
      await yjs.drained();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections();
      await fanout.close();
      await closeSocketIoLinks();
      await consentExpiryStopped;
      clearInterval(checkpointTimer);
      await stopDenialLimiter();
      await publishCheckpoints().catch((error: unknown) => logger.error({ err: error }, 'could not publish a chain checkpoint'));
      await closeDatabase(db);
      logger.info('stopped');
    })());

  return { port, url, db, dialect, registry, writer, sync, io, httpServer, logger, stop };
}
