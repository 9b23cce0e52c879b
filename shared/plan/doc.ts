/**
 * The activity plan inside the case's Y.Doc, declared once. Layout:
 *
 *   title: Y.Text, notes: Y.Text                       (root, from the first slice)
 *   plan: Y.Map
 *     types: Y.Map<PlanType, true>                     which legal plans this plan serves
 *     clientWords, strengths: Y.XmlFragment             rich text (Tiptap)
 *     nextReview, followUpDate: 'YYYY-MM-DD' | ''
 *     service: Y.Map { contractType, startDate, endDate, daysPerWeek, hoursPerDay, place }
 *     activation: Y.Map<field, Y.Text>                 the activation plan's descriptions
 *     goals: Y.Map<goalId, Y.Map>
 *       order: string (fractional index), title: Y.Text, description: Y.XmlFragment, lifeArea, status,
 *       clientStance, clientReason: Y.Text, professionalReason: Y.Text,
 *       actions: Y.Map<actionId, Y.Map>
 *         order, text: Y.Text, responsible ('client' | account id | ''), due, status, doneDate
 *
 * Goals and actions live in maps keyed by id with a fractional `order` key, not in arrays:
 * moving one is a single last-writer-wins write of its key, so concurrent reorders converge
 * without duplicates or losses (an array move is a delete plus an insert, which duplicates).
 */
import { generateKeyBetween } from 'fractional-indexing';
import * as Y from 'yjs';
import { finnishToday } from '../finnish-time.js';
import type { ActionStatus, ContractType, GoalStatus, LifeArea, Stance } from './vocabulary.js';
import type { PlanType } from './types.js';

export const ACTIVATION_FIELDS = ['educationHistory', 'earlierServices', 'earlierPlans', 'goal', 'support'] as const;
export type ActivationField = (typeof ACTIVATION_FIELDS)[number];

export const SERVICE_FIELDS = ['contractType', 'startDate', 'endDate', 'daysPerWeek', 'hoursPerDay', 'place'] as const;

type YMap = Y.Map<unknown>;

export function planMap(doc: Y.Doc): YMap {
  return doc.getMap('plan');
}

/** Gets the child of `map` at `key`, creating it with `make` when missing (in the caller's transaction). */
function child<T extends Y.AbstractType<any>>(map: YMap, key: string, make: () => T): T {
  const existing = map.get(key);
  if (existing instanceof Y.AbstractType) return existing as T;
  const created = make();
  map.set(key, created);
  return created;
}

/** Ensures every shared type of the plan exists (call once inside a transaction of an editor). */
export function ensurePlan(doc: Y.Doc): void {
  doc.transact(() => {
    const plan = planMap(doc);
    child(plan, 'types', () => new Y.Map());
    child(plan, 'clientWords', () => new Y.XmlFragment());
    child(plan, 'strengths', () => new Y.XmlFragment());
    child(plan, 'service', () => new Y.Map());
    const activation = child(plan, 'activation', () => new Y.Map<Y.Text>()) as YMap;
    for (const f of ACTIVATION_FIELDS) child(activation, f, () => new Y.Text());
    child(plan, 'goals', () => new Y.Map());
  });
}

export const planTypes = (doc: Y.Doc) => planMap(doc).get('types') as Y.Map<true> | undefined;
export const planRichText = (doc: Y.Doc, key: 'clientWords' | 'strengths') => planMap(doc).get(key) as Y.XmlFragment | undefined;
export const serviceMap = (doc: Y.Doc) => planMap(doc).get('service') as YMap | undefined;
export const activationText = (doc: Y.Doc, field: ActivationField) => (planMap(doc).get('activation') as YMap | undefined)?.get(field) as Y.Text | undefined;
export const goalsMap = (doc: Y.Doc) => planMap(doc).get('goals') as Y.Map<YMap> | undefined;

/** Entries of a map of ordered items, sorted by their fractional key (ties by id, so all agree). */
export function ordered(items: Y.Map<YMap> | undefined): Array<[string, YMap]> {
  if (!items) return [];
  return [...items.entries()].sort(([ia, a], [ib, b]) => {
    const oa = String(a.get('order') ?? '');
    const ob = String(b.get('order') ?? '');
    return oa < ob ? -1 : oa > ob ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0;
  });
}

/** A key that sorts between the items at `index - 1` and `index` of `list`. */
function keyAt(list: Array<[string, YMap]>, index: number, without?: string): string {
  const rest = without ? list.filter(([id]) => id !== without) : list;
  const before = index > 0 ? String(rest[index - 1]?.[1].get('order') ?? '') || null : null;
  const after = index < rest.length ? String(rest[index]?.[1].get('order') ?? '') || null : null;
  // Equal neighbours (from concurrent inserts) have no key between them: go after the first.
  if (before !== null && after !== null && before >= after) return generateKeyBetween(before, null);
  return generateKeyBetween(before, after);
}

export interface NewGoal {
  /** Only for rebuilding a plan from its JSON form; new goals get a fresh id. */
  id?: string;
  title?: string;
  lifeArea?: LifeArea | '';
  status?: GoalStatus;
}

/** Adds a goal at the end (or at `index`); returns its id. */
export function addGoal(doc: Y.Doc, goal: NewGoal = {}, index?: number): string {
  const id = goal.id ?? crypto.randomUUID();
  doc.transact(() => {
    ensurePlan(doc);
    const goals = goalsMap(doc)!;
    const list = ordered(goals);
    const map = new Y.Map<unknown>();
    map.set('order', keyAt(list, index ?? list.length));
    map.set('title', new Y.Text(goal.title ?? ''));
    map.set('description', new Y.XmlFragment());
    map.set('lifeArea', goal.lifeArea ?? '');
    map.set('status', goal.status ?? 'open');
    map.set('clientStance', '');
    map.set('clientReason', new Y.Text());
    map.set('professionalReason', new Y.Text());
    map.set('actions', new Y.Map());
    goals.set(id, map);
  });
  return id;
}

/** Moves goal `id` to position `index` of the ordered goals. */
export function moveGoal(doc: Y.Doc, id: string, index: number): void {
  const goals = goalsMap(doc);
  const goal = goals?.get(id);
  if (!goal) return;
  doc.transact(() => goal.set('order', keyAt(ordered(goals), index, id)));
}

export function removeGoal(doc: Y.Doc, id: string): void {
  doc.transact(() => goalsMap(doc)?.delete(id));
}

export function goalActions(goal: YMap): Y.Map<YMap> {
  return goal.get('actions') as Y.Map<YMap>;
}

export interface NewAction {
  id?: string;
  text?: string;
  responsible?: string;
  due?: string;
  status?: ActionStatus;
}

export function addAction(doc: Y.Doc, goalId: string, action: NewAction = {}, index?: number): string | null {
  const goal = goalsMap(doc)?.get(goalId);
  if (!goal) return null;
  const id = action.id ?? crypto.randomUUID();
  doc.transact(() => {
    const actions = goalActions(goal);
    const list = ordered(actions);
    const map = new Y.Map<unknown>();
    map.set('order', keyAt(list, index ?? list.length));
    map.set('text', new Y.Text(action.text ?? ''));
    map.set('responsible', action.responsible ?? '');
    map.set('due', action.due ?? '');
    map.set('status', action.status ?? 'planned');
    map.set('doneDate', '');
    actions.set(id, map);
  });
  return id;
}

export function moveAction(doc: Y.Doc, goalId: string, actionId: string, index: number): void {
  const goal = goalsMap(doc)?.get(goalId);
  const action = goal && goalActions(goal).get(actionId);
  if (!goal || !action) return;
  doc.transact(() => action.set('order', keyAt(ordered(goalActions(goal)), index, actionId)));
}

export function removeAction(doc: Y.Doc, goalId: string, actionId: string): void {
  const goal = goalsMap(doc)?.get(goalId);
  if (goal) doc.transact(() => goalActions(goal).delete(actionId));
}

/** Sets an action's status, keeping `doneDate` consistent with it. */
export function setActionStatus(doc: Y.Doc, action: YMap, status: ActionStatus, today = finnishToday()): void {
  doc.transact(() => {
    action.set('status', status);
    action.set('doneDate', status === 'done' ? today : '');
  });
}

export type { ActionStatus, ContractType, GoalStatus, LifeArea, PlanType, Stance };
