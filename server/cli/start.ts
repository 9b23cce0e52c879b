/** `npm start`: build the client if needed, then serve everything on one port. */
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { buildClient, isClientBuildStale } from './build-client.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

if (config.clientDir && isClientBuildStale(config.clientDir)) {
  logger.info('building the client (first start or changed sources)…');
  buildClient();
}

const server = await startServer({ config, logger });

let signalled = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    );
  });
}
