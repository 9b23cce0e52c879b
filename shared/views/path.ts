/**
 * The guidance path (ohjauspolku) in the case document, declared once:
 *
 *   path: Y.Map
 *     stages: Y.Map<stageId, Y.Map>
 *       kind, date ('YYYY-MM-DD' or ''), note: Y.Text,
 *       source (referral), contractType and endDate (agreement), outcome (next path)
 *
 * Stages are keyed by id and ordered by date, so concurrent additions never collide.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { CONTRACT_TYPES } from '../plan/vocabulary.js';

export const STAGE_KINDS = ['referral', 'first_meeting', 'introduction', 'agreement', 'activity', 'work_ability_assessment', 'next_path'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
export const REFERRAL_SOURCES = ['social_services', 'te_office', 'youth_guidance', 'school', 'health_care', 'self', 'other'] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];
export const OUTCOMES = ['open_market', 'wage_subsidised', 'studies', 'apprenticeship', 'other_services', 'moved_away', 'dropped_out', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface StageJson {
  id: string;
  kind: StageKind;
  date: string;
  note: string;
  source: ReferralSource | '';
  contractType: (typeof CONTRACT_TYPES)[number] | '';
  endDate: string;
  outcome: Outcome | '';
}

export interface PathJson {
  stages: StageJson[];
}

type YMap = Y.Map<unknown>;

export function pathMap(doc: Y.Doc): YMap {
  return doc.getMap('path');
}
export const stagesMap = (doc: Y.Doc) => pathMap(doc).get('stages') as Y.Map<YMap> | undefined;

/** Creates the path's shared types if missing (the server does it when a case is created). */
export function ensurePathTypes(doc: Y.Doc): void {
  doc.transact(() => {
    if (!(pathMap(doc).get('stages') instanceof Y.Map)) pathMap(doc).set('stages', new Y.Map());
  });
}

export function addStage(doc: Y.Doc, stage: Partial<Omit<StageJson, 'note'>> & { kind: StageKind; note?: string }): string {
  const id = stage.id ?? crypto.randomUUID();
  doc.transact(() => {
    ensurePathTypes(doc);
    const map = new Y.Map<unknown>();
    map.set('kind', stage.kind);
    map.set('date', stage.date ?? '');
    map.set('note', new Y.Text(stage.note ?? ''));
    map.set('source', stage.source ?? '');
    map.set('contractType', stage.contractType ?? '');
    map.set('endDate', stage.endDate ?? '');
    map.set('outcome', stage.outcome ?? '');
    stagesMap(doc)!.set(id, map);
  });
  return id;
}

export function removeStage(doc: Y.Doc, id: string): void {
  doc.transact(() => stagesMap(doc)?.delete(id));
}

const str = (v: unknown) => (v instanceof Y.Text ? v.toString() : typeof v === 'string' ? v : '');

/** Stages in time order; undated ones last, in the path's natural order. */
export function sortStages<T extends Pick<StageJson, 'id' | 'kind' | 'date'>>(stages: readonly T[]): T[] {
  return [...stages].sort((a, b) => {
    if (a.date !== b.date) return a.date === '' ? 1 : b.date === '' ? -1 : a.date < b.date ? -1 : 1;
    return STAGE_KINDS.indexOf(a.kind) - STAGE_KINDS.indexOf(b.kind) || (a.id < b.id ? -1 : 1);
  });
}

export function pathToJson(doc: Y.Doc): PathJson {
  const stages = [...(stagesMap(doc)?.entries() ?? [])].map(([id, s]) => ({
    id,
    kind: (str(s.get('kind')) || 'activity') as StageKind,
    date: str(s.get('date')),
    note: str(s.get('note')),
    source: str(s.get('source')) as StageJson['source'],
    contractType: str(s.get('contractType')) as StageJson['contractType'],
    endDate: str(s.get('endDate')),
    outcome: str(s.get('outcome')) as StageJson['outcome']
  }));
  return { stages: sortStages(stages) };
}

export function pathFromJson(json: PathJson, doc: Y.Doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    for (const stage of json.stages) addStage(doc, stage);
  });
  return doc;
}

/** The stage the client is at on `today`: the latest dated stage not in the future. */
export function currentStage(path: PathJson, today: string): StageJson | null {
  const past = sortStages(path.stages).filter((s) => s.date !== '' && s.date <= today);
  return past.at(-1) ?? null;
}

/** Where the path led, if it has: the next path's outcome and date. */
export function pathOutcome(path: PathJson): { outcome: Outcome; date: string } | null {
  const next = sortStages(path.stages).filter((s) => s.kind === 'next_path' && s.outcome !== '').at(-1);
  return next ? { outcome: next.outcome as Outcome, date: next.date } : null;
}

const date = z.union([z.literal(''), z.iso.date({ message: 'use a date like 2027-01-31' })]);

export const pathJsonSchema = z
  .object({
    stages: z.array(
      z.object({
        id: z.string().min(1),
        kind: z.enum(STAGE_KINDS, { message: 'unknown stage' }),
        date,
        note: z.string().max(5000),
        source: z.enum(['', ...REFERRAL_SOURCES], { message: 'unknown referral source' }),
        contractType: z.enum(['', ...CONTRACT_TYPES], { message: 'unknown contract type' }),
        endDate: date,
        outcome: z.enum(['', ...OUTCOMES], { message: 'unknown outcome' })
      })
    )
  })
  .superRefine((path, ctx) => {
    const referral = sortStages(path.stages).find((s) => s.kind === 'referral' && s.date !== '');
    path.stages.forEach((s, i) => {
      if (referral && s.kind === 'next_path' && s.date !== '' && s.date < referral.date) {
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'date'], message: 'the outcome date is before the referral' });
      }
      if (s.kind === 'agreement' && s.endDate !== '' && s.date !== '' && s.endDate < s.date) {
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'endDate'], message: 'the agreement ends before it starts' });
      }
    });
  });
