/** What a plan still lacks before it can be finalised, per legal plan type (`types.ts` says which fields each needs). */
import { finnishToday } from '../finnish-time.js';
import type { PlanJson } from './json.js';
import { planTypeDefinition, type PlanType, type RequiredField } from './types.js';

/** A missing item: the plan type that needs it and the field (a message key suffix for the UI). */
export interface Missing {
  type: PlanType;
  field: RequiredField;
}

const filled = (text: string) => text.trim() !== '';

/** When each field that a plan type may require counts as filled. */
const FILLED: Record<RequiredField, (p: PlanJson) => boolean> = {
  clientWords: (p) => filled(p.clientWords),
  goals: (p) => p.goals.length > 0,
  goalActions: (p) => p.goals.every((g) => g.actions.length > 0),
  actionResponsible: (p) => p.goals.every((g) => g.actions.every((a) => a.responsible !== '')),
  nextReview: (p) => p.nextReview !== '',
  educationHistory: (p) => filled(p.activation.educationHistory),
  earlierServices: (p) => filled(p.activation.earlierServices),
  earlierPlans: (p) => filled(p.activation.earlierPlans),
  activationGoal: (p) => filled(p.activation.goal),
  support: (p) => filled(p.activation.support),
  place: (p) => filled(p.service.place),
  period: (p) => p.service.startDate !== '' && p.service.endDate !== '',
  daysPerWeek: (p) => p.service.daysPerWeek !== null,
  hoursPerDay: (p) => p.service.hoursPerDay !== null,
  followUpDate: (p) => p.followUpDate !== '',
  contractType: (p) => p.service.contractType !== ''
};

/** Everything the plan's selected types (as they apply on `day`) still need. An empty list means it can be finalised. */
export function missingForFinal(plan: PlanJson, day = finnishToday()): Missing[] {
  return plan.types.flatMap((type) => planTypeDefinition(type, day).required.filter((field) => !FILLED[field](plan)).map((field) => ({ type, field })));
}

/** Goals where the client and the professionals disagree (shown, and kept with both reasons). */
export function disagreements(plan: PlanJson): PlanJson['goals'] {
  return plan.goals.filter((g) => g.clientStance === 'disagree');
}
