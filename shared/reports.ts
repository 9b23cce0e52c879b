/**
 * The coordinator's follow-up figures, computed from plain per-client facts by pure functions
 * (so the tests can check them against the data independently), and the small-number rule
 * for exports.
 */
import { z } from 'zod';
import { daysBetween } from './finnish-time.js';
import type { PathJson } from './views/path.js';
import { OUTCOMES, REFERRAL_SOURCES } from './views/path.js';
import type { WheelJson } from './views/wheel.js';
import { CONTRACT_TYPES } from './plan/vocabulary.js';

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];
export const AGE_GROUPS = ['under_25', '25_34', '35_44', '45_54', '55_plus', 'unknown'] as const;
export type AgeGroup = (typeof AGE_GROUPS)[number];

export const reportQuerySchema = z
  .object({
    from: z.iso.date({ message: 'use a date like 2027-01-31' }),
    to: z.iso.date({ message: 'use a date like 2027-01-31' })
  })
  .refine((q) => q.from <= q.to, { message: 'the period ends before it starts', path: ['to'] });
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/**
 * What the report needs to know about one client, as stored. The counted values (gender,
 * contract type, referral source, outcome) are checked against their lists here, where they are
 * counted, whatever wrote them: the server refuses other values when they are written, but a
 * document from before that, or a row changed behind the application's back, may hold anything.
 */
export interface ClientFacts {
  gender: string;
  birthYear: number | null;
  contractType: string;
  path: PathJson;
  wheel: WheelJson | null;
}

export interface Report {
  from: string;
  to: string;
  clientsInService: number;
  newReferrals: Record<string, number>;
  byGender: Record<Gender, number>;
  byAgeGroup: Record<AgeGroup, number>;
  contractTypes: Record<string, number>;
  outcomes: Record<string, number>;
  averageDaysToOutcome: number | null;
  wheelChange: Array<{ areaId: string; label: string; clients: number; meanChange: number }>;
}

export function ageGroup(birthYear: number | null, atYear: number): AgeGroup {
  if (birthYear === null) return 'unknown';
  const age = atYear - birthYear;
  return age < 25 ? 'under_25' : age < 35 ? '25_34' : age < 45 ? '35_44' : age < 55 ? '45_54' : '55_plus';
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * `value` when it is on `list`, otherwise `fallback`: a value outside the list is counted in the
 * list's catch-all ("other"; for outcomes "unknown", as their "other services" is a real outcome),
 * never as a category of its own.
 */
function within<K extends string>(list: readonly K[], value: string, fallback: NoInfer<K>): K {
  return (list as readonly string[]).includes(value) ? (value as K) : fallback;
}

const firstDated = (path: PathJson, kind: string) => path.stages.filter((s) => s.kind === kind && s.date !== '').sort((a, b) => (a.date < b.date ? -1 : 1))[0];

/**
 * A client is in service during the period when they were referred on or before its last day
 * and had not moved on (a next path dated) before its first day.
 */
export function inService(c: ClientFacts, from: string, to: string): boolean {
  const referral = firstDated(c.path, 'referral');
  if (!referral || referral.date > to) return false;
  const next = firstDated(c.path, 'next_path');
  return !next || next.date >= from;
}

export function computeReport(clients: readonly ClientFacts[], { from, to }: ReportQuery): Report {
  const report: Report = {
    from,
    to,
    clientsInService: 0,
    newReferrals: zeros([...REFERRAL_SOURCES, 'unknown']),
    byGender: zeros(GENDERS),
    byAgeGroup: zeros(AGE_GROUPS),
    contractTypes: zeros([...CONTRACT_TYPES, 'none']),
    outcomes: zeros(OUTCOMES),
    averageDaysToOutcome: null,
    wheelChange: []
  };
  const toYear = Number(to.slice(0, 4));
  const outcomeDays: number[] = [];
  const changes = new Map<string, { label: string; sum: number; clients: number }>();
  for (const c of clients) {
    const referral = firstDated(c.path, 'referral');
    if (referral && referral.date >= from && referral.date <= to) report.newReferrals[referral.source ? within(REFERRAL_SOURCES, referral.source, 'other') : 'unknown']!++;
    const next = firstDated(c.path, 'next_path');
    if (next && next.outcome && next.date >= from && next.date <= to) {
      report.outcomes[within(OUTCOMES, next.outcome, 'unknown')]!++;
      if (referral) outcomeDays.push(daysBetween(referral.date, next.date));
    }
    if (!inService(c, from, to)) continue;
    report.clientsInService++;
    report.byGender[within(GENDERS, c.gender, 'other')]++;
    report.byAgeGroup[ageGroup(c.birthYear, toYear)]++;
    report.contractTypes[c.contractType ? within(CONTRACT_TYPES, c.contractType, 'other') : 'none']!++;
    const rounds = c.wheel?.rounds.filter((r) => r.date <= to) ?? [];
    if (c.wheel && rounds.length >= 2) {
      const first = rounds[0]!;
      const latest = rounds.at(-1)!;
      for (const area of c.wheel.template.areas) {
        const a = first.scores[area.id];
        const b = latest.scores[area.id];
        if (a === null || a === undefined || b === null || b === undefined) continue;
        const entry = changes.get(area.id) ?? { label: area.label, sum: 0, clients: 0 };
        entry.sum += b - a;
        entry.clients++;
        changes.set(area.id, entry);
      }
    }
  }
  report.averageDaysToOutcome = outcomeDays.length > 0 ? Math.round(outcomeDays.reduce((s, d) => s + d, 0) / outcomeDays.length) : null;
  report.wheelChange = [...changes.entries()].map(([areaId, e]) => ({ areaId, label: e.label, clients: e.clients, meanChange: Math.round((e.sum / e.clients) * 100) / 100 }));
  return report;
}

/** The small-number rule: counts of 1–4 people are shown as "<5" in anything that leaves Polku. */
export function maskCount(n: number): number | '<5' {
  return n > 0 && n < 5 ? '<5' : n;
}

/**
 * The report as rows (section, item, value) with the small-number rule applied, for CSV and PDF.
 * Figures stay numbers, so that an export writes them as numbers (a negative change is not text).
 */
export function reportRows(report: Report, label: (section: string, key: string) => string): Array<[string, string, string | number]> {
  const rows: Array<[string, string, string | number]> = [];
  const counts = (section: string, record: Record<string, number>) => {
    for (const [key, n] of Object.entries(record)) rows.push([label('section', section), label(section, key), maskCount(n)]);
  };
  rows.push([label('section', 'period'), `${report.from} – ${report.to}`, '']);
  rows.push([label('section', 'clients'), '', maskCount(report.clientsInService)]);
  counts('referrals', report.newReferrals);
  counts('gender', report.byGender);
  counts('age', report.byAgeGroup);
  counts('contract', report.contractTypes);
  counts('outcome', report.outcomes);
  rows.push([label('section', 'days'), '', report.averageDaysToOutcome ?? '–']);
  for (const w of report.wheelChange) {
    // A mean over fewer than 5 people could single someone out: it is left out altogether.
    rows.push([label('section', 'wheel'), label('area', w.label || w.areaId), w.clients < 5 ? '<5' : w.meanChange]);
  }
  return rows;
}
