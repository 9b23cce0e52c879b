/**
 * Throttling of sign-in and of account links without a hard lock: each thing counted (an
 * e-mail with an address or a known device, an address, an address guessing links) has a few
 * free failures, then waits a delay that doubles up to a cap. An attempt is reserved in the
 * database before the password or the link is checked, so concurrent requests get exactly the
 * allowed number of checks, on every instance. The limits and their reasons are in
 * `../access/README.md`, "Sign-in and links".
 */
import type { Db } from '../db/database.js';
import { nowMs } from '../db/time.js';
import { TooManyRequests } from '../errors.js';
import { findThrottle, pruneThrottle, tryReserve, type ThrottleKey } from '../repositories/sign-in-throttle.js';

export type { ThrottleKey };
/** `giveBack`: the attempt was not a failure, its reservation is returned; `clearAttempts`: a success forgets the key. */
export { clearThrottle as clearAttempts, giveBackAttempt as giveBack } from '../repositories/sign-in-throttle.js';

interface ThrottleRule {
  /** Failures allowed without waiting. */
  free: number;
  /** The wait after the last free failure; it doubles with each failure after it… */
  firstDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** Counting starts again after this long without an attempt. */
  forgetAfterMs: number;
}

const MINUTE = 60_000;

export const THROTTLE_RULES: Record<ThrottleKey['scope'], ThrottleRule> = {
  pair: { free: 5, firstDelayMs: 30_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 24 * 60 * MINUTE },
  address: { free: 30, firstDelayMs: 30_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  link: { free: 10, firstDelayMs: 30_000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE }
};

/** The waits after the free failures: first, doubled, … up to the cap (the last one repeats). */
function delaysOf(rule: ThrottleRule): number[] {
  const delays = [rule.firstDelayMs];
  while (delays.at(-1)! < rule.maxDelayMs) delays.push(Math.min(delays.at(-1)! * 2, rule.maxDelayMs));
  return delays;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Reserves one attempt for `key`, or refuses with 429 and `Retry-After` (the `reason` starts the message). */
export async function reserveAttempt(db: Db, key: ThrottleKey, reason: string): Promise<void> {
  const rule = THROTTLE_RULES[key.scope];
  const at = nowMs();
  const reserved = await tryReserve(db, key, {
    now: iso(at),
    forgetBefore: iso(at - rule.forgetAfterMs),
    free: rule.free,
    nextAt: delaysOf(rule).map((delay) => iso(at + delay))
  });
  if (reserved) return;
  const row = await findThrottle(db, key);
  const seconds = Math.max(1, Math.ceil(((row ? Date.parse(row.next_at) : at + rule.firstDelayMs) - at) / 1000));
  throw new TooManyRequests(`${reason}; try again in ${seconds} seconds`, seconds);
}

/** Removes what no rule remembers any more (run after a failure, so the table stays small). */
export async function forgetOldAttempts(db: Db): Promise<void> {
  const longest = Math.max(...Object.values(THROTTLE_RULES).map((r) => r.forgetAfterMs));
  await pruneThrottle(db, iso(nowMs() - longest));
}
