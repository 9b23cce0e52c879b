/**
 * The legal plan types as versioned data: each version of a plan type names its legal name and
 * law (message keys), the dates between which it applies, the sections of the plan it shows, the
 * fields it needs before the plan is finalised and the limits it sets on the agreed service.
 * Completeness (`checks.ts`), validation (`json.ts`), the editor, the print view and the PDFs
 * (through `sections.ts`) read this and nothing else: a new plan type, or a new version of one
 * when a law changes, is one more entry here and its messages.
 */

export const PLAN_TYPES = ['client_plan', 'activation_plan', 'employment_plan', 'jobseeker_plan'] as const;
export type PlanType = (typeof PLAN_TYPES)[number];

/** The plan's sections that plan types choose from, in the order a plan shows them. */
export const PLAN_SECTIONS = ['clientWords', 'strengths', 'goals', 'service', 'activation', 'review'] as const;
export type PlanSection = (typeof PLAN_SECTIONS)[number];

/** Fields a plan type may require before finalising (`checks.ts` says when each is filled). */
export const REQUIRED_FIELDS = [
  'clientWords',
  'goals',
  'goalActions',
  'actionResponsible',
  'nextReview',
  'educationHistory',
  'earlierServices',
  'earlierPlans',
  'activationGoal',
  'support',
  'place',
  'period',
  'daysPerWeek',
  'hoursPerDay',
  'followUpDate',
  'contractType'
] as const;
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

/** Limits a plan type sets on the agreed service; breaking one is refused, except the guidance, which warns. */
export interface ServiceRules {
  /** The plan type as the API's (English) refusals name it, and the law they cite. */
  subject: string;
  law: string;
  /** Suffix of the editor's messages: `invalid_days_<key>`, `invalid_hours_<key>`, `invalid_period_<key>`, `warn_hours_<key>`. */
  messages: string;
  daysPerWeek?: readonly [number, number];
  minHoursPerDay?: number;
  /** Calendar months, the first and the last day included (`period.ts`). */
  months?: readonly [number, number];
  guidance?: { maxHoursPerDay: number; source: string };
}

export interface PlanTypeDefinition {
  id: PlanType;
  /** Message keys: the plan's legal name, and the law it is made under (shown in the documents). */
  name: string;
  law: string;
  /** The first and the last day this version applies (YYYY-MM-DD; '' for open-ended). */
  validFrom: string;
  validTo: string;
  sections: readonly PlanSection[];
  required: readonly RequiredField[];
  rules: ServiceRules | null;
}

const EVERY_SECTION_BUT_ACTIVATION = PLAN_SECTIONS.filter((s) => s !== 'activation');

export const PLAN_TYPE_DEFINITIONS: readonly PlanTypeDefinition[] = [
  {
    // Social Welfare Act 1301/2014 §39 (the client plan) and the Client Act 812/2000 §7: goals, how
    // they are pursued, who does what, and when the plan is reviewed.
    id: 'client_plan',
    name: 'plan_type_client_plan',
    law: 'plan_law_client_plan',
    validFrom: '2015-04-01',
    validTo: '',
    sections: EVERY_SECTION_BUT_ACTIVATION,
    required: ['clientWords', 'goals', 'goalActions', 'actionResponsible', 'nextReview'],
    rules: null
  },
  {
    // Act on Rehabilitative Work Activity 189/2001 §8 (the plan's content: the client's education and
    // work history, earlier services and plans, the goal of the activity, the support given, follow-up)
    // and §13 as amended by 142/2015 (the service: 3–24 months, 1–4 days a week, at least 4 hours a day).
    id: 'activation_plan',
    name: 'plan_type_activation_plan',
    law: 'plan_law_activation_plan',
    validFrom: '2001-09-01',
    validTo: '',
    sections: PLAN_SECTIONS,
    required: ['educationHistory', 'earlierServices', 'earlierPlans', 'activationGoal', 'support', 'place', 'period', 'daysPerWeek', 'hoursPerDay', 'followUpDate'],
    rules: {
      subject: 'an activation plan',
      law: 'Act 189/2001 §13',
      messages: 'activation',
      daysPerWeek: [1, 4],
      minHoursPerDay: 4,
      months: [3, 24],
      guidance: { maxHoursPerDay: 8, source: 'THL' }
    }
  },
  {
    // Act 381/2023 on multi-sector employment support (in force 1 January 2025; before it Act
    // 1369/2014): the employment authority, the wellbeing services county and Kela plan together.
    id: 'employment_plan',
    name: 'plan_type_employment_plan',
    law: 'plan_law_employment_plan',
    validFrom: '2025-01-01',
    validTo: '',
    sections: EVERY_SECTION_BUT_ACTIVATION,
    required: ['goals', 'contractType', 'nextReview'],
    rules: null
  },
  {
    // The jobseeker's employment plan (työllistymissuunnitelma), Act 380/2023 on the organisation of
    // employment services (in force 1 January 2025): agreed by the jobseeker and the employment
    // authority; the goals, the services and the jobseeker's own actions, and when it is reviewed.
    id: 'jobseeker_plan',
    name: 'plan_type_jobseeker_plan',
    law: 'plan_law_jobseeker_plan',
    validFrom: '2025-01-01',
    validTo: '',
    sections: EVERY_SECTION_BUT_ACTIVATION,
    required: ['goals', 'goalActions', 'actionResponsible', 'nextReview'],
    rules: null
  }
];

/**
 * The version of plan type `id` that applies on `day` (YYYY-MM-DD): the one whose dates cover
 * it, or else the nearest (the first for a day before every version, the last after them), so
 * a plan made under an ended version still has its law.
 */
export function planTypeDefinition(id: PlanType, day: string): PlanTypeDefinition {
  const versions = PLAN_TYPE_DEFINITIONS.filter((d) => d.id === id);
  return (
    versions.find((d) => d.validFrom <= day && (d.validTo === '' || day <= d.validTo)) ??
    [...versions].reverse().find((d) => d.validFrom <= day) ??
    versions[0]!
  );
}

/** The plan types whose some version applies on `day` (those offered for a new plan). */
export function planTypesOn(day: string): PlanType[] {
  return PLAN_TYPES.filter((id) => PLAN_TYPE_DEFINITIONS.some((d) => d.id === id && d.validFrom <= day && (d.validTo === '' || day <= d.validTo)));
}

/**
 * The sections shown for the selected `types` on `day`: every section any of them shows. A plan
 * with no type selected yet shows every section that more than one type shares, so nothing
 * typed before a type is chosen disappears from view.
 */
export function sectionsOf(types: readonly PlanType[], day: string): PlanSection[] {
  const chosen = types.map((t) => planTypeDefinition(t, day).sections);
  if (chosen.length === 0) return PLAN_SECTIONS.filter((s) => PLAN_TYPES.filter((t) => planTypeDefinition(t, day).sections.includes(s)).length > 1);
  return PLAN_SECTIONS.filter((s) => chosen.some((sections) => sections.includes(s)));
}
