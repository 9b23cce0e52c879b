/** What changed between two versions of a plan: goals and actions added, changed and removed. */
import type { ActionJson, GoalJson, PlanJson } from './json.js';

export interface PlanDiff {
  goals: { added: GoalJson[]; removed: GoalJson[]; changed: Array<{ before: GoalJson; after: GoalJson; fields: string[] }> };
  actions: {
    added: Array<{ goal: string; action: ActionJson }>;
    removed: Array<{ goal: string; action: ActionJson }>;
    changed: Array<{ goal: string; before: ActionJson; after: ActionJson; fields: string[] }>;
  };
}

const GOAL_FIELDS = ['title', 'description', 'lifeArea', 'status', 'clientStance'] as const;
const ACTION_FIELDS = ['text', 'responsible', 'due', 'status'] as const;

function changedFields<T extends object>(a: T, b: T, fields: ReadonlyArray<keyof T>): string[] {
  return fields.filter((f) => a[f] !== b[f]).map(String);
}

/** Compares `before` with `after` by goal and action id. */
export function diffPlans(before: PlanJson, after: PlanJson): PlanDiff {
  const diff: PlanDiff = { goals: { added: [], removed: [], changed: [] }, actions: { added: [], removed: [], changed: [] } };
  const oldGoals = new Map(before.goals.map((g) => [g.id, g]));
  const newGoals = new Map(after.goals.map((g) => [g.id, g]));
  for (const goal of after.goals) {
    const was = oldGoals.get(goal.id);
    if (!was) {
      diff.goals.added.push(goal);
      for (const action of goal.actions) diff.actions.added.push({ goal: goal.title, action });
      continue;
    }
    const fields = changedFields(was, goal, GOAL_FIELDS);
    if (fields.length > 0) diff.goals.changed.push({ before: was, after: goal, fields });
    const oldActions = new Map(was.actions.map((a) => [a.id, a]));
    const newIds = new Set(goal.actions.map((a) => a.id));
    for (const action of goal.actions) {
      const wasAction = oldActions.get(action.id);
      if (!wasAction) diff.actions.added.push({ goal: goal.title, action });
      else {
        const f = changedFields(wasAction, action, ACTION_FIELDS);
        if (f.length > 0) diff.actions.changed.push({ goal: goal.title, before: wasAction, after: action, fields: f });
      }
    }
    for (const action of was.actions) if (!newIds.has(action.id)) diff.actions.removed.push({ goal: goal.title, action });
  }
  for (const goal of before.goals) {
    if (newGoals.has(goal.id)) continue;
    diff.goals.removed.push(goal);
    for (const action of goal.actions) diff.actions.removed.push({ goal: goal.title, action });
  }
  return diff;
}
