/**
 * Consents end at the Finnish midnight after their last day. A timer waits for the next Finnish
 * midnight; a sweep every `sweepMs` is the backstop (a missed timer, a clock that jumped); a run
 * at start catches consents that ended while the server was down. Which instance processes a
 * consent is decided in the database (see `expireEndedConsents`), so every instance may run this.
 */
import { nowMs, onClockSet } from '../db/time.js';
import type { Logger } from '../logger.js';
import { nextFinnishMidnight } from '../../shared/finnish-time.js';

// Timers may fire a little before the wall clock agrees; a run that early finds nothing and re-arms.
const AFTER_MIDNIGHT_MS = 20;

/** Runs `expire` now, at every Finnish midnight and every `sweepMs`; the result stops it. */
export function startConsentExpiry(expire: () => Promise<number>, logger: Logger, sweepMs: number): () => Promise<void> {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const arm = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    const untilMidnight = nextFinnishMidnight(nowMs()).getTime() - nowMs();
    timer = setTimeout(run, Math.min(untilMidnight + AFTER_MIDNIGHT_MS, sweepMs));
    timer.unref();
  };

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = expire()
      .then((processed) => {
        if (processed > 0) logger.info({ processed }, 'consents ended at Finnish midnight');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'consent expiry failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        } else arm();
      });
  }

  // A clock set by a test is a jump: look again at once, then wait for the next midnight from there.
  const unsubscribe = onClockSet(run);
  run();
  return async () => {
    stopped = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    await running;
  };
}
