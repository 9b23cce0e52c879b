/** The plan's fixed vocabularies (plain constants: the client bundles them without the schemas). */
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
