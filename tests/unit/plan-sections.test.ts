/**
 * The one description of a plan's sections (shared/plan/sections.ts) that the print view, both
 * PDFs and the hand-over JSON lay out; and the plan-type definitions it reads (shared/plan/types.ts).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGE_KINDS } from '../../shared/views/path.js';
import {
  LIFE_AREAS,
  PLAN_SECTIONS,
  PLAN_TYPES,
  PLAN_TYPE_DEFINITIONS,
  REQUIRED_FIELDS,
  missingForFinal,
  planTypeDefinition,
  planTypesOn,
  sectionsOf,
  serviceRuleBreaks,
  type PlanJson,
  type PlanType
} from '../../shared/plan/index.js';
import { planHeading, planSections, resolveSections, resolveText, type Copy, type Item, type PlanDocument, type Section, type Text } from '../../shared/plan/sections.js';
import type { ClientEntry } from '../../shared/plan/client-voice.js';
import { emptyPlan } from '../helpers/plans.js';

const messages = Object.fromEntries(['fi', 'en'].map((locale) => [locale, JSON.parse(fs.readFileSync(`client/messages/${locale}.json`, 'utf8')) as Record<string, string>]));
const t = (key: string, params: Record<string, string> = {}) => (messages.fi![key] ?? `?${key}?`).replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
const words = (sections: Section[]) => JSON.stringify(resolveSections(sections, t, (d) => `<${d}>`));

const plan: PlanJson = {
  ...emptyPlan,
  title: 'Kohti omaa arkea',
  notes: 'PALAVERIN-MUISTIO',
  clientWords: 'Haluan tekemistä.',
  strengths: 'Huumorintaju.',
  nextReview: '2027-02-15',
  followUpDate: '2027-03-01',
  service: { contractType: 'work_trial', startDate: '2027-01-07', endDate: '2027-06-30', daysPerWeek: 3, hoursPerDay: 4, place: 'Verstas' },
  activation: { educationHistory: 'Peruskoulu', earlierServices: 'Ohjaamo', earlierPlans: 'Kesken', goal: 'Rytmi', support: 'Valmentaja' },
  goals: [
    {
      id: 'g1',
      title: 'Työkokeilu',
      description: '',
      lifeArea: 'work',
      status: 'open',
      clientStance: 'disagree',
      clientReason: 'En ole valmis.',
      professionalReason: 'AMMATTILAISTEN-PERUSTELU',
      actions: [{ id: 'a1', text: 'Käynti', responsible: 'acc-1', due: '2027-02-01', status: 'planned', doneDate: '' }]
    }
  ]
};
const entry = (kind: ClientEntry['kind'], more: Partial<ClientEntry>): ClientEntry => ({ kind, text: '', goalId: null, actionId: null, stance: null, meetingId: 'm', at: '2026-12-01T10:00:00Z', ...more });
const document = (types: PlanType[], more: Partial<PlanDocument> = {}): PlanDocument => ({
  plan: { ...plan, types },
  people: { 'acc-1': { name: 'Kalle Valmentaja' } },
  clientVoice: [entry('wish', { text: 'Aamuvuoroja.' }), entry('comment', { goalId: 'g1', text: 'Syksyllä.' }), entry('stance', { goalId: 'g1', actionId: 'a1', stance: 'agree' })],
  views: { wheel: null, network: [{ id: 'n', name: 'VERKOSTO-SISKO', relation: '', sector: 'family', kind: 'person', organisation: '', contact: '', quality: 'supportive', memberId: '', pos: { ring: 1, angle: 0 } }], path: { stages: [] } },
  internalNotes: 'SISÄINEN-MERKKI',
  signatures: [{ step: 'proposed', name: 'Sanna Sosiaalityöntekijä', role: 'social_worker', organisation: 'Lapin hyvinvointialue', at: '2026-12-01T12:00:00Z' }],
  archivedAt: '2026-12-02T12:00:00Z',
  ...more
});
const ids = (sections: Section[]) => sections.map((s) => s.id);

/** Every message key a text names, parameters included. */
function keysOf(value: Text): string[] {
  if (typeof value === 'string') return [];
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if ('date' in value) return [];
  const { msg, params } = value as { msg: string; params?: Record<string, Text> };
  return [msg, ...Object.values(params ?? {}).flatMap(keysOf)];
}
const itemKeys = (item: Item): string[] =>
  item.kind === 'list' ? item.items.flatMap(keysOf) : item.kind === 'field' ? [item.label, ...keysOf(item.value)] : keysOf(item.value);

describe('the sections of a plan document', () => {
  it('follow the selected plan types: the activation plan adds its own section and follow-up date', () => {
    expect(ids(planSections(document(['activation_plan']), 'official'))).toEqual([
      'basis', 'clientWords', 'strengths', 'goals', 'clientVoice', 'service', 'activation', 'review', 'contact', 'notes', 'network', 'internalNotes', 'signatures'
    ]);
    const clientPlan = planSections(document(['client_plan']), 'official');
    expect(ids(clientPlan)).not.toContain('activation');
    expect(clientPlan.find((s) => s.id === 'review')!.items).toEqual([{ kind: 'field', label: 'plan_next_review', value: { date: '2027-02-15' } }]);
    expect(words(clientPlan)).not.toContain('Peruskoulu');
    // Types selected together show every section either shows.
    expect(ids(planSections(document(['client_plan', 'activation_plan']), 'official'))).toContain('activation');
  });

  it('the client copy says the agreed service in sentences and holds nothing internal', () => {
    const sections = planSections(document(['activation_plan']), 'client');
    expect(ids(sections)).toEqual(['basis', 'clientWords', 'goals', 'clientVoice', 'service', 'review', 'contact', 'signatures']);
    expect(sections.find((s) => s.id === 'service')!.items.map((i) => (i.kind === 'text' ? i.value : null))).toEqual([
      { msg: 'client_service_kind', params: { service: { msg: 'contract_work_trial' } } },
      { msg: 'client_service_place', params: { place: 'Verstas' } },
      { msg: 'client_service_days', params: { days: '3' } },
      { msg: 'client_service_hours', params: { hours: '4' } },
      { msg: 'client_service_period', params: { start: { date: '2027-01-07' }, end: { date: '2027-06-30' } } }
    ]);
    const text = words(sections);
    for (const internal of ['SISÄINEN-MERKKI', 'AMMATTILAISTEN-PERUSTELU', 'VERKOSTO-SISKO', 'PALAVERIN-MUISTIO', 'Peruskoulu']) expect(text).not.toContain(internal);
    // Their own reason, their comment and whom to call are there.
    expect(text).toContain('En ole valmis.');
    expect(text).toContain('Syksyllä.');
    expect(text).toContain(t('client_contact', { name: 'Sanna Sosiaalityöntekijä', organisation: 'Lapin hyvinvointialue' }));
  });

  it('the official copy shows an empty required field as a dash, and leaves empty optional sections out', () => {
    const sections = planSections({ plan: { ...emptyPlan, types: ['activation_plan'] }, people: {} }, 'official');
    expect(ids(sections)).toEqual(['basis', 'clientWords', 'strengths', 'goals', 'service', 'activation', 'review']);
    expect(sections.find((s) => s.id === 'service')!.items).toContainEqual({ kind: 'field', label: 'plan_place', value: { msg: 'plan_view_none' } });
  });

  it('marks where the client is now on the path in words (the documents\' font has no arrows)', () => {
    const path = { stages: [{ id: 's1', kind: 'referral' as const, date: '2026-11-01', note: '', source: '' as const, contractType: '' as const, endDate: '', outcome: '' as const }] };
    const [line] = (planSections(document(['client_plan'], { views: { wheel: null, network: [], path } }), 'official').find((s) => s.id === 'path')!.items[0] as { items: Text[] }).items;
    expect(resolveText(line!, t, (d) => d)).toBe(`${t('path_stage_referral')} 2026-11-01 · ${t('path_current')}`);
  });

  it('the heading is the legal name of the selected plan types', () => {
    const heading = resolveText(planHeading(document(['client_plan', 'activation_plan']), 'official'), t, (d) => d);
    expect(heading).toBe(`${t('plan_type_client_plan')} · ${t('plan_type_activation_plan')}`);
    expect(resolveText(planHeading(document([]), 'official'), t, (d) => d)).toBe(t('pdf_title'));
    expect(resolveText(planHeading(document(['client_plan']), 'client'), t, (d) => d)).toBe(t('client_plan_title'));
  });

  it('every message a document of any plan type names exists in Finnish and English', () => {
    const keys = new Set<string>();
    const add = (sections: Section[]) => sections.flatMap((s) => [s.heading, ...s.items.flatMap(itemKeys)]).forEach((k) => keys.add(k));
    for (const copy of ['official', 'client'] as Copy[]) {
      for (const types of [[], ...PLAN_TYPES.map((type) => [type])] as PlanType[][]) {
        add(planSections(document(types), copy));
        add(planSections({ plan: { ...emptyPlan, types }, people: {} }, copy));
        keysOf(planHeading(document(types), copy)).forEach((k) => keys.add(k));
      }
    }
    for (const d of PLAN_TYPE_DEFINITIONS) [d.name, d.law, ...d.required.map((f) => `plan_missing_${f}`)].forEach((k) => keys.add(k));
    for (const locale of ['fi', 'en']) expect([...keys].filter((k) => !(k in messages[locale]!)), locale).toEqual([]);
  });
});

describe('the plan-type definitions', () => {
  it('each type has a version for every day from its first, and names only known sections and fields', () => {
    for (const type of PLAN_TYPES) {
      const versions = PLAN_TYPE_DEFINITIONS.filter((d) => d.id === type);
      expect(versions.length, type).toBeGreaterThan(0);
      for (const d of versions) {
        expect(d.sections.every((s) => PLAN_SECTIONS.includes(s))).toBe(true);
        expect(d.required.every((f) => REQUIRED_FIELDS.includes(f))).toBe(true);
      }
      expect(planTypeDefinition(type, '2030-01-01').id).toBe(type);
    }
  });

  it('a type is offered only from the day its law applies: the multi-sector employment plan under Act 381/2023 from 1 January 2025', () => {
    expect(planTypesOn('2024-12-31')).not.toContain('employment_plan');
    expect(planTypesOn('2025-01-01')).toContain('employment_plan');
  });

  it('with no type selected, the sections every type shares show; the activation section only with an activation plan', () => {
    expect(sectionsOf([], '2026-01-01')).not.toContain('activation');
    expect(sectionsOf([], '2026-01-01')).toContain('service');
    expect(sectionsOf(['activation_plan'], '2026-01-01')).toContain('activation');
  });

  it('completeness and the service limits come from the definitions', () => {
    for (const type of PLAN_TYPES) {
      const missing = missingForFinal({ ...emptyPlan, types: [type] }).map((m) => m.field);
      // With no goals, "every goal has an action" and "every action has a responsible person" hold.
      expect(missing, type).toEqual(planTypeDefinition(type, '2026-01-01').required.filter((f) => f !== 'goalActions' && f !== 'actionResponsible'));
    }
    const breaks = serviceRuleBreaks(['activation_plan'], { ...plan.service, daysPerWeek: 5, hoursPerDay: 9 });
    expect(breaks.map((b) => [b.key, b.warn])).toEqual([['invalid_days_activation', false], ['warn_hours_activation', true]]);
    for (const b of breaks) expect(messages.fi).toHaveProperty(b.key);
    expect(serviceRuleBreaks(['client_plan'], { ...plan.service, daysPerWeek: 5 })).toEqual([]);
  });
});

describe("the client's copy in plain words", () => {
  const wheel = {
    template: { id: 'life', name: 'Elämän osa-alueet', min: 1, max: 5, areas: [{ id: 'daily_life', label: '' }, { id: 'oma-alue', label: 'Oma alue' }] },
    rounds: [{ id: 'r1', date: '2026-11-20', comment: '', participants: '', scores: { daily_life: 2, 'oma-alue': 4 }, clientScores: { daily_life: 3, 'oma-alue': null } }]
  };
  const path = { stages: [{ id: 's1', kind: 'work_ability_assessment' as const, date: '2026-11-01', note: '', source: '' as const, contractType: '' as const, endDate: '', outcome: '' as const }] };
  const client = () => planSections(document(['client_plan'], { views: { wheel, network: [], path } }), 'client');

  it('names the wheel\'s areas in everyday words and explains the scale by its ends', () => {
    const text = words(client());
    expect(text).toContain(t('client_area_daily_life'));
    expect(text).not.toContain(t('life_area_daily_life'));
    // An organisation's own area names are its own words and stay as they are.
    expect(text).toContain('Oma alue');
    expect(text).toContain(t('client_wheel_scale', { min: '1', max: '5' }));
    expect(text).toContain(t('client_wheel_you', { score: '3' }));
    expect(text).not.toContain(t('wheel_client'));
  });

  it('says where the client is on the path in everyday words', () => {
    const text = words(client());
    expect(text).toContain(t('client_path_stage_work_ability_assessment'));
    expect(text).not.toContain(t('path_stage_work_ability_assessment'));
  });

  it('says who does each action in a whole sentence', () => {
    const own = { ...plan, goals: [{ ...plan.goals[0]!, actions: [{ ...plan.goals[0]!.actions[0]!, responsible: 'client' }] }] };
    const text = words(planSections({ ...document(['client_plan']), plan: { ...own, types: ['client_plan'] } }, 'client'));
    expect(text).toContain(t('client_who_you'));
  });

  it('has an everyday word for every area and stage, a sentence for every relation, in Finnish and English', () => {
    for (const locale of ['fi', 'en']) {
      for (const area of LIFE_AREAS) expect(messages[locale]![`client_area_${area}`], `${locale} client_area_${area}`).toBeTruthy();
      for (const kind of STAGE_KINDS) expect(messages[locale]![`client_path_stage_${kind}`], `${locale} client_path_stage_${kind}`).toBeTruthy();
      for (const key of Object.keys(messages[locale]!).filter((k) => k.startsWith('client_'))) {
        const value = messages[locale]![key]!;
        // No "Who: …" / "When: …" label fragments in what the client reads.
        expect(value, `${locale} ${key}`).not.toMatch(/(^|[.!?] )(Kuka|Milloin|Missä|Syy|Mitä mieltä olet|Who|When|Where|Reason|What do you think): /);
      }
    }
    // "broken" must not read like a network error.
    expect(messages.fi!.client_quality_broken).not.toMatch(/yhtey/i);
    expect(messages.en!.client_quality_broken).not.toMatch(/connection/i);
  });
});
