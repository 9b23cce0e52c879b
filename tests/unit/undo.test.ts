import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addAction, addGoal, ensurePlan, goalActions, planMap } from '../../shared/plan/doc.js';
import { SparingUndoManager } from '../../shared/undo.js';

/** Two people's documents, kept in step by hand. */
function pair(): { mine: Y.Doc; theirs: Y.Doc; sync: () => void } {
  const mine = new Y.Doc();
  const theirs = new Y.Doc();
  ensurePlan(mine);
  const sync = () => {
    Y.applyUpdate(theirs, Y.encodeStateAsUpdate(mine, Y.encodeStateVector(theirs)));
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(mine)));
  };
  sync();
  return { mine, theirs, sync };
}

function goalsOf(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return planMap(doc).get('goals') as Y.Map<Y.Map<unknown>>;
}

describe('undo spares other people\'s work', () => {
  it('undoing my goal after a colleague added an action to it keeps their action (and the goal it belongs to)', () => {
    const { mine, theirs, sync } = pair();
    const origin = { local: true };
    let kept = 0;
    const undo = new SparingUndoManager(planMap(mine), origin, () => kept++);
    let goalId = '';
    mine.transact(() => (goalId = addGoal(mine, { title: 'Oma asunto' })), origin);
    sync();
    const actionId = addAction(theirs, goalId, { text: 'Soitto asuntotoimistoon' })!;
    sync();

    undo.undo();
    sync();
    for (const doc of [mine, theirs]) {
      const goal = goalsOf(doc).get(goalId);
      expect(goal).toBeDefined();
      expect(goalActions(goal as never).get(actionId)).toBeDefined();
      expect(String(goal!.get('title'))).toBe('Oma asunto');
    }
    expect(kept).toBeGreaterThan(0);
  });

  it('still undoes my own goal when nobody else has touched it', () => {
    const { mine, theirs, sync } = pair();
    const origin = { local: true };
    let kept = 0;
    const undo = new SparingUndoManager(planMap(mine), origin, () => kept++);
    let goalId = '';
    mine.transact(() => (goalId = addGoal(mine, { title: 'Harrastus' })), origin);
    sync();
    undo.undo();
    sync();
    expect(goalsOf(mine).get(goalId)).toBeUndefined();
    expect(goalsOf(theirs).get(goalId)).toBeUndefined();
    expect(kept).toBe(0);
  });

  it('keeps a colleague\'s words typed into my goal\'s title', () => {
    const { mine, theirs, sync } = pair();
    const origin = { local: true };
    const undo = new SparingUndoManager(planMap(mine), origin);
    let goalId = '';
    mine.transact(() => (goalId = addGoal(mine, { title: 'Työ' })), origin);
    sync();
    (goalsOf(theirs).get(goalId)!.get('title') as Y.Text).insert(3, 'kokeilu');
    sync();
    undo.undo();
    sync();
    expect(String(goalsOf(mine).get(goalId)?.get('title'))).toBe('Työkokeilu');
  });

  it('undoes my own action in a goal that also holds a colleague\'s action', () => {
    const { mine, theirs, sync } = pair();
    const origin = { local: true };
    let goalId = '';
    mine.transact(() => (goalId = addGoal(mine, { title: 'Arki' })), origin);
    sync();
    const theirAction = addAction(theirs, goalId, { text: 'Kotikäynti' })!;
    sync();
    const undo = new SparingUndoManager(planMap(mine), origin);
    let myAction = '';
    mine.transact(() => (myAction = addAction(mine, goalId, { text: 'Kauppareissu' })!), origin);
    undo.undo();
    sync();
    const actions = goalActions(goalsOf(theirs).get(goalId) as never);
    expect(actions.get(myAction)).toBeUndefined();
    expect(actions.get(theirAction)).toBeDefined();
  });
});
