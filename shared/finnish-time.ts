/**
 * Time is Finnish time: every calendar date Polku decides — today, a consent's last day, a
 * review date, the guidance path's current stage, the wheel round's date — is a date on a clock
 * in Finland (Europe/Helsinki), whatever the zone of the server or the browser. Instants are
 * stored as ISO UTC; dates as 'YYYY-MM-DD' strings, which compare in calendar order. Server and
 * client use this module alone to turn one into the other.
 */

export const FINNISH_TIME_ZONE = 'Europe/Helsinki';

/** Anything that names an instant: a Date, milliseconds since the epoch or an ISO timestamp. */
export type Instant = Date | number | string;

const wallClock = new Intl.DateTimeFormat('en-US', {
  timeZone: FINNISH_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit'
});

const DAY_MS = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function millis(at: Instant): number {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(at)}`);
  return ms;
}

/** The Finnish wall clock at an instant, as if it were UTC (milliseconds dropped). */
function wallAsUtc(ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of wallClock.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

function dateOfUtc(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function utcOfDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** The Finnish calendar date ('YYYY-MM-DD') of an instant. */
export function finnishDate(at: Instant): string {
  return dateOfUtc(wallAsUtc(millis(at)));
}

/** The Finnish wall-clock time ('HH:MM') of an instant. */
export function finnishTime(at: Instant): string {
  return new Date(wallAsUtc(millis(at))).toISOString().slice(11, 16);
}

/** Today in Finland; `now` is the caller's clock (the server passes its own). */
export function finnishToday(now: Instant = Date.now()): string {
  return finnishDate(now);
}

/** The Finnish calendar year of an instant. */
export function finnishYear(now: Instant = Date.now()): number {
  return Number(finnishDate(now).slice(0, 4));
}

/**
 * The instant a Finnish wall-clock time ('HH:MM') on `date` happens. Finland changes its clocks
 * at 03:00/04:00, never at midnight, so midnight always exists exactly once.
 */
export function finnishWallTime(date: string, time = '00:00'): Date {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) throw new RangeError(`not a time: ${time}`);
  const wall = utcOfDate(date) + (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  // The offset at the wall time read as UTC is a guess; the offset at the guess settles it.
  let at = wall - (wallAsUtc(wall) - wall);
  at = wall - (wallAsUtc(at) - at);
  return new Date(at);
}

/** The instant of the Finnish midnight that starts `date` (22:00Z or 21:00Z the day before). */
export function finnishMidnight(date: string): Date {
  return finnishWallTime(date, '00:00');
}

/** The first Finnish midnight strictly after an instant: when "today" next changes. */
export function nextFinnishMidnight(at: Instant): Date {
  return finnishMidnight(addDays(finnishDate(at), 1));
}

/** The date `days` calendar days after `date` (before it, if negative). */
export function addDays(date: string, days: number): string {
  return dateOfUtc(utcOfDate(date) + days * DAY_MS);
}

/** The same day `months` months later (earlier, if negative), or that month's last day if it is shorter. */
export function addMonths(date: string, months: number): string {
  const start = new Date(utcOfDate(date));
  const first = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1);
  const length = new Date(Date.UTC(new Date(first).getUTCFullYear(), new Date(first).getUTCMonth() + 1, 0)).getUTCDate();
  return dateOfUtc(first + (Math.min(start.getUTCDate(), length) - 1) * DAY_MS);
}

/** -1, 0 or 1 as `a` is before, the same as or after `b`. */
export function compareDates(a: string, b: string): -1 | 0 | 1 {
  const diff = utcOfDate(a) - utcOfDate(b);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

/** Calendar days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcOfDate(b) - utcOfDate(a)) / DAY_MS);
}
