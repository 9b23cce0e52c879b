/** `npm run dev`: the same one-port server, with Vite in middleware mode for hot reload. */
import { createServer as createVite } from 'vite';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import http from 'node:http';

const config = { ...loadConfig(), clientDir: null };
const logger = createLogger(config.logLevel);

// Vite's HMR socket shares the app's HTTP server; it exists before Vite starts.
let middleware: ((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void) | null = null;
const server = await startServer({
  config,
  logger,
  devMiddleware: (req, res, next) => (middleware ? middleware(req, res, next) : next())
});
const vite = await createVite({
  appType: 'custom',
  server: { middlewareMode: true, ws: { server: server.httpServer } }
});
middleware = vite.middlewares;
logger.info({ url: server.url }, 'development server ready');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void Promise.all([vite.close(), server.stop()]).then(() => process.exit(0));
  });
}
