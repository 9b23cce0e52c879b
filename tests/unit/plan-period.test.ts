/**
 * Periods of rehabilitative work activity, counted as the law counts them: in calendar months
 * including both the first and the last day (Act 189/2001 §13: 3–24 months at a time, 1–4 days a
 * week, at least 4 hours a day; THL's guidance of at most 8 hours a day only warns).
 */
import { describe, expect, it } from 'vitest';
import { activationWarnings, periodLength, planJsonSchema, typeRuleIssues, type PlanJson } from '../../shared/plan/index.js';
import { emptyPlan } from '../helpers/plans.js';

const activation = (startDate: string, endDate: string, more: Partial<PlanJson['service']> = {}) => ({
  ...emptyPlan.service,
  contractType: 'rehabilitative_work_activity' as const,
  startDate,
  endDate,
  daysPerWeek: 3,
  hoursPerDay: 4,
  ...more
});
const refused = (service: PlanJson['service']) => typeRuleIssues(['activation_plan'], service).map((i) => i.message);

describe('period length, first and last day included', () => {
  it.each([
    ['2026-02-01', '2026-04-30', 3, 0],
    ['2026-01-01', '2027-12-31', 24, 0],
    ['2026-01-15', '2026-04-14', 3, 0],
    ['2026-01-15', '2026-04-15', 3, 1],
    ['2026-12-01', '2027-02-28', 3, 0],
    // February of a leap year: 1 December 2027 – 29 February 2028 is three months, the 28th is not.
    ['2027-12-01', '2028-02-29', 3, 0],
    ['2027-12-01', '2028-02-28', 2, 28],
    // Month ends: a period from the 31st runs to the day before the same day (or the month's last day) N months on.
    ['2026-01-31', '2026-04-30', 3, 0],
    ['2026-01-31', '2026-04-29', 2, 30],
    ['2026-01-31', '2026-02-27', 0, 28],
    ['2026-01-31', '2026-02-28', 1, 0],
    ['2026-05-01', '2026-05-01', 0, 1]
  ])('%s – %s is %i months and %i days', (start, end, months, days) => {
    expect(periodLength(start, end)).toEqual({ months, days });
  });
});

describe('the limits of Act 189/2001 §13', () => {
  it('passes exactly 3 and exactly 24 months, refuses one day less or more', () => {
    expect(refused(activation('2026-02-01', '2026-04-30'))).toEqual([]);
    expect(refused(activation('2026-02-01', '2026-04-29'))).toEqual(['an activation plan lasts 3–24 months (Act 189/2001 §13)']);
    expect(refused(activation('2026-01-01', '2027-12-31'))).toEqual([]);
    expect(refused(activation('2026-01-01', '2028-01-01'))).toEqual(['an activation plan lasts 3–24 months (Act 189/2001 §13)']);
    expect(refused(activation('2028-03-01', '2030-02-28'))).toEqual([]);
    expect(refused(activation('2027-12-01', '2028-02-28'))).toHaveLength(1);
    expect(refused(activation('2027-12-01', '2028-02-29'))).toEqual([]);
  });

  it('refuses fewer than 1 or more than 4 days a week and fewer than 4 hours a day', () => {
    expect(refused(activation('2026-02-01', '2026-04-30', { daysPerWeek: 5 }))).toEqual(['an activation plan allows 1–4 days a week (Act 189/2001 §13)']);
    expect(refused(activation('2026-02-01', '2026-04-30', { hoursPerDay: 3 }))).toEqual(['an activation plan needs at least 4 hours a day (Act 189/2001 §13)']);
  });

  it('warns, and does not refuse, more than 8 hours a day (THL guidance)', () => {
    const long = activation('2026-02-01', '2026-04-30', { hoursPerDay: 9 });
    expect(refused(long)).toEqual([]);
    expect(activationWarnings(['activation_plan'], long)).toEqual([{ path: ['service', 'hoursPerDay'], message: 'more than 8 hours a day is against THL guidance' }]);
    expect(activationWarnings(['client_plan'], long)).toEqual([]);
    expect(activationWarnings(['activation_plan'], activation('2026-02-01', '2026-04-30', { hoursPerDay: 8 }))).toEqual([]);
    const plan = { ...emptyPlan, types: ['activation_plan' as const], service: long };
    expect(planJsonSchema.safeParse(plan).success).toBe(true);
  });
});
