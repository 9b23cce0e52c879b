/**
 * A client's device loses its connections at once when the chair ends the meeting or removes
 * it (the services close them). This sweep is the backstop: devices whose time ran out, or
 * whose meeting ended elsewhere, are closed within one sweep.
 */
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { expiredGuests } from '../services/guest-service.js';
import type { ClosePath } from './close-path.js';
import type { LiveConnections } from './live-connections.js';

export function startGuestSweeper(db: Db, live: LiveConnections, close: ClosePath, logger: Logger, everyMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void expiredGuests(db, live.guests())
      .then((gone) => {
        for (const id of gone) close.closeGuest(id, 'expired');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'guest sweep failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
