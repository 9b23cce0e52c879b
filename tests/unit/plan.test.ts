import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  addAction,
  addGoal,
  goalActions,
  goalsMap,
  missingForFinal,
  moveAction,
  moveGoal,
  ordered,
  planFromJson,
  planJsonSchema,
  planToJson,
  removeAction,
  removeGoal,
  plainToRichText,
  richTextToPlain,
  type PlanJson
} from '../../shared/plan/index.js';
import { emptyPlan } from '../helpers/plans.js';


const samplePlan: PlanJson = {
  ...emptyPlan,
  title: 'Kohti omaa arkea',
  notes: 'Palaveri 25.11.',
  types: ['client_plan', 'activation_plan'],
  clientWords: 'Haluan päiviin rytmiä.',
  strengths: 'Hyvä huumorintaju, kiinnostus puutöihin.',
  nextReview: '2027-02-01',
  followUpDate: '2027-03-01',
  service: { contractType: 'rehabilitative_work_activity', startDate: '2026-12-01', endDate: '2027-05-31', daysPerWeek: 3, hoursPerDay: 4, place: 'Pajan puuverstas' },
  activation: { educationHistory: 'Peruskoulu', earlierServices: 'Ohjaamo', earlierPlans: 'Ei aiempia', goal: 'Päivärytmi', support: 'Valmentaja' },
  goals: [
    {
      id: 'g1',
      title: 'Säännöllinen päivärytmi',
      description: 'Herätys kello 8.',
      lifeArea: 'daily_life',
      status: 'in_progress',
      clientStance: 'agree',
      clientReason: '',
      professionalReason: '',
      actions: [
        { id: 'a1', text: 'Herätyskello', responsible: 'client', due: '2026-12-15', status: 'done', doneDate: '2026-12-10' },
        { id: 'a2', text: 'Viikkokalenteri', responsible: 'acc-1', due: '2027-01-15', status: 'planned', doneDate: '' }
      ]
    },
    {
      id: 'g2',
      title: 'Työkokeilu',
      description: '',
      lifeArea: 'work',
      status: 'open',
      clientStance: 'disagree',
      clientReason: 'En ole vielä valmis.',
      professionalReason: 'Lyhyt kokeilu tukee tavoitetta.',
      actions: []
    }
  ]
};

describe('plan JSON form', () => {
  it('round-trips between JSON and a Y.Doc', () => {
    expect(planToJson(planFromJson(samplePlan))).toEqual(samplePlan);
    expect(planJsonSchema.safeParse(samplePlan).success).toBe(true);
  });

  it('refuses 5 days a week for an activation plan, with a message naming the field', () => {
    const result = planJsonSchema.safeParse({ ...samplePlan, service: { ...samplePlan.service, daysPerWeek: 5 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['service', 'daysPerWeek'], message: 'an activation plan allows 1–4 days a week (Act 189/2001 §13)' });
    // The same plan without the activation type may have 5 days a week.
    expect(planJsonSchema.safeParse({ ...samplePlan, types: ['client_plan'], service: { ...samplePlan.service, daysPerWeek: 5 } }).success).toBe(true);
  });

  it('refuses an activation period outside 3–24 months and a period that ends before it starts', () => {
    const short = planJsonSchema.safeParse({ ...samplePlan, service: { ...samplePlan.service, endDate: '2027-01-15' } });
    expect(short.error?.issues[0]?.message).toBe('an activation plan lasts 3–24 months (Act 189/2001 §13)');
    const backwards = planJsonSchema.safeParse({ ...samplePlan, types: [], service: { ...samplePlan.service, endDate: '2026-01-01' } });
    expect(backwards.error?.issues[0]?.message).toBe('the period ends before it starts');
  });

  it('rejects bad values with a clear message', () => {
    const badStatus = planJsonSchema.safeParse({ ...samplePlan, goals: [{ ...samplePlan.goals[0]!, status: 'maybe' }] });
    expect(badStatus.error?.issues[0]?.path).toEqual(['goals', 0, 'status']);
    const badDate = planJsonSchema.safeParse({ ...samplePlan, nextReview: '1.2.2027' });
    expect(badDate.error?.issues[0]?.path).toEqual(['nextReview']);
  });

  it('lists what each selected plan type still needs before it can be finalised', () => {
    expect(missingForFinal(samplePlan)).toEqual([{ type: 'client_plan', field: 'goalActions' }]);
    const bare = { ...emptyPlan, types: ['activation_plan' as const, 'employment_plan' as const] };
    const missing = missingForFinal(bare);
    expect(missing).toContainEqual({ type: 'activation_plan', field: 'followUpDate' });
    expect(missing).toContainEqual({ type: 'employment_plan', field: 'contractType' });
    expect(missingForFinal({ ...emptyPlan, types: [] })).toEqual([]);
  });
});

/** Sends each doc what the other lacks. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('concurrent editing (property-style, seeded)', () => {
  it('3–5 clients with random edits, reorders, partitions and reconnects converge without duplicates or losses', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const gen = prng.create(seed);
      const clientCount = prng.int32(gen, 3, 5);
      const base = planFromJson(samplePlan);
      const docs = Array.from({ length: clientCount }, () => {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
        return doc;
      });
      const online = docs.map(() => true);
      const createdGoals = new Set(['g1', 'g2']);
      const removedGoals = new Set<string>();
      const createdActions = new Map<string, string>([
        ['a1', 'g1'],
        ['a2', 'g1']
      ]);
      const removedActions = new Set<string>();

      for (let step = 0; step < 150; step++) {
        const i = prng.int32(gen, 0, clientCount - 1);
        const doc = docs[i]!;
        const goals = ordered(goalsMap(doc));
        const pick = <T>(list: T[]): T | undefined => (list.length ? list[prng.int32(gen, 0, list.length - 1)] : undefined);
        const goal = pick(goals);
        switch (prng.int32(gen, 0, 9)) {
          case 0:
            createdGoals.add(addGoal(doc, { title: `goal ${seed}.${step}` }, prng.int32(gen, 0, goals.length)));
            break;
          case 1:
            if (goal && prng.bool(gen)) {
              removeGoal(doc, goal[0]);
              removedGoals.add(goal[0]);
            }
            break;
          case 2:
          case 3:
            if (goal) moveGoal(doc, goal[0], prng.int32(gen, 0, goals.length - 1));
            break;
          case 4:
            if (goal) createdActions.set(addAction(doc, goal[0], { text: `action ${step}` }, 0)!, goal[0]);
            break;
          case 5: {
            const action = goal && pick(ordered(goalActions(goal[1])));
            if (goal && action) moveAction(doc, goal[0], action[0], prng.int32(gen, 0, goalActions(goal[1]).size - 1));
            break;
          }
          case 6: {
            const action = goal && pick(ordered(goalActions(goal[1])));
            if (goal && action) {
              removeAction(doc, goal[0], action[0]);
              removedActions.add(action[0]);
            }
            break;
          }
          case 7:
            if (goal) (goal[1].get('title') as Y.Text).insert(0, 'x');
            break;
          default:
            online[i] = !online[i];
        }
        // Online clients exchange what they have with every other online client.
        for (let a = 0; a < clientCount; a++) for (let b = a + 1; b < clientCount; b++) if (online[a] && online[b] && prng.bool(gen)) sync(docs[a]!, docs[b]!);
      }
      for (let round = 0; round < 2; round++) for (let a = 0; a < clientCount; a++) for (let b = a + 1; b < clientCount; b++) sync(docs[a]!, docs[b]!);

      const jsons = docs.map(planToJson);
      for (const json of jsons) expect(json).toEqual(jsons[0]);
      const plan = jsons[0]!;
      expect(planJsonSchema.safeParse(plan).success).toBe(true);
      const goalIds = plan.goals.map((g) => g.id);
      expect(new Set(goalIds).size).toBe(goalIds.length);
      expect(new Set(goalIds)).toEqual(new Set([...createdGoals].filter((id) => !removedGoals.has(id))));
      const actionIds = plan.goals.flatMap((g) => g.actions.map((a) => a.id));
      expect(new Set(actionIds).size).toBe(actionIds.length);
      const expectedActions = [...createdActions].filter(([id, goalId]) => !removedActions.has(id) && !removedGoals.has(goalId)).map(([id]) => id);
      expect(new Set(actionIds)).toEqual(new Set(expectedActions));
    }
  }, 60_000);
});

describe('undo', () => {
  it("undoing twice removes only the undoer's own edits", () => {
    const a = planFromJson(samplePlan);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const origin = { person: 'A' };
    const undo = new Y.UndoManager([a.getMap('plan'), a.getText('title')], { trackedOrigins: new Set([origin]), captureTimeout: 0 });

    a.transact(() => addGoal(a, { title: 'A:n tavoite' }), origin);
    addGoal(b, { title: 'B:n tavoite' });
    sync(a, b);
    a.transact(() => a.getText('title').insert(0, 'A: '), origin);
    (goalsMap(b)!.get('g1')!.get('title') as Y.Text).insert(0, 'B: ');
    sync(a, b);

    undo.undo();
    undo.undo();
    sync(a, b);
    for (const doc of [a, b]) {
      const plan = planToJson(doc);
      expect(plan.title).toBe('Kohti omaa arkea');
      expect(plan.goals.map((g) => g.title)).toContain('B:n tavoite');
      expect(plan.goals.map((g) => g.title)).not.toContain('A:n tavoite');
      expect(plan.goals.find((g) => g.id === 'g1')?.title).toBe('B: Säännöllinen päivärytmi');
    }
  });
});

describe('rich text in the JSON form', () => {
  it('round-trips paragraphs, bullet and numbered lists and bold', () => {
    const text = 'Ensimmäinen kappale, **tärkeä** asia.\n- yksi\n- kaksi\n1. eka\n2. toka\nLoppu.';
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment('x');
    plainToRichText(text, fragment);
    expect(richTextToPlain(fragment)).toBe(text);
    expect(fragment.toArray().map((n) => (n as Y.XmlElement).nodeName)).toEqual(['paragraph', 'bulletList', 'orderedList', 'paragraph']);
  });
});
