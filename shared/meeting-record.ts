/** Pure parts of the meeting record: what changed in the plan's actions during a meeting. */
import type { RecordAction } from './meetings.js';
import type { PlanJson } from './plan/json.js';

/**
 * The actions added or changed between two versions of the plan, with the goal they belong to.
 * `nameOf` turns a responsible value (account id, `client` or '') into what the record shows.
 */
export function changedActions(before: PlanJson | null, after: PlanJson, nameOf: (responsible: string) => string): RecordAction[] {
  const old = new Map<string, PlanJson['goals'][number]['actions'][number]>();
  for (const goal of before?.goals ?? []) for (const action of goal.actions) old.set(action.id, action);
  const result: RecordAction[] = [];
  for (const goal of after.goals) {
    for (const action of goal.actions) {
      const was = old.get(action.id);
      const same =
        was && was.text === action.text && was.responsible === action.responsible && was.due === action.due && was.status === action.status;
      if (same) continue;
      result.push({
        goal: goal.title,
        text: action.text,
        responsible: nameOf(action.responsible),
        due: action.due,
        status: action.status,
        change: was ? 'changed' : 'added'
      });
    }
  }
  return result;
}
