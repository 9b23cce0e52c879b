/**
 * The server's clock. Timestamps are stored as ISO-8601 UTC text (portable, sortable, readable);
 * dates are Finnish dates (`shared/finnish-time.ts`). Everything that asks what time or what day
 * it is asks here, so that tests can move the clock instead of waiting for midnight.
 */
import { finnishToday } from '../../shared/finnish-time.js';

// One clock per process, like the system clock it stands for: instances started in one test
// process see the same time, as instances on one machine would.
let offsetMs = 0;
const listeners = new Set<() => void>();

/** Milliseconds since the epoch on the server's clock. */
export function nowMs(): number {
  return Date.now() + offsetMs;
}

/** The current instant as stored: ISO-8601 UTC. */
export function now(): string {
  return new Date(nowMs()).toISOString();
}

/** Today's date in Finland ('YYYY-MM-DD'), the date every date-bound rule compares with. */
export function today(): string {
  return finnishToday(nowMs());
}

/**
 * For tests only: the clock reads `at` now and runs on from there at the real pace (`null`
 * puts it back). Timers that wait for a moment on this clock are told to re-arm.
 */
export function setClockForTests(at: Date | string | null): void {
  offsetMs = at === null ? 0 : new Date(at).getTime() - Date.now();
  for (const listener of listeners) listener();
}

/** Calls `listener` whenever the clock is set; returns the unsubscribe. */
export function onClockSet(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
