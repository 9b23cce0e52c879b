/**
 * Sessions are checked when a socket opens; this sweep keeps checking them while sockets stay
 * open: live sockets count as activity, and a session past its absolute expiry (or whose
 * account was deactivated, or that was deleted) has its sockets closed through the close path.
 */
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { refreshLiveSession } from '../services/auth-service.js';
import type { ClosePath } from './close-path.js';
import type { LiveConnections } from './live-connections.js';

export function startSessionSweeper(db: Db, live: LiveConnections, close: ClosePath, logger: Logger, everyMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      for (const sessionId of live.sessions()) {
        if (!(await refreshLiveSession(db, sessionId))) close.closeSession(sessionId, 'expired');
      }
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 'session sweep failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
