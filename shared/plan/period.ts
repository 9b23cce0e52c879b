/**
 * The length of a period as the law counts it: in calendar months including both the first and
 * the last day (1 February – 30 April is three months). An N-month period from a day ends on the
 * day before the same day N months on, or, when that month has no such day, on its last day.
 */
import { addDays, daysBetween } from '../finnish-time.js';

function parts(date: string): [number, number, number] {
  return date.split('-').map(Number) as [number, number, number];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The last day (YYYY-MM-DD) of a period of `months` calendar months that starts on `start`. */
export function periodEnd(start: string, months: number): string {
  if (months === 0) return addDays(start, -1);
  const [y, m, d] = parts(start);
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return d <= length ? addDays(`${year}-${pad(month)}-${pad(d)}`, -1) : `${year}-${pad(month)}-${pad(length)}`;
}

/** Whole months from `start` to `end`, both included, and the days left over after them. */
export function periodLength(start: string, end: string): { months: number; days: number } {
  const [sy, sm] = parts(start);
  const [ey, em] = parts(end);
  let months = Math.max(0, (ey - sy) * 12 + (em - sm) + 1);
  while (months > 0 && periodEnd(start, months) > end) months--;
  return { months, days: daysBetween(periodEnd(start, months), end) };
}

/** Whether the period from `start` to `end` lasts at least `min` and at most `max` whole months. */
export function periodWithin(start: string, end: string, [min, max]: readonly [number, number]): boolean {
  const { months, days } = periodLength(start, end);
  return months >= min && (months < max || (months === max && days === 0));
}
