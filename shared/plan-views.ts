/**
 * The views of a client's workspace that a meeting shows in tabs and a presenter can lead
 * everyone to. (The assessment wheel, network map and guidance path join this list as they land.)
 */
export const PLAN_VIEWS = ['plan', 'notes'] as const;
export type PlanView = (typeof PLAN_VIEWS)[number];
