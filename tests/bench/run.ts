/**
 * `npm run bench`: Polku on one process, Polku on two instances (PostgreSQL + Redis) and the
 * reference y-websocket server, taking turns over several runs. Each case gets fresh server
 * processes, so CPU and memory figures belong to that case only. See tests/bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import { runColdLoad, type ColdLoadResult } from './cold-load.js';
import { runLoad, type InstanceFigures, type LoadOptions, type LoadResult } from './load.js';
import { waitForQuietMachine } from './proc-stats.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { formatReport, summarise, type Column, type Outcome, type RunRecord, type ServerSummary } from './report.js';
import { checkServices } from './services.js';
import { SERVER_LABEL, startServer, type BenchServer, type ServerKind, type StartOptions } from './servers.js';

const log = (message: string): void => void process.stderr.write(`${message}\n`);

interface CaseContext {
  kind: ServerKind;
  problems: string[];
  start: StartOptions;
  quietWaitSeconds: number;
}

async function withServer<T>(context: CaseContext, run: (server: BenchServer) => Promise<T>, start: StartOptions = context.start): Promise<Outcome<T>> {
  const { kind, problems, quietWaitSeconds } = context;
  if (quietWaitSeconds > 0) {
    const waited = await waitForQuietMachine(quietWaitSeconds * 1000);
    if (waited > 3_000) log(`  (waited ${(waited / 1000).toFixed(0)} s for other processes to go quiet)`);
  }
  let server: BenchServer | null = null;
  try {
    server = await startServer(kind, start);
    return { ok: await run(server) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    if (server) {
      await server.stop();
      problems.push(...server.problems);
    }
  }
}

function describeLoad(outcome: Outcome<LoadResult>): string {
  if ('error' in outcome) return `FAILED: ${outcome.error}`;
  const r = outcome.ok;
  const l = r.latencyMs;
  const latency = l ? `p50 ${l.p50.toFixed(1)} p95 ${l.p95.toFixed(1)} p99 ${l.p99.toFixed(1)} ms` : 'no deliveries';
  // With several instances, each one's share follows the total.
  const each = (pick: (i: InstanceFigures) => number, unit: string): string =>
    r.instances.length > 1 ? `; per instance ${r.instances.map((i) => `${pick(i).toFixed(0)}${unit}`).join(', ')}` : '';
  const services = r.serviceCpuPercent === null ? '' : `, PostgreSQL + Redis CPU ${r.serviceCpuPercent.toFixed(0)}%`;
  return (
    `${latency}, lost ${r.lostDeliveries}/${r.expectedDeliveries}, ${r.editsPerSecond.toFixed(0)} updates/s, ` +
    `CPU ${r.serverCpuSeconds.toFixed(2)} s (${r.serverCpuPercent.toFixed(0)}%${each((i) => i.cpuPercent, '%')})${services}, ` +
    `peak RSS ${r.peakRssMb.toFixed(0)} MiB${each((i) => i.peakRssMb, ' MiB')}, dropped ${r.disconnects}, bench CPU ${r.benchCpuPercent.toFixed(0)}%`
  );
}

function describeCold(outcome: Outcome<ColdLoadResult>): string {
  if ('error' in outcome) return `n/a: ${outcome.error}`;
  const r = outcome.ok;
  return `full content ${r.fullMs.map((ms) => ms.toFixed(0)).join(', ')} ms (synced ${r.syncedMs.map((ms) => ms.toFixed(0)).join(', ')} ms), fill ${r.fillSeconds.toFixed(2)} s`;
}

async function runOnce(run: number, kind: ServerKind, options: BenchOptions): Promise<RunRecord> {
  const problems: string[] = [];
  const label = `run ${run}/${options.runs} ${SERVER_LABEL[kind]}`;
  const loadOptions: LoadOptions = { rooms: options.rooms, clients: options.clients, rate: options.rate, seconds: options.seconds };
  const start: StartOptions = { polkuEnv: options.polkuEnv, postgresUrl: options.postgresUrl, redisUrl: options.redisUrl };
  const context: CaseContext = { kind, problems, start, quietWaitSeconds: options.quietWaitSeconds };
  const load = await withServer(context, (server) => runLoad(server, loadOptions));
  log(`${label} load: ${describeLoad(load)}`);
  const meeting = await withServer(context, (server) => runLoad(server, { ...loadOptions, rooms: 1, clients: options.meeting }));
  log(`${label} big meeting: ${describeLoad(meeting)}`);
  // The reference server keeps documents only in memory unless YPERSISTENCE selects y-leveldb.
  const cold = await withServer(context, (server) => runColdLoad(server, options.items, options.coldRepeats), { ...context.start, persistence: true });
  log(`${label} cold load: ${describeCold(cold)}`);
  return { run, server: kind, load, meeting, cold, problems };
}

/**
 * The order of run `run`: the kinds rotated by one place more each run, so each goes first (and
 * last) equally often and drift in the machine's state (caches, thermals) hits them all.
 */
function orderOf(run: number, kinds: ServerKind[]): ServerKind[] {
  const shift = (run - 1) % kinds.length;
  return [...kinds.slice(shift), ...kinds.slice(0, shift)];
}

function describeServers(options: BenchOptions, referenceVersion: string): string[] {
  const lines: string[] = [];
  if (options.servers.includes('polku')) lines.push(`${SERVER_LABEL.polku}: one process on SQLite`);
  if (options.servers.includes('polku-cluster')) {
    lines.push(
      `${SERVER_LABEL['polku-cluster']}: two Polku processes sharing a fresh PostgreSQL database (${new URL(options.postgresUrl).host}) and Redis (${new URL(options.redisUrl).host}); ` +
        'client i of a room connects to instance (i mod 2) + 1'
    );
  }
  if (options.servers.includes('reference')) lines.push(`${SERVER_LABEL.reference}: @y/websocket-server ${referenceVersion}`);
  return lines;
}

/** The flags, or `null` after saying what is wrong with them or with the services they need. */
async function readOptions(): Promise<BenchOptions | null> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return null;
  }
  if (!options.servers.includes('polku-cluster')) return options;
  try {
    await checkServices(options.postgresUrl, options.redisUrl);
    return options;
  } catch (error) {
    log(`${SERVER_LABEL['polku-cluster']} cannot run: ${error instanceof Error ? error.message : String(error)} (leave it out with --servers)`);
    return null;
  }
}

async function main(): Promise<number> {
  // Every WebsocketProvider adds a process 'exit' listener; hundreds of them are expected here.
  process.setMaxListeners(0);
  const options = await readOptions();
  if (!options) return 2;
  const referenceVersion = (JSON.parse(fs.readFileSync('node_modules/@y/websocket-server/package.json', 'utf8')) as { version: string }).version;
  const cpus = os.cpus();
  const heading = [
    `${options.servers.map((kind) => SERVER_LABEL[kind]).join(' vs ')}${options.quick ? ' (quick smoke run)' : ''}: median of ${options.runs} run(s), servers taking turns to go first`,
    ...describeServers(options, referenceVersion),
    `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}; the bench clients share these cores with the server${options.servers.includes('polku-cluster') ? ' (and PostgreSQL and Redis)' : ''}`,
    `${options.rate} edits/s per client for ${options.seconds} s; latency = edit → arrival at each other client of the room`
  ];
  const extraEnv = Object.entries(options.polkuEnv).map(([name, value]) => `${name}=${value}`);
  if (extraEnv.length > 0) heading.push(`Polku started with ${extraEnv.join(' ')}`);
  log(heading.join('\n'));

  const records: RunRecord[] = [];
  for (let run = 1; run <= options.runs; run++) {
    for (const kind of orderOf(run, options.servers)) records.push(await runOnce(run, kind, options));
  }

  const summaries: Array<Column<ServerSummary>> = options.servers.map((kind) => ({ kind, summary: summarise(records, kind) }));
  const report = formatReport({
    heading,
    loadTitle: `Load: ${options.rooms} rooms × ${options.clients} clients`,
    meetingTitle: `Big meeting: 1 room × ${options.meeting} clients`,
    coldTitle: `Cold load of a ${options.items.toLocaleString('en')}-item document after everyone left (${options.coldRepeats} per run)`,
    summaries,
    records
  });
  console.log(`\n${report}`);

  if (options.json) {
    const environment = { node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model ?? null, referenceVersion };
    fs.writeFileSync(options.json, `${JSON.stringify({ options, environment, summary: Object.fromEntries(summaries.map(({ kind, summary }) => [kind, summary])), runs: records }, null, 2)}\n`);
    log(`results written to ${options.json}`);
  }

  const lost = summaries.reduce((sum, { summary }) => sum + summary.load.lostDeliveries + summary.meeting.lostDeliveries, 0);
  // A reference cold load that cannot run (no y-leveldb) is reported as n/a, not as a failure.
  const crashed = records.some((r) => 'error' in r.load || 'error' in r.meeting || (r.server !== 'reference' && 'error' in r.cold));
  if (lost > 0) log(`FAIL: ${lost} deliveries lost`);
  if (crashed) log('FAIL: a case did not complete (see above)');
  return lost > 0 || crashed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  }
);
