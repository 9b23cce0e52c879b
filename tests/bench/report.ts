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
  editsPerSecond: number | null;
  expectedDeliveries: number | null;
  /** The server's processes together (peak RSS: of their sum). */
  serverCpuSeconds: number | null;
  serverCpuPercent: number | null;
  peakRssMb: number | null;
  startRssMb: number | null;
  connectedRssMb: number | null;
  /** Per process (instance), in the order the server lists them. */
  instanceCpuPercent: Array<number | null>;
  instancePeakRssMb: Array<number | null>;
  /** PostgreSQL and Redis, for a server that uses them. */
  serviceCpuPercent: number | null;
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
  const instances = Array.from({ length: Math.max(0, ...ok.map((r) => r.instances.length)) }, (_, i) => i);
  return {
    latencyP50Ms: m((r) => r.latencyMs?.p50),
    latencyP95Ms: m((r) => r.latencyMs?.p95),
    latencyP99Ms: m((r) => r.latencyMs?.p99),
    latencyMaxMs: m((r) => r.latencyMs?.max),
    lostDeliveries: ok.reduce((sum, r) => sum + r.lostDeliveries, 0),
    edits: m((r) => r.edits),
    editsPerSecond: m((r) => r.editsPerSecond),
    expectedDeliveries: m((r) => r.expectedDeliveries),
    serverCpuSeconds: m((r) => r.serverCpuSeconds),
    serverCpuPercent: m((r) => r.serverCpuPercent),
    peakRssMb: m((r) => r.peakRssMb),
    startRssMb: m((r) => r.startRssMb),
    connectedRssMb: m((r) => r.connectedRssMb),
    instanceCpuPercent: instances.map((i) => m((r) => r.instances[i]?.cpuPercent)),
    instancePeakRssMb: instances.map((i) => m((r) => r.instances[i]?.peakRssMb)),
    serviceCpuPercent: m((r) => r.serviceCpuPercent),
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

/** One figure of a table: how to read it from a kind's summary; `undefined` where it does not apply to that kind. */
interface Row<S> {
  label: string;
  pick: (summary: S) => number | null | undefined;
  digits: number;
  /** Show the ratio columns (for figures where a ratio means something). */
  ratio?: boolean;
}

/** One column per kind that ran, in the order of `SERVER_KINDS`. */
export type Column<S> = { kind: ServerKind; summary: S };

/** The ratio columns, each shown when both of its kinds ran. */
const RATIOS: Array<{ label: string; of: ServerKind; to: ServerKind }> = [
  { label: 'Polku/ref', of: 'polku', to: 'reference' },
  { label: '×2/ref', of: 'polku-cluster', to: 'reference' },
  { label: '×2/Polku', of: 'polku-cluster', to: 'polku' }
];

const VALUE_WIDTH = 20;
const RATIO_WIDTH = 11;

const fmt = (value: number | null | undefined, digits: number): string => (value === undefined ? '–' : value === null ? 'n/a' : value.toFixed(digits));
const ratio = (a: number | null | undefined, b: number | null | undefined): string => (typeof a !== 'number' || typeof b !== 'number' || b === 0 ? '–' : `${(a / b).toFixed(2)}×`);

/** Rows "instance 1", "instance 2", … for a per-process figure; none when every server had one process (the total says it). */
function instanceRows(pick: (s: LoadSummary) => Array<number | null>, digits: number, instances: number): Array<Row<LoadSummary>> {
  if (instances < 2) return [];
  return Array.from({ length: instances }, (_, i) => ({ label: `  instance ${i + 1}`, pick: (s: LoadSummary) => pick(s)[i], digits }));
}

function loadRows(instances: number): Array<Row<LoadSummary>> {
  return [
    { label: 'latency p50 (ms)', pick: (s) => s.latencyP50Ms, digits: 2, ratio: true },
    { label: 'latency p95 (ms)', pick: (s) => s.latencyP95Ms, digits: 2, ratio: true },
    { label: 'latency p99 (ms)', pick: (s) => s.latencyP99Ms, digits: 2, ratio: true },
    { label: 'latency max (ms)', pick: (s) => s.latencyMaxMs, digits: 1, ratio: true },
    { label: 'lost deliveries (sum of runs)', pick: (s) => s.lostDeliveries, digits: 0 },
    { label: 'edits per run', pick: (s) => s.edits, digits: 0 },
    { label: 'updates sent per second', pick: (s) => s.editsPerSecond, digits: 1 },
    { label: 'deliveries per run', pick: (s) => s.expectedDeliveries, digits: 0 },
    { label: 'server CPU, user+sys (s)', pick: (s) => s.serverCpuSeconds, digits: 2, ratio: true },
    { label: 'server CPU (% of one core)', pick: (s) => s.serverCpuPercent, digits: 1, ratio: true },
    ...instanceRows((s) => s.instanceCpuPercent, 1, instances),
    // null: the server uses no such services.
    { label: 'PostgreSQL + Redis CPU (% of one core)', pick: (s) => s.serviceCpuPercent ?? undefined, digits: 1 },
    { label: 'server peak RSS during load (MiB)', pick: (s) => s.peakRssMb, digits: 1, ratio: true },
    ...instanceRows((s) => s.instancePeakRssMb, 1, instances),
    { label: 'server RSS before any client (MiB)', pick: (s) => s.startRssMb, digits: 1, ratio: true },
    { label: 'server RSS, all connected, idle (MiB)', pick: (s) => s.connectedRssMb, digits: 1, ratio: true },
    { label: 'dropped connections (sum of runs)', pick: (s) => s.disconnects, digits: 0 },
    { label: 'bench process CPU (% of one core)', pick: (s) => s.benchCpuPercent, digits: 1 },
    { label: 'bench event-loop delay p99 (ms)', pick: (s) => s.benchLoopDelayP99Ms, digits: 1 },
    { label: 'other CPU on the machine (% of one core)', pick: (s) => s.otherCpuPercent, digits: 1 },
    { label: 'CPU steal (% of one core)', pick: (s) => s.stealPercent, digits: 1 },
    { label: 'failed runs', pick: (s) => s.failedRuns, digits: 0 }
  ];
}

const COLD_ROWS: Array<Row<ColdSummary>> = [
  { label: 'first load: connect → full content (ms)', pick: (s) => s.firstFullMs, digits: 1, ratio: true },
  { label: 'first load: connect → "synced" event (ms)', pick: (s) => s.firstSyncedMs, digits: 1, ratio: true },
  { label: 'later loads: connect → full content (ms)', pick: (s) => s.laterFullMs, digits: 1, ratio: true },
  { label: 'filling it, one update per item (s)', pick: (s) => s.fillSeconds, digits: 2, ratio: true }
];

/** Rows that apply to none of the columns are left out. */
function table<S>(title: string, rows: Array<Row<S>>, columns: Array<Column<S>>): string[] {
  const kinds = columns.map((c) => c.kind);
  const ratios = RATIOS.filter((r) => kinds.includes(r.of) && kinds.includes(r.to));
  const shown = rows.filter((row) => columns.some((c) => row.pick(c.summary) !== undefined));
  const width = Math.max(...shown.map((row) => row.label.length)) + 2;
  const header = [...kinds.map((kind) => SERVER_LABEL[kind].padStart(VALUE_WIDTH)), ...ratios.map((r) => r.label.padStart(RATIO_WIDTH))];
  const lines = [title, `  ${''.padEnd(width)}${header.join('')}`];
  for (const row of shown) {
    const values = new Map(columns.map((c) => [c.kind, row.pick(c.summary)]));
    const cells = [
      ...kinds.map((kind) => fmt(values.get(kind), row.digits).padStart(VALUE_WIDTH)),
      ...ratios.map((r) => (row.ratio ? ratio(values.get(r.of), values.get(r.to)) : '').padStart(RATIO_WIDTH))
    ];
    lines.push(`  ${row.label.padEnd(width)}${cells.join('')}`.trimEnd());
  }
  return lines;
}

export interface ReportInput {
  heading: string[];
  loadTitle: string;
  meetingTitle: string;
  coldTitle: string;
  summaries: Array<Column<ServerSummary>>;
  records: RunRecord[];
}

export function formatReport(input: ReportInput): string {
  const { summaries } = input;
  const columns = <S>(pick: (s: ServerSummary) => S): Array<Column<S>> => summaries.map(({ kind, summary }) => ({ kind, summary: pick(summary) }));
  const instances = Math.max(...summaries.flatMap(({ summary }) => [summary.load.instanceCpuPercent.length, summary.meeting.instanceCpuPercent.length]));
  const lines = [...input.heading, ''];
  lines.push(...table(input.loadTitle, loadRows(instances), columns((s) => s.load)), '');
  lines.push(...table(input.meetingTitle, loadRows(instances), columns((s) => s.meeting)), '');
  lines.push(...table(input.coldTitle, COLD_ROWS, columns((s) => s.cold)));
  for (const { kind, summary } of summaries) {
    if (summary.cold.na) lines.push(`  ${SERVER_LABEL[kind]} cold load n/a: ${summary.cold.na}`);
  }
  const busiest = Math.max(...summaries.flatMap(({ summary }) => [summary.load, summary.meeting]).map((s) => s.otherCpuPercent ?? 0));
  if (busiest > BUSY_MACHINE_PERCENT) {
    lines.push('', `Warning: other processes used up to ${busiest.toFixed(0)}% of a core during the load; latency tails and ratios are unreliable.`);
  }
  lines.push(...problemLines(input.records));
  return lines.join('\n');
}

function problemLines(records: RunRecord[]): string[] {
  const withProblems = records.filter((r) => r.problems.length > 0 || hasError(r));
  if (withProblems.length === 0) return [];
  const lines = ['', 'Server problems and failed cases:'];
  for (const record of withProblems) {
    const prefix = `  run ${record.run} ${SERVER_LABEL[record.server]}:`;
    for (const [name, outcome] of [['load', record.load], ['big meeting', record.meeting], ['cold load', record.cold]] as const) {
      if ('error' in outcome) lines.push(`${prefix} ${name} failed: ${outcome.error}`);
    }
    for (const line of record.problems.slice(0, 10)) lines.push(`${prefix} ${line}`);
    if (record.problems.length > 10) lines.push(`${prefix} … and ${record.problems.length - 10} more lines`);
  }
  return lines;
}

function hasError(record: RunRecord): boolean {
  return 'error' in record.load || 'error' in record.meeting || 'error' in record.cold;
}
