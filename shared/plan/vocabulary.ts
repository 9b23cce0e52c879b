/** The plan's fixed vocabularies (plain constants: the client bundles them without the schemas). */
export const PLAN_TYPES = ['client_plan', 'activation_plan', 'employment_plan'] as const;
export type PlanType = (typeof PLAN_TYPES)[number];

export const GOAL_STATUSES = ['open', 'in_progress', 'achieved', 'dropped'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const ACTION_STATUSES = ['planned', 'in_progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const CONTRACT_TYPES = [
  'rehabilitative_work_activity',
  'wage_subsidised_work',
  'work_trial',
  'apprenticeship',
  'studies',
  'other'
] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

export const LIFE_AREAS = [
  'housing',
  'finances',
  'physical_health',
  'mental_wellbeing',
  'substance_use',
  'daily_life',
  'social_relations',
  'education',
  'work',
  'leisure',
  'digital_skills'
] as const;
export type LifeArea = (typeof LIFE_AREAS)[number];

export const STANCES = ['', 'agree', 'disagree'] as const;
export type Stance = (typeof STANCES)[number];

/** The client is responsible for an action when `responsible` is this value. */
export const CLIENT_RESPONSIBLE = 'client';

/**
 * Limits of rehabilitative work activity, the service an activation plan agrees (Act on
 * Rehabilitative Work Activity 189/2001 §13 as amended by 142/2015): periods of 3–24 months at a
 * time, 1–4 days a calendar week, at least 4 hours a day. Refused when broken.
 */
export const ACTIVATION_LIMITS = { months: [3, 24], daysPerWeek: [1, 4], minHoursPerDay: 4 } as const;

/** THL's guidance, not the law: at most 8 hours a day. More only warns. */
export const ACTIVATION_GUIDANCE = { maxHoursPerDay: 8 } as const;
