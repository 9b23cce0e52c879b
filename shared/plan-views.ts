/** The views of a client's workspace, shown as tabs; a meeting's presenter can lead everyone to one. */
export const PLAN_VIEWS = ['plan', 'wheel', 'network', 'path', 'notes'] as const;
export type PlanView = (typeof PLAN_VIEWS)[number];
