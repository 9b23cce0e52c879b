import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  finnishDate,
  finnishMidnight,
  finnishTime,
  finnishToday,
  finnishWallTime,
  finnishYear,
  nextFinnishMidnight
} from '../../shared/finnish-time.js';

// Finland is UTC+2 in winter and UTC+3 in summer; summer time starts on the last Sunday of
// March at 03:00 (01:00Z) and ends on the last Sunday of October at 04:00 (01:00Z).
describe('the Finnish date of an instant', () => {
  it('turns at Finnish midnight, 22:00Z in winter', () => {
    expect(finnishDate('2027-01-15T21:59:59Z')).toBe('2027-01-15');
    expect(finnishDate('2027-01-15T22:00:00Z')).toBe('2027-01-16');
    expect(finnishDate(Date.parse('2027-12-31T22:00:00Z'))).toBe('2028-01-01');
  });

  it('turns at Finnish midnight, 21:00Z in summer', () => {
    expect(finnishDate('2027-07-15T20:59:59Z')).toBe('2027-07-15');
    expect(finnishDate(new Date('2027-07-15T21:00:00Z'))).toBe('2027-07-16');
  });

  it('is not the UTC date in the first hours of the Finnish day', () => {
    const at = Date.parse('2027-03-01T23:30:00Z');
    expect(new Date(at).toISOString().slice(0, 10)).toBe('2027-03-01');
    expect(finnishDate(at)).toBe('2027-03-02');
    expect(finnishToday(at)).toBe('2027-03-02');
    expect(finnishYear(Date.parse('2027-12-31T22:30:00Z'))).toBe(2028);
  });

  it('keeps the date through the hours the clocks change', () => {
    // 02:59:59 winter time, then 04:00 summer time.
    expect(finnishDate('2027-03-28T00:59:59Z')).toBe('2027-03-28');
    expect(finnishDate('2027-03-28T01:00:00Z')).toBe('2027-03-28');
    // 03:59:59 summer time, then 03:00 winter time again.
    expect(finnishDate('2027-10-31T00:59:59Z')).toBe('2027-10-31');
    expect(finnishDate('2027-10-31T01:00:00Z')).toBe('2027-10-31');
    expect(finnishDate('2027-10-31T21:59:59Z')).toBe('2027-10-31');
    expect(finnishDate('2027-10-31T22:00:00Z')).toBe('2027-11-01');
  });
});

describe('Finnish midnight', () => {
  it('starts a winter day at 22:00Z the day before and a summer day at 21:00Z', () => {
    expect(finnishMidnight('2027-01-16').toISOString()).toBe('2027-01-15T22:00:00.000Z');
    expect(finnishMidnight('2027-07-16').toISOString()).toBe('2027-07-15T21:00:00.000Z');
  });

  it('makes the last Sunday of March 23 hours long', () => {
    expect(finnishMidnight('2027-03-28').toISOString()).toBe('2027-03-27T22:00:00.000Z');
    expect(finnishMidnight('2027-03-29').toISOString()).toBe('2027-03-28T21:00:00.000Z');
    expect(finnishMidnight('2027-03-29').getTime() - finnishMidnight('2027-03-28').getTime()).toBe(23 * 3_600_000);
  });

  it('makes the last Sunday of October 25 hours long', () => {
    expect(finnishMidnight('2027-10-31').toISOString()).toBe('2027-10-30T21:00:00.000Z');
    expect(finnishMidnight('2027-11-01').toISOString()).toBe('2027-10-31T22:00:00.000Z');
    expect(finnishMidnight('2027-11-01').getTime() - finnishMidnight('2027-10-31').getTime()).toBe(25 * 3_600_000);
  });

  it('is the next one strictly after an instant, across the changes', () => {
    expect(nextFinnishMidnight('2027-01-15T21:59:59Z').toISOString()).toBe('2027-01-15T22:00:00.000Z');
    expect(nextFinnishMidnight('2027-01-15T22:00:00Z').toISOString()).toBe('2027-01-16T22:00:00.000Z');
    expect(nextFinnishMidnight('2027-03-27T22:30:00Z').toISOString()).toBe('2027-03-28T21:00:00.000Z');
    expect(nextFinnishMidnight('2027-10-31T12:00:00Z').toISOString()).toBe('2027-10-31T22:00:00.000Z');
  });

  it('agrees with the date of the instants around it', () => {
    for (const day of ['2027-03-27', '2027-03-28', '2027-03-29', '2027-10-30', '2027-10-31', '2027-11-01']) {
      const midnight = finnishMidnight(day).getTime();
      expect(finnishDate(midnight)).toBe(day);
      expect(finnishDate(midnight - 1)).toBe(addDays(day, -1));
    }
  });
});

describe('Finnish wall time', () => {
  it('is the instant of a date and a time on a Finnish clock', () => {
    expect(finnishWallTime('2027-01-15', '09:30').toISOString()).toBe('2027-01-15T07:30:00.000Z');
    expect(finnishWallTime('2027-07-15', '09:30').toISOString()).toBe('2027-07-15T06:30:00.000Z');
    expect(finnishWallTime('2027-03-28', '02:30').toISOString()).toBe('2027-03-28T00:30:00.000Z');
    expect(finnishWallTime('2027-03-28', '04:00').toISOString()).toBe('2027-03-28T01:00:00.000Z');
  });
});

describe('the Finnish time of an instant', () => {
  it('is the wall clock in Finland, summer or winter', () => {
    expect(finnishTime('2027-01-15T21:59:59Z')).toBe('23:59');
    expect(finnishTime('2027-01-15T22:00:00Z')).toBe('00:00');
    expect(finnishTime('2027-07-15T06:30:00Z')).toBe('09:30');
    expect(finnishTime('2027-03-28T01:00:00Z')).toBe('04:00');
  });
});

describe('date strings', () => {
  it('adds days across months, years, leap days and clock changes', () => {
    expect(addDays('2027-03-27', 2)).toBe('2027-03-29');
    expect(addDays('2027-10-30', 2)).toBe('2027-11-01');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2027-01-15', 0)).toBe('2027-01-15');
  });

  it('adds months, keeping the day or taking the month\'s last one', () => {
    expect(addMonths('2027-01-15', 1)).toBe('2027-02-15');
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2027-03-10', -3)).toBe('2026-12-10');
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28');
  });

  it('compares and counts days', () => {
    expect(compareDates('2027-01-15', '2027-01-16')).toBe(-1);
    expect(compareDates('2027-01-16', '2027-01-16')).toBe(0);
    expect(compareDates('2028-01-01', '2027-12-31')).toBe(1);
    expect(daysBetween('2027-03-27', '2027-03-29')).toBe(2);
    expect(daysBetween('2027-12-31', '2027-01-01')).toBe(-364);
  });
});
