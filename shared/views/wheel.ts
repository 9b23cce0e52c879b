/**
 * The assessment wheel (ESY life-situation circle) in the case document, declared once:
 *
 *   wheel: Y.Map
 *     template: { id, name, min, max, areas: [{ id, label }] }   plain value, set once
 *     rounds: Y.Map<roundId, Y.Map>
 *       date: 'YYYY-MM-DD', comment: Y.Text, participants: Y.Text,
 *       scores: Y.Map<areaId, number | null>          the professionals' view (null: not assessed)
 *       clientScores: Y.Map<areaId, number | null>    the client's own view
 *
 * A score is one map entry: two people scoring the same area at once converge on one of the
 * two values (last writer wins), never a mix. The template is copied into the document when the
 * first round is made, so later changes to a template never rewrite earlier rounds.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { LIFE_AREAS } from '../plan/vocabulary.js';

export interface WheelArea {
  id: string;
  /** Shown as is; built-in areas (a life area id) are translated by the client instead. */
  label: string;
}

export interface WheelTemplate {
  id: string;
  name: string;
  min: number;
  max: number;
  areas: WheelArea[];
}

/** The default: the ESY circle's areas, scored 1–5. */
export const ESY_TEMPLATE: WheelTemplate = { id: 'esy', name: 'ESY', min: 1, max: 5, areas: LIFE_AREAS.map((id) => ({ id, label: '' })) };

/** The life-situation meter of Finnish youth services: the same areas, scored 0–10. */
export const YOUTH_TEMPLATE: WheelTemplate = { id: 'youth', name: '0–10', min: 0, max: 10, areas: LIFE_AREAS.map((id) => ({ id, label: '' })) };

export const BUILT_IN_TEMPLATES: readonly WheelTemplate[] = [ESY_TEMPLATE, YOUTH_TEMPLATE];

export const wheelTemplateSchema = z
  .object({
    id: z.string().min(1).max(64),
    name: z.string().trim().min(1, { message: 'name the template' }).max(100),
    min: z.number().int().min(0).max(10),
    max: z.number().int().min(1).max(10),
    areas: z
      .array(z.object({ id: z.string().min(1).max(64), label: z.string().max(100) }))
      .min(3, { message: 'a wheel needs at least 3 areas' })
      .max(16, { message: 'at most 16 areas' })
  })
  .refine((t) => t.max > t.min, { message: 'the top of the scale must be above its bottom', path: ['max'] })
  .refine((t) => new Set(t.areas.map((a) => a.id)).size === t.areas.length, { message: 'two areas have the same id', path: ['areas'] });

/** What a coordinator fills in to define an organisation's template: area names, one scale. */
export const newWheelTemplateSchema = z
  .object({
    name: z.string().trim().min(1, { message: 'name the template' }).max(100),
    min: z.number().int().min(0, { message: 'the scale starts at 0 or 1' }).max(1, { message: 'the scale starts at 0 or 1' }),
    max: z.number().int().min(4, { message: 'the scale goes up to 4–10' }).max(10, { message: 'the scale goes up to 4–10' }),
    areas: z
      .array(z.string().trim().min(1).max(100))
      .min(3, { message: 'a wheel needs at least 3 areas' })
      .max(16, { message: 'at most 16 areas' })
      .refine((a) => new Set(a.map((x) => x.toLowerCase())).size === a.length, { message: 'two areas have the same name' })
  });
export type NewWheelTemplate = z.input<typeof newWheelTemplateSchema>;

export type Who = 'professional' | 'client';
const SCORE_KEY: Record<Who, 'scores' | 'clientScores'> = { professional: 'scores', client: 'clientScores' };

type YMap = Y.Map<unknown>;

export function wheelMap(doc: Y.Doc): YMap {
  return doc.getMap('wheel');
}

export function wheelTemplate(doc: Y.Doc): WheelTemplate | null {
  const parsed = wheelTemplateSchema.safeParse(wheelMap(doc).get('template'));
  return parsed.success ? parsed.data : null;
}

export function roundsMap(doc: Y.Doc): Y.Map<YMap> | undefined {
  return wheelMap(doc).get('rounds') as Y.Map<YMap> | undefined;
}

/** Creates the wheel's shared types if missing (the server does it when a case is created). */
export function ensureWheelTypes(doc: Y.Doc): void {
  doc.transact(() => {
    const wheel = wheelMap(doc);
    if (!(wheel.get('rounds') instanceof Y.Map)) wheel.set('rounds', new Y.Map());
  });
}

/** Chooses the wheel's template; refused (false) once a round exists. */
export function setWheelTemplate(doc: Y.Doc, template: WheelTemplate): boolean {
  if ((roundsMap(doc)?.size ?? 0) > 0) return false;
  doc.transact(() => {
    ensureWheelTypes(doc);
    wheelMap(doc).set('template', template);
  });
  return true;
}

/** Adds a round dated `date`; returns its id. */
export function addRound(doc: Y.Doc, date: string, id: string = crypto.randomUUID()): string {
  doc.transact(() => {
    const rounds = roundsMap(doc);
    if (!rounds) throw new Error('the wheel has no template yet');
    const round = new Y.Map<unknown>();
    round.set('date', date);
    round.set('comment', new Y.Text());
    round.set('participants', new Y.Text());
    round.set('scores', new Y.Map());
    round.set('clientScores', new Y.Map());
    rounds.set(id, round);
  });
  return id;
}

export function removeRound(doc: Y.Doc, id: string): void {
  doc.transact(() => roundsMap(doc)?.delete(id));
}

/** Sets one area's score in a round (`null`: not assessed), clamped to the template's scale. */
export function setScore(doc: Y.Doc, roundId: string, who: Who, areaId: string, value: number | null): void {
  const template = wheelTemplate(doc);
  const round = roundsMap(doc)?.get(roundId);
  if (!template || !round) return;
  const score = value === null ? null : Math.min(template.max, Math.max(template.min, Math.round(value)));
  doc.transact(() => (round.get(SCORE_KEY[who]) as Y.Map<number | null>).set(areaId, score));
}

export interface RoundJson {
  id: string;
  date: string;
  comment: string;
  participants: string;
  scores: Record<string, number | null>;
  clientScores: Record<string, number | null>;
}

export interface WheelJson {
  template: WheelTemplate;
  rounds: RoundJson[];
}

const text = (v: unknown) => (v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '');
const scoresOf = (v: unknown): Record<string, number | null> =>
  v instanceof Y.Map ? Object.fromEntries([...v.entries()].map(([k, s]) => [k, typeof s === 'number' ? s : null])) : {};

/** Rounds in time order (ties by id, so every replica agrees). */
export function wheelToJson(doc: Y.Doc): WheelJson | null {
  const template = wheelTemplate(doc);
  if (!template) return null;
  const rounds = [...(roundsMap(doc)?.entries() ?? [])]
    .map(([id, r]) => ({
      id,
      date: text(r.get('date')),
      comment: text(r.get('comment')),
      participants: text(r.get('participants')),
      scores: scoresOf(r.get('scores')),
      clientScores: scoresOf(r.get('clientScores'))
    }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
  return { template, rounds };
}

export function wheelFromJson(json: WheelJson, doc: Y.Doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    setWheelTemplate(doc, json.template);
    for (const round of json.rounds) {
      addRound(doc, round.date, round.id);
      const map = roundsMap(doc)!.get(round.id)!;
      (map.get('comment') as Y.Text).insert(0, round.comment);
      (map.get('participants') as Y.Text).insert(0, round.participants);
      for (const [k, v] of Object.entries(round.scores)) (map.get('scores') as Y.Map<unknown>).set(k, v);
      for (const [k, v] of Object.entries(round.clientScores)) (map.get('clientScores') as Y.Map<unknown>).set(k, v);
    }
  });
  return doc;
}

const scores = z.record(z.string(), z.number().int().nullable());

export const wheelJsonSchema = z
  .object({
    template: wheelTemplateSchema,
    rounds: z.array(
      z.object({
        id: z.string().min(1),
        date: z.iso.date({ message: 'use a date like 2027-01-31' }),
        comment: z.string().max(5000),
        participants: z.string().max(1000),
        scores,
        clientScores: scores
      })
    )
  })
  .superRefine((wheel, ctx) => {
    const { min, max, areas } = wheel.template;
    const known = new Set(areas.map((a) => a.id));
    wheel.rounds.forEach((round, i) => {
      for (const key of ['scores', 'clientScores'] as const) {
        for (const [area, score] of Object.entries(round[key])) {
          if (!known.has(area)) ctx.addIssue({ code: 'custom', path: ['rounds', i, key, area], message: `unknown area ${area}` });
          else if (score !== null && (score < min || score > max)) {
            ctx.addIssue({ code: 'custom', path: ['rounds', i, key, area], message: `a score of ${score} is outside the scale ${min}–${max}` });
          }
        }
      }
    });
  });

export interface ChangeRow {
  areaId: string;
  label: string;
  first: number | null;
  previous: number | null;
  current: number | null;
  /** Current minus previous (professionals' scores), when both exist. */
  change: number | null;
  client: number | null;
  /** The client's and the professionals' current scores differ. */
  differs: boolean;
}

/** The change per area: the latest round against the one before it (and the first), with the client's own view. */
export function changeTable(wheel: WheelJson): ChangeRow[] {
  const rounds = wheel.rounds;
  const current = rounds.at(-1);
  const previous = rounds.at(-2);
  const first = rounds[0];
  return wheel.template.areas.map((area) => {
    const now = current?.scores[area.id] ?? null;
    const before = previous?.scores[area.id] ?? null;
    const client = current?.clientScores[area.id] ?? null;
    return {
      areaId: area.id,
      label: area.label,
      first: rounds.length > 1 ? (first?.scores[area.id] ?? null) : null,
      previous: before,
      current: now,
      change: now !== null && before !== null ? now - before : null,
      client,
      differs: now !== null && client !== null && now !== client
    };
  });
}

/** Areas scored in the lowest part of the scale in the latest round (candidates for a goal). */
export function lowAreas(wheel: WheelJson): string[] {
  const current = wheel.rounds.at(-1);
  if (!current) return [];
  const { min, max } = wheel.template;
  const threshold = min + (max - min) * 0.4;
  return wheel.template.areas.filter((a) => {
    const s = current.scores[a.id] ?? current.clientScores[a.id] ?? null;
    return s !== null && s <= threshold;
  }).map((a) => a.id);
}
