/** The plan's plain JSON form: its schema, and the pure functions between it and a Y.Doc. */
import * as Y from 'yjs';
import { z } from 'zod';
import { planNotes, planTitle } from '../case-doc.js';
import {
  ACTIVATION_FIELDS,
  activationText,
  addAction,
  addGoal,
  ensurePlan,
  goalActions,
  goalsMap,
  ordered,
  planMap,
  planRichText,
  planTypes,
  serviceMap
} from './doc.js';
import { plainToRichText, richTextToPlain } from './rich-text.js';
import { periodWithin } from './period.js';
import { ACTION_STATUSES, CONTRACT_TYPES, GOAL_STATUSES, LIFE_AREAS, STANCES } from './vocabulary.js';
import { PLAN_TYPES, planTypeDefinition, type PlanType } from './types.js';
import { finnishToday } from '../finnish-time.js';

const date = z.union([z.literal(''), z.iso.date({ message: 'use a date like 2027-01-31' })]);
const text = z.string().max(20_000);

export const actionJsonSchema = z.object({
  id: z.string().min(1),
  text,
  responsible: z.string().max(64),
  due: date,
  status: z.enum(ACTION_STATUSES),
  doneDate: date
});

export const goalJsonSchema = z.object({
  id: z.string().min(1),
  title: text,
  description: text,
  lifeArea: z.union([z.literal(''), z.enum(LIFE_AREAS)]),
  status: z.enum(GOAL_STATUSES),
  clientStance: z.enum(STANCES),
  clientReason: text,
  professionalReason: text,
  actions: z.array(actionJsonSchema)
});

const serviceSchema = z.object({
  contractType: z.union([z.literal(''), z.enum(CONTRACT_TYPES)]),
  startDate: date,
  endDate: date,
  daysPerWeek: z.number().int().min(1, { message: 'at least 1 day a week' }).max(7, { message: 'at most 7 days a week' }).nullable(),
  hoursPerDay: z.number().min(1, { message: 'at least 1 hour a day' }).max(12, { message: 'at most 12 hours a day' }).nullable(),
  place: z.string().max(300)
});

export type Service = z.infer<typeof serviceSchema>;

/** A limit of a selected plan type that the agreed service breaks: the API's words, the editor's message key, and whether it only warns. */
export interface RuleBreak {
  path: ['service', 'daysPerWeek' | 'hoursPerDay' | 'endDate'];
  message: string;
  key: string;
  warn: boolean;
}

/** Every limit of the selected plan types (as they apply on `day`, see `types.ts`) that `service` breaks. */
export function serviceRuleBreaks(types: readonly PlanType[], service: Service, day = finnishToday()): RuleBreak[] {
  const breaks: RuleBreak[] = [];
  const { daysPerWeek: days, hoursPerDay: hours, startDate, endDate } = service;
  for (const type of types) {
    const r = planTypeDefinition(type, day).rules;
    if (!r) continue;
    const refuse = (path: RuleBreak['path'], message: string, key: string) => breaks.push({ path, message: `${r.subject} ${message} (${r.law})`, key: `${key}_${r.messages}`, warn: false });
    if (r.daysPerWeek && days !== null && (days < r.daysPerWeek[0] || days > r.daysPerWeek[1])) {
      refuse(['service', 'daysPerWeek'], `allows ${r.daysPerWeek[0]}–${r.daysPerWeek[1]} days a week`, 'invalid_days');
    }
    if (r.minHoursPerDay !== undefined && hours !== null && hours < r.minHoursPerDay) {
      refuse(['service', 'hoursPerDay'], `needs at least ${r.minHoursPerDay} hours a day`, 'invalid_hours');
    }
    if (r.months && startDate && endDate && endDate >= startDate && !periodWithin(startDate, endDate, r.months)) {
      refuse(['service', 'endDate'], `lasts ${r.months[0]}–${r.months[1]} months`, 'invalid_period');
    }
    if (r.guidance && hours !== null && hours > r.guidance.maxHoursPerDay) {
      const message = `more than ${r.guidance.maxHoursPerDay} hours a day is against ${r.guidance.source} guidance`;
      breaks.push({ path: ['service', 'hoursPerDay'], message, key: `warn_hours_${r.messages}`, warn: true });
    }
  }
  return breaks;
}

/** Rules that only hold for some plan types; each refusal names its field. */
export function typeRuleIssues(types: readonly PlanType[], service: Service): Array<{ path: string[]; message: string }> {
  const order = service.startDate && service.endDate && service.endDate < service.startDate ? [{ path: ['service', 'endDate'], message: 'the period ends before it starts' }] : [];
  return [...order, ...serviceRuleBreaks(types, service).filter((b) => !b.warn).map(({ path, message }) => ({ path, message }))];
}

/** What is allowed but against guidance (shown as a warning, never refused). */
export function activationWarnings(types: readonly PlanType[], service: Service): Array<{ path: string[]; message: string }> {
  return serviceRuleBreaks(types, service).filter((b) => b.warn).map(({ path, message }) => ({ path, message }));
}

export const planJsonSchema = z
  .object({
    title: text,
    notes: text,
    types: z.array(z.enum(PLAN_TYPES)),
    clientWords: text,
    strengths: text,
    nextReview: date,
    followUpDate: date,
    service: serviceSchema,
    activation: z.object(Object.fromEntries(ACTIVATION_FIELDS.map((f) => [f, text])) as Record<(typeof ACTIVATION_FIELDS)[number], typeof text>),
    goals: z.array(goalJsonSchema)
  })
  .superRefine((plan, ctx) => {
    for (const issue of typeRuleIssues(plan.types, plan.service)) ctx.addIssue({ code: 'custom', ...issue });
  });

export type PlanJson = z.infer<typeof planJsonSchema>;
export type GoalJson = PlanJson['goals'][number];
export type ActionJson = GoalJson['actions'][number];

const str = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Y.Text ? v.toString() : '');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The agreed service (the plan's `service` map) as plain JSON. */
export function serviceToJson(service: Y.Map<unknown> | undefined): Service {
  return {
    contractType: str(service?.get('contractType')) as Service['contractType'],
    startDate: str(service?.get('startDate')),
    endDate: str(service?.get('endDate')),
    daysPerWeek: num(service?.get('daysPerWeek')),
    hoursPerDay: num(service?.get('hoursPerDay')),
    place: str(service?.get('place'))
  };
}

/** The plan of a case document as plain JSON (goals and actions in their agreed order). */
export function planToJson(doc: Y.Doc): PlanJson {
  const plan = planMap(doc);
  return {
    title: planTitle(doc).toString(),
    notes: planNotes(doc).toString(),
    types: PLAN_TYPES.filter((t) => planTypes(doc)?.get(t) === true),
    clientWords: richTextToPlain(planRichText(doc, 'clientWords')),
    strengths: richTextToPlain(planRichText(doc, 'strengths')),
    nextReview: str(plan.get('nextReview')),
    followUpDate: str(plan.get('followUpDate')),
    service: serviceToJson(serviceMap(doc)),
    activation: Object.fromEntries(ACTIVATION_FIELDS.map((f) => [f, activationText(doc, f)?.toString() ?? ''])) as PlanJson['activation'],
    goals: ordered(goalsMap(doc)).map(([id, g]) => ({
      id,
      title: str(g.get('title')),
      description: richTextToPlain(g.get('description') as Y.XmlFragment | undefined),
      lifeArea: str(g.get('lifeArea')) as GoalJson['lifeArea'],
      status: (str(g.get('status')) || 'open') as GoalJson['status'],
      clientStance: str(g.get('clientStance')) as GoalJson['clientStance'],
      clientReason: str(g.get('clientReason')),
      professionalReason: str(g.get('professionalReason')),
      actions: ordered(goalActions(g)).map(([actionId, a]) => ({
        id: actionId,
        text: str(a.get('text')),
        responsible: str(a.get('responsible')),
        due: str(a.get('due')),
        status: (str(a.get('status')) || 'planned') as ActionJson['status'],
        doneDate: str(a.get('doneDate'))
      }))
    }))
  };
}

/** Builds a case document holding `json` (for tests, import and restoring an archived plan). */
export function planFromJson(json: PlanJson, doc: Y.Doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    ensurePlan(doc);
    planTitle(doc).insert(0, json.title);
    planNotes(doc).insert(0, json.notes);
    for (const t of json.types) planTypes(doc)!.set(t, true);
    plainToRichText(json.clientWords, planRichText(doc, 'clientWords')!);
    plainToRichText(json.strengths, planRichText(doc, 'strengths')!);
    planMap(doc).set('nextReview', json.nextReview);
    planMap(doc).set('followUpDate', json.followUpDate);
    const service = serviceMap(doc)!;
    for (const [k, v] of Object.entries(json.service)) service.set(k, v);
    for (const f of ACTIVATION_FIELDS) activationText(doc, f)!.insert(0, json.activation[f]);
    for (const goal of json.goals) {
      addGoal(doc, { id: goal.id, title: goal.title, lifeArea: goal.lifeArea, status: goal.status });
      const map = goalsMap(doc)!.get(goal.id)!;
      plainToRichText(goal.description, map.get('description') as Y.XmlFragment);
      map.set('clientStance', goal.clientStance);
      (map.get('clientReason') as Y.Text).insert(0, goal.clientReason);
      (map.get('professionalReason') as Y.Text).insert(0, goal.professionalReason);
      for (const action of goal.actions) {
        addAction(doc, goal.id, action);
        goalActions(map).get(action.id)!.set('doneDate', action.doneDate);
      }
    }
  });
  return doc;
}
