/** What a plan still lacks before it can be finalised, per legal plan type. */
import type { PlanJson } from './json.js';
import type { PlanType } from './vocabulary.js';

/** A missing item: the plan type that needs it and the field (a message key suffix for the UI). */
export interface Missing {
  type: PlanType;
  field: string;
}

const REQUIRED: Record<PlanType, (plan: PlanJson) => string[]> = {
  // Social Welfare Act 1301/2014 §39, Client Act 812/2000: goals and how they are pursued, who does what, follow-up.
  client_plan: (p) => [
    ...(p.clientWords.trim() ? [] : ['clientWords']),
    ...(p.goals.length > 0 ? [] : ['goals']),
    ...(p.goals.some((g) => g.actions.length === 0) ? ['goalActions'] : []),
    ...(p.goals.some((g) => g.actions.some((a) => !a.responsible)) ? ['actionResponsible'] : []),
    ...(p.nextReview ? [] : ['nextReview'])
  ],
  // Act on Rehabilitative Work Activity 189/2001 §8 (the plan's content, with 702/2020: the goal of the
  // activity and the support given) and §13 (the agreed service: place, period, days and hours).
  activation_plan: (p) => [
    ...(p.activation.educationHistory.trim() ? [] : ['educationHistory']),
    ...(p.activation.earlierServices.trim() ? [] : ['earlierServices']),
    ...(p.activation.earlierPlans.trim() ? [] : ['earlierPlans']),
    ...(p.activation.goal.trim() ? [] : ['activationGoal']),
    ...(p.activation.support.trim() ? [] : ['support']),
    ...(p.service.place.trim() ? [] : ['place']),
    ...(p.service.startDate && p.service.endDate ? [] : ['period']),
    ...(p.service.daysPerWeek !== null ? [] : ['daysPerWeek']),
    ...(p.service.hoursPerDay !== null ? [] : ['hoursPerDay']),
    ...(p.followUpDate ? [] : ['followUpDate'])
  ],
  // Act 381/2023 on multi-sector employment support: goals, services and the next review.
  employment_plan: (p) => [
    ...(p.goals.length > 0 ? [] : ['goals']),
    ...(p.service.contractType ? [] : ['contractType']),
    ...(p.nextReview ? [] : ['nextReview'])
  ]
};

/** Everything the plan's selected types still need. An empty list means it can be finalised. */
export function missingForFinal(plan: PlanJson): Missing[] {
  return plan.types.flatMap((type) => REQUIRED[type](plan).map((field) => ({ type, field })));
}

/** Goals where the client and the professionals disagree (shown, and kept with both reasons). */
export function disagreements(plan: PlanJson): PlanJson['goals'] {
  return plan.goals.filter((g) => g.clientStance === 'disagree');
}
