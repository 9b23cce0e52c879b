/** Medians over runs and the printed table. */
import type { ColdLoadResult } from './cold-load.js';
import type { LoadResult } from './load.js';
import { SERVER_LABEL, type ServerKind } from './servers.js';
import { median } from './stats.js';

export type Outcome<T> = { ok: T } | { error: string };

export interface RunRecord {
  run: number;
  server: ServerKind;
  load: Outcome<LoadResult>;
  meeting: Outcome<LoadResult>;
  cold: Outcome<ColdLoadResult>;
  /** Warning and error lines the server printed. */
  problems: string[];
}

export interface LoadSummary {
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  latencyMaxMs: number | null;
  /** Summed over runs (every run must have 0). */
  lostDeliveries: number;
  edits: number | null;
  expectedDeliveries: number | null;
  serverCpuSeconds: number | null;
  serverCpuPercent: number | null;
  peakRssMb: number | null;
  startRssMb: number | null;
  connectedRssMb: number | null;
  disconnects: number;
  benchCpuPercent: number | null;
  benchLoopDelayP99Ms: number | null;
  otherCpuPercent: number | null;
  stealPercent: number | null;
  failedRuns: number;
}

export interface ColdSummary {
  /** The first cold load of a run reads the document as the editing stored it; later ones what that load left behind. */
  firstFullMs: number | null;
  firstSyncedMs: number | null;
  laterFullMs: number | null;
  fillSeconds: number | null;
  /** Why there is no figure, if there is none. */
  na: string | null;
}

export interface ServerSummary {
  load: LoadSummary;
  meeting: LoadSummary;
  cold: ColdSummary;
}

/** Above this much CPU used by other processes (% of one core of two), the machine was not quiet. */
const BUSY_MACHINE_PERCENT = 25;

const okValues = <T>(outcomes: Array<Outcome<T>>): T[] => outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));

export function summariseLoad(outcomes: Array<Outcome<LoadResult>>): LoadSummary {
  const ok = okValues(outcomes);
  const m = (pick: (r: LoadResult) => number | null | undefined): number | null => median(ok.map(pick));
  return {
    latencyP50Ms: m((r) => r.latencyMs?.p50),
    latencyP95Ms: m((r) => r.latencyMs?.p95),
    latencyP99Ms: m((r) => r.latencyMs?.p99),
    latencyMaxMs: m((r) => r.latencyMs?.max),
    lostDeliveries: ok.reduce((sum, r) => sum + r.lostDeliveries, 0),
    edits: m((r) => r.edits),
    expectedDeliveries: m((r) => r.expectedDeliveries),
    serverCpuSeconds: m((r) => r.serverCpuSeconds),
    serverCpuPercent: m((r) => r.serverCpuPercent),
    peakRssMb: m((r) => r.peakRssMb),
    startRssMb: m((r) => r.startRssMb),
    connectedRssMb: m((r) => r.connectedRssMb),
    disconnects: ok.reduce((sum, r) => sum + r.disconnects, 0),
    benchCpuPercent: m((r) => r.benchCpuPercent),
    benchLoopDelayP99Ms: m((r) => r.benchLoopDelayP99Ms),
    otherCpuPercent: m((r) => r.otherCpuPercent),
    stealPercent: m((r) => r.stealPercent),
    failedRuns: outcomes.length - ok.length
  };
}

export function summariseCold(outcomes: Array<Outcome<ColdLoadResult>>): ColdSummary {
  const ok = okValues(outcomes);
  const firstError = outcomes.find((o): o is { error: string } => 'error' in o)?.error ?? null;
  return {
    firstFullMs: median(ok.map((r) => r.fullMs[0])),
    firstSyncedMs: median(ok.map((r) => r.syncedMs[0])),
    laterFullMs: median(ok.flatMap((r) => r.fullMs.slice(1))),
    fillSeconds: median(ok.map((r) => r.fillSeconds)),
    na: ok.length === 0 ? (firstError ?? 'not run') : null
  };
}

export function summarise(records: RunRecord[], server: ServerKind): ServerSummary {
  const mine = records.filter((r) => r.server === server);
  return {
    load: summariseLoad(mine.map((r) => r.load)),
    meeting: summariseLoad(mine.map((r) => r.meeting)),
    cold: summariseCold(mine.map((r) => r.cold))
  };
}

type Row = [label: string, polku: number | null, reference: number | null, digits: number, ratio: boolean];

const fmt = (value: number | null, digits: number): string => (value === null ? 'n/a' : value.toFixed(digits));
const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '–' : `${(a / b).toFixed(2)}×`);

function loadRows(p: LoadSummary, r: LoadSummary): Row[] {
  return [
    ['latency p50 (ms)', p.latencyP50Ms, r.latencyP50Ms, 2, true],
    ['latency p95 (ms)', p.latencyP95Ms, r.latencyP95Ms, 2, true],
    ['latency p99 (ms)', p.latencyP99Ms, r.latencyP99Ms, 2, true],
    ['latency max (ms)', p.latencyMaxMs, r.latencyMaxMs, 1, true],
    ['lost deliveries (sum of runs)', p.lostDeliveries, r.lostDeliveries, 0, false],
    ['edits per run', p.edits, r.edits, 0, false],
    ['deliveries per run', p.expectedDeliveries, r.expectedDeliveries, 0, false],
    ['server CPU, user+sys (s)', p.serverCpuSeconds, r.serverCpuSeconds, 2, true],
    ['server CPU (% of one core)', p.serverCpuPercent, r.serverCpuPercent, 1, true],
    ['server peak RSS during load (MiB)', p.peakRssMb, r.peakRssMb, 1, true],
    ['server RSS before any client (MiB)', p.startRssMb, r.startRssMb, 1, true],
    ['server RSS, all connected, idle (MiB)', p.connectedRssMb, r.connectedRssMb, 1, true],
    ['dropped connections (sum of runs)', p.disconnects, r.disconnects, 0, false],
    ['bench process CPU (% of one core)', p.benchCpuPercent, r.benchCpuPercent, 1, false],
    ['bench event-loop delay p99 (ms)', p.benchLoopDelayP99Ms, r.benchLoopDelayP99Ms, 1, false],
    ['other CPU on the machine (% of one core)', p.otherCpuPercent, r.otherCpuPercent, 1, false],
    ['CPU steal (% of one core)', p.stealPercent, r.stealPercent, 1, false],
    ['failed runs', p.failedRuns, r.failedRuns, 0, false]
  ];
}

function coldRows(p: ColdSummary, r: ColdSummary): Row[] {
  return [
    ['first load: connect → full content (ms)', p.firstFullMs, r.firstFullMs, 1, true],
    ['first load: connect → "synced" event (ms)', p.firstSyncedMs, r.firstSyncedMs, 1, true],
    ['later loads: connect → full content (ms)', p.laterFullMs, r.laterFullMs, 1, true],
    ['filling it, one update per item (s)', p.fillSeconds, r.fillSeconds, 2, true]
  ];
}

function table(title: string, rows: Row[]): string[] {
  const width = Math.max(...rows.map((row) => row[0].length)) + 2;
  const cols = [SERVER_LABEL.polku, SERVER_LABEL.reference, 'Polku/ref'];
  const lines = [title, `  ${''.padEnd(width)}${cols.map((c) => c.padStart(20)).join('')}`];
  for (const [label, p, r, digits, withRatio] of rows) {
    lines.push(`  ${label.padEnd(width)}${fmt(p, digits).padStart(20)}${fmt(r, digits).padStart(20)}${(withRatio ? ratio(p, r) : '').padStart(20)}`);
  }
  return lines;
}

export interface ReportInput {
  heading: string[];
  loadTitle: string;
  meetingTitle: string;
  coldTitle: string;
  polku: ServerSummary;
  reference: ServerSummary;
  records: RunRecord[];
}

export function formatReport(input: ReportInput): string {
  const { polku, reference } = input;
  const lines = [...input.heading, ''];
  lines.push(...table(input.loadTitle, loadRows(polku.load, reference.load)), '');
  lines.push(...table(input.meetingTitle, loadRows(polku.meeting, reference.meeting)), '');
  lines.push(...table(input.coldTitle, coldRows(polku.cold, reference.cold)));
  for (const [kind, summary] of [['polku', polku], ['reference', reference]] as const) {
    if (summary.cold.na) lines.push(`  ${SERVER_LABEL[kind]} cold load n/a: ${summary.cold.na}`);
  }
  const busiest = Math.max(...[polku.load, polku.meeting, reference.load, reference.meeting].map((s) => s.otherCpuPercent ?? 0));
  if (busiest > BUSY_MACHINE_PERCENT) {
    lines.push('', `Warning: other processes used up to ${busiest.toFixed(0)}% of a core during the load; latency tails and ratios are unreliable.`);
  }
  const problems = input.records.filter((r) => r.problems.length > 0 || hasError(r));
  if (problems.length > 0) {
    lines.push('', 'Server problems and failed cases:');
    for (const record of problems) {
      const prefix = `  run ${record.run} ${SERVER_LABEL[record.server]}:`;
      for (const [name, outcome] of [['load', record.load], ['big meeting', record.meeting], ['cold load', record.cold]] as const) {
        if ('error' in outcome) lines.push(`${prefix} ${name} failed: ${outcome.error}`);
      }
      for (const line of record.problems.slice(0, 10)) lines.push(`${prefix} ${line}`);
      if (record.problems.length > 10) lines.push(`${prefix} … and ${record.problems.length - 10} more lines`);
    }
  }
  return lines.join('\n');
}

function hasError(record: RunRecord): boolean {
  return 'error' in record.load || 'error' in record.meeting || 'error' in record.cold;
}
