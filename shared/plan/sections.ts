/**
 * The one description of a plan as a document: its sections, in order, for the official copy or
 * the client's. The print view, the official PDF, the client's PDF and the hand-over package's
 * JSON all lay out what `planSections` returns and decide nothing about content themselves, so
 * they cannot drift apart. Which of the plan's own sections show comes from the selected plan
 * types (`types.ts`); the client's copy says the agreed service in plain sentences and leaves out
 * everything internal (notes, professional reasons, the network map).
 */
import { finnishDate, finnishToday } from '../finnish-time.js';
import { changeTable, currentStage, type NodeJson, type PathJson, type WheelJson } from '../views/index.js';
import type { ClientEntry } from './client-voice.js';
import { ACTIVATION_FIELDS } from './doc.js';
import type { ActionJson, GoalJson, PlanJson } from './json.js';
import { planTypeDefinition, sectionsOf, type PlanSection } from './types.js';
import { CLIENT_RESPONSIBLE } from './vocabulary.js';

export type Copy = 'official' | 'client';

/**
 * Text that the renderer resolves in its own language: words as written, a day (YYYY-MM-DD) or an
 * instant, a message with parameters, or several of these in a row.
 */
export type Text = string | { date: string } | { msg: string; params?: Record<string, Text> } | readonly Text[];

/** One item of a section: a labelled value, a paragraph, a sub-heading (a goal) or a bulleted list. */
export type Item =
  | { kind: 'field'; label: string; value: Text }
  | { kind: 'text'; value: Text }
  | { kind: 'title'; value: Text }
  | { kind: 'list'; items: Text[] };

export const DOCUMENT_SECTIONS = ['basis', 'clientWords', 'strengths', 'goals', 'clientVoice', 'service', 'activation', 'review', 'contact', 'notes', 'wheel', 'path', 'network', 'internalNotes', 'signatures'] as const;
export type SectionId = (typeof DOCUMENT_SECTIONS)[number];

export interface Section {
  id: SectionId;
  /** Message key. */
  heading: string;
  items: Item[];
}

export interface Person {
  name: string;
  role: string;
  organisation: string;
}

/** What a plan document is made of: an archived version (`ArchiveContent`) or the live plan with what is known of it. */
export interface PlanDocument {
  plan: PlanJson;
  /** Account id → who they are, to name who is responsible for what. */
  people: Record<string, { name: string }>;
  /** What the client added from their meeting view. */
  clientVoice?: ReadonlyArray<ClientEntry & { id?: string }>;
  views?: { wheel: WheelJson | null; network: NodeJson[]; path: PathJson };
  internalNotes?: string;
  signatures?: ReadonlyArray<Person & { step: string; at: string }>;
  /** When the version was archived: which version of each plan type applies, and where "now" is on the path. Today when absent. */
  archivedAt?: string;
  /** Whom the client calls; the person who proposed the plan (the responsible worker) when absent. */
  contact?: Person | null;
}

const msg = (key: string, params?: Record<string, Text>): Text => (params ? { msg: key, params } : { msg: key });
const none = msg('plan_view_none');
const or = (value: string, make: (v: string) => Text = (v) => v): Text => (value.trim() ? make(value) : none);
const dateOr = (day: string): Text => or(day, (d) => ({ date: d }));
const field = (label: string, value: Text): Item => ({ kind: 'field', label, value });
const text = (value: Text): Item => ({ kind: 'text', value });
const joined = (parts: Text[], by: string): Text => parts.flatMap((part, i) => (i > 0 ? [by, part] : [part]));
const dayOf = (document: PlanDocument) => (document.archivedAt ? finnishDate(document.archivedAt) : finnishToday());

/** The document's heading: the legal names of the selected plan types (the client's copy: "your plan"). */
export function planHeading(document: PlanDocument, copy: Copy): Text {
  const day = dayOf(document);
  if (copy === 'client') return msg('client_plan_title');
  if (document.plan.types.length === 0) return msg('pdf_title');
  return joined(document.plan.types.map((t) => msg(planTypeDefinition(t, day).name)), ' · ');
}

/** The plan's sections, in order, for the official copy or the client's. Empty optional sections are left out. */
export function planSections(document: PlanDocument, copy: Copy): Section[] {
  const { plan } = document;
  const day = dayOf(document);
  const official = copy === 'official';
  const shown = new Set<PlanSection>(sectionsOf(plan.types, day));
  const voice = document.clientVoice ?? [];
  const contact = document.signatures?.find((s) => s.step === 'proposed') ?? document.contact ?? null;
  const who = (id: string): Text =>
    id === CLIENT_RESPONSIBLE ? msg(official ? 'plan_action_responsible_client' : 'client_you') : id ? (document.people[id]?.name ?? none) : msg('plan_action_responsible_none');

  const sections: Array<Section | null> = [
    {
      id: 'basis',
      heading: 'pdf_basis',
      items: [
        field('case_plan_title', or(plan.title)),
        ...(official && plan.types.length > 0 ? [field('pdf_law', joined(plan.types.map((t) => msg(planTypeDefinition(t, day).law)), '; '))] : [])
      ]
    },
    shown.has('clientWords') ? { id: 'clientWords', heading: official ? 'plan_client_words' : 'pdf_client_words_client', items: [text(or(plan.clientWords))] } : null,
    shown.has('strengths') && official ? { id: 'strengths', heading: 'plan_strengths', items: [text(or(plan.strengths))] } : null,
    shown.has('goals') ? { id: 'goals', heading: official ? 'plan_goals_heading' : 'client_goals_heading', items: goalItems(plan.goals, voice, who, official) } : null,
    voiceSection(voice, official),
    shown.has('service') ? serviceSection(plan.service, official) : null,
    shown.has('activation') && official
      ? { id: 'activation', heading: 'plan_activation_heading', items: ACTIVATION_FIELDS.map((f) => field(`plan_activation_${f}`, or(plan.activation[f]))) }
      : null,
    shown.has('review') ? reviewSection(plan, shown.has('activation'), official) : null,
    contact
      ? official
        ? { id: 'contact', heading: 'pdf_contact', items: [text([contact.name, ', ', msg(`role_${contact.role}`), ', ', contact.organisation])] }
        : { id: 'contact', heading: 'client_contact_heading', items: [text(msg('client_contact', { name: contact.name, organisation: contact.organisation }))] }
      : null,
    official && plan.notes.trim() ? { id: 'notes', heading: 'case_notes', items: [text(plan.notes)] } : null,
    wheelSection(document.views?.wheel ?? null, official),
    pathSection(document.views?.path ?? null, day, official),
    official && document.views?.network.length ? { id: 'network', heading: 'network_heading', items: [{ kind: 'list', items: document.views.network.map(networkLine) }] } : null,
    official && document.internalNotes?.trim() ? { id: 'internalNotes', heading: 'pdf_internal_notes', items: [text(document.internalNotes)] } : null,
    document.signatures?.length
      ? {
          id: 'signatures',
          heading: official ? 'pdf_signatures' : 'pdf_agreed_by',
          items: [{ kind: 'list', items: document.signatures.map((s) => [msg(`pdf_step_${s.step}`), `: ${s.name}, `, msg(`role_${s.role}`), `, ${s.organisation} · `, { date: s.at }]) }]
        }
      : null
  ];
  return sections.filter((s): s is Section => s !== null && s.items.length > 0);
}

function goalItems(goals: readonly GoalJson[], voice: NonNullable<PlanDocument['clientVoice']>, who: (id: string) => Text, official: boolean): Item[] {
  if (goals.length === 0) return [text(msg(official ? 'plan_goals_empty' : 'client_goals_none'))];
  const stances = new Map<string, 'agree' | 'disagree'>();
  for (const e of voice) if (e.kind === 'stance' && e.actionId && e.stance) stances.set(e.actionId, e.stance);
  const clientLine = (a: ActionJson): Text => [
    a.text || '–',
    '. ',
    a.responsible === CLIENT_RESPONSIBLE ? msg('client_who_you') : a.responsible ? msg('client_who_named', { name: who(a.responsible) }) : msg('client_who_nobody'),
    ...(a.due ? [' ', msg('client_when', { date: { date: a.due } })] : []),
    ...(a.status === 'done' ? [' ', msg('client_action_done')] : []),
    ...(stances.has(a.id) ? [' ', msg(stances.get(a.id) === 'agree' ? 'client_you_agreed' : 'client_you_disagreed')] : [])
  ];
  const actionLine = (a: ActionJson): Text => !official ? clientLine(a) : [
    a.text || '–',
    ' — ',
    who(a.responsible),
    ...(a.due ? [' · ', { date: a.due }] : []),
    ' (',
    msg(`action_status_${a.status}`),
    ')',
    ...(stances.has(a.id) ? [' · ', msg(stances.get(a.id) === 'agree' ? 'plan_client_agrees' : 'plan_client_disagrees')] : [])
  ];
  return goals.flatMap((goal, i): Item[] => {
    const comments = voice.filter((e) => e.kind === 'comment' && e.goalId === goal.id);
    const disagrees = goal.clientStance === 'disagree';
    return [
      { kind: 'title', value: `${i + 1}. ${goal.title || '–'}` },
      ...(official
        ? [field('plan_goal_life_area', goal.lifeArea ? msg(`life_area_${goal.lifeArea}`) : none), field('plan_goal_status', msg(`goal_status_${goal.status}`))]
        : [text(msg(`client_goal_${goal.status}`))]),
      ...(goal.description ? [text(goal.description)] : []),
      ...(official ? [field('plan_stance_legend', msg(`plan_stance_${goal.clientStance}`))] : []),
      ...(disagrees && official ? [field('plan_client_reason', or(goal.clientReason)), field('plan_professional_reason', or(goal.professionalReason))] : []),
      ...(disagrees && !official ? [text(msg('client_goal_disagree', { reason: or(goal.clientReason) }))] : []),
      ...comments.map((c) => field(official ? 'plan_client_comments' : 'client_your_comment', [c.text, ' (', { date: c.at }, ')'])),
      ...(goal.actions.length > 0 ? [{ kind: 'list' as const, items: goal.actions.map(actionLine) }] : [])
    ];
  });
}

function voiceSection(voice: NonNullable<PlanDocument['clientVoice']>, official: boolean): Section | null {
  const wishes = voice.filter((e) => e.kind === 'wish');
  if (wishes.length === 0) return null;
  return { id: 'clientVoice', heading: official ? 'plan_client_wishes' : 'client_wish_heading', items: [{ kind: 'list', items: wishes.map((w) => [w.text, ' (', { date: w.at }, ')']) }] };
}

function serviceSection(service: PlanJson['service'], official: boolean): Section {
  const { contractType, place, startDate, endDate, daysPerWeek, hoursPerDay } = service;
  if (official) {
    return {
      id: 'service',
      heading: 'plan_service_heading',
      items: [
        field('plan_contract_type', contractType ? msg(`contract_${contractType}`) : none),
        field('plan_place', or(place)),
        field('plan_view_period', startDate || endDate ? [dateOr(startDate), ' – ', dateOr(endDate)] : none),
        field('plan_days_per_week', daysPerWeek === null ? none : String(daysPerWeek)),
        field('plan_hours_per_day', hoursPerDay === null ? none : String(hoursPerDay))
      ]
    };
  }
  // The client's copy: whole sentences, only about what has been agreed.
  const sentences: Text[] = [
    ...(contractType ? [msg('client_service_kind', { service: msg(`contract_${contractType}`) })] : []),
    ...(place.trim() ? [msg('client_service_place', { place })] : []),
    ...(daysPerWeek !== null ? [msg('client_service_days', { days: String(daysPerWeek) })] : []),
    ...(hoursPerDay !== null ? [msg('client_service_hours', { hours: String(hoursPerDay) })] : []),
    ...(startDate && endDate ? [msg('client_service_period', { start: { date: startDate }, end: { date: endDate } })] : [])
  ];
  return { id: 'service', heading: 'client_service_heading', items: sentences.map(text) };
}

function reviewSection(plan: PlanJson, followUp: boolean, official: boolean): Section {
  if (!official) return { id: 'review', heading: 'client_next_heading', items: plan.nextReview ? [text(msg('client_next_review', { date: { date: plan.nextReview } }))] : [] };
  return {
    id: 'review',
    heading: 'pdf_review',
    items: [field('plan_next_review', dateOr(plan.nextReview)), ...(followUp ? [field('plan_follow_up', dateOr(plan.followUpDate))] : [])]
  };
}

function wheelSection(wheel: WheelJson | null, official: boolean): Section | null {
  if (!wheel || wheel.rounds.length === 0) return null;
  const rows = changeTable(wheel).filter((row) => row.current !== null || row.client !== null);
  if (!official) {
    // The client's copy: areas in everyday words, whole sentences, and the scale explained by its ends.
    const lines = rows.map((row): Text => [
      row.label || msg(`client_area_${row.areaId}`),
      ': ',
      row.client !== null ? msg('client_wheel_you', { score: String(row.client) }) : msg('client_wheel_you_none'),
      ...(row.current !== null ? [' ', msg('client_wheel_workers', { score: String(row.current) })] : [])
    ]);
    const scale = text(msg('client_wheel_scale', { min: String(wheel.template.min), max: String(wheel.template.max) }));
    return { id: 'wheel', heading: 'client_wheel_heading', items: [scale, { kind: 'list', items: lines }] };
  }
  const lines = rows.map((row): Text => [
    row.label || msg(`life_area_${row.areaId}`),
    ': ',
    msg('wheel_now'),
    ` ${row.current ?? '–'} · `,
    msg('wheel_client'),
    ` ${row.client ?? '–'}`,
    ...(row.change !== null ? [' · ', msg('wheel_change'), ` ${row.change > 0 ? '+' : ''}${row.change}`] : [])
  ]);
  return { id: 'wheel', heading: 'wheel_heading', items: [{ kind: 'list', items: lines }] };
}

function pathSection(path: PathJson | null, day: string, official: boolean): Section | null {
  if (!path || path.stages.length === 0) return null;
  const now = currentStage(path, day);
  const lines = path.stages.map((stage): Text => [
    msg(`${official ? '' : 'client_'}path_stage_${stage.kind}`),
    ...(stage.date ? [' ', { date: stage.date }] : []),
    // Marked in words: an arrow is not in the documents' font.
    ...(now?.id === stage.id ? [' · ', msg(official ? 'path_current' : 'client_path_here')] : [])
  ]);
  return { id: 'path', heading: official ? 'path_heading' : 'client_path_heading', items: [{ kind: 'list', items: lines }] };
}

const networkLine = (node: NodeJson): Text => [
  node.name || node.relation,
  ' (',
  msg(`network_sector_${node.sector}`),
  ', ',
  msg(`network_ring_${node.pos.ring}`),
  ', ',
  msg(`network_quality_${node.quality}`),
  ')'
];

/** A section with every text resolved to words, as a layout or the hand-over JSON needs it. */
export interface ResolvedSection {
  id: SectionId;
  heading: string;
  items: Array<{ kind: 'field'; label: string; value: string } | { kind: 'text'; value: string } | { kind: 'title'; value: string } | { kind: 'list'; items: string[] }>;
}

/** Resolves `text` with a translator (message key and parameters → words) and a date formatter. */
export function resolveText(value: Text, t: (key: string, params?: Record<string, string>) => string, date: (iso: string) => string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v: Text) => resolveText(v, t, date)).join('');
  if ('date' in value) return date(value.date);
  const { msg: key, params } = value as { msg: string; params?: Record<string, Text> };
  return t(key, params && Object.fromEntries(Object.entries(params).map(([k, v]) => [k, resolveText(v, t, date)])));
}

/** Every section with its texts resolved (see `resolveText`). */
export function resolveSections(sections: readonly Section[], t: (key: string, params?: Record<string, string>) => string, date: (iso: string) => string): ResolvedSection[] {
  const r = (v: Text) => resolveText(v, t, date);
  return sections.map((s) => ({
    id: s.id,
    heading: t(s.heading),
    items: s.items.map((item) => (item.kind === 'list' ? { ...item, items: item.items.map(r) } : item.kind === 'field' ? { ...item, label: t(item.label), value: r(item.value) } : { ...item, value: r(item.value) }))
  }));
}
