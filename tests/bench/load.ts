/**
 * One load case: `rooms` × `clients` clients, each making `rate` edits a second for `seconds`,
 * against one server. Measures propagation latency at every receiving client, deliveries still
 * missing after a drain period, and the CPU time and memory of each of the server's processes
 * (and the CPU time of the services it uses) during the load.
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { connectAll, connectClient, type BenchClient } from './clients.js';
import { cpuBetween, cpuOfEach, cpuSecondsOf, machineCpu, memoryOf, RssSampler, sleep, type MachineCpu } from './proc-stats.js';
import type { BenchServer } from './servers.js';
import { Samples, type Percentiles } from './stats.js';

export interface LoadOptions {
  rooms: number;
  clients: number;
  /** Edits per second per client. */
  rate: number;
  seconds: number;
}

/** CPU and memory of one server process over a load case. */
export interface InstanceFigures {
  /** user + system CPU seconds during the load, and that as % of one core. */
  cpuSeconds: number;
  cpuPercent: number;
  /** Highest RSS sampled during the load; VmHWM (since start); RSS before any client, and with everyone connected before the load. */
  peakRssMb: number;
  hwmRssMb: number;
  startRssMb: number;
  connectedRssMb: number;
}

/** What the load cost the server and the machine, over the editing window. */
interface WindowFigures {
  /** Length of the editing window as measured. */
  windowSeconds: number;
  /** The server's processes together: CPU seconds and % of one core, the highest sampled sum of their RSS, and their RSS summed before any client and with everyone connected. */
  serverCpuSeconds: number;
  serverCpuPercent: number;
  peakRssMb: number;
  startRssMb: number;
  connectedRssMb: number;
  /** The same per process, in the order of `BenchServer.pids` (one for a single-process server). */
  instances: InstanceFigures[];
  /** CPU of the services the server uses (PostgreSQL, Redis), % of one core; `null` if it uses none. */
  serviceCpuPercent: number | null;
  /** The bench process's own CPU and event-loop delay: high values inflate the latency figures. */
  benchCpuPercent: number;
  benchLoopDelayP99Ms: number;
  /** CPU used on the whole machine by anything else (other processes, the kernel), and steal time; % of one core. */
  otherCpuPercent: number;
  stealPercent: number;
}

export interface LoadResult extends WindowFigures {
  rooms: number;
  clientsPerRoom: number;
  edits: number;
  /** Edits the clients sent per second of the editing window, all together. */
  editsPerSecond: number;
  /** Deliveries that should happen: every edit to every other client of its room. */
  expectedDeliveries: number;
  lostDeliveries: number;
  latencyMs: Percentiles | null;
  connectSeconds: number;
  drainSeconds: number;
  /** Connections that dropped during the case, and their close codes. */
  disconnects: number;
  closeCodes: Record<string, number>;
}

/** How long to wait for late deliveries after the load before counting them lost. */
const DRAIN_TIMEOUT_MS = 15_000;

export async function runLoad(server: BenchServer, options: LoadOptions): Promise<LoadResult> {
  const startRssMb = server.pids.map((pid) => memoryOf(pid).rssMb);
  const roomNames = await server.createRooms(options.rooms);
  const latencies = new Samples();
  const factories = roomNames.flatMap((room) =>
    Array.from({ length: options.clients }, (_, index) => () => connectClient(server, room, index, latencies))
  );
  const connectStart = performance.now();
  const all = await connectAll(factories);
  const connectSeconds = (performance.now() - connectStart) / 1000;
  // connectAll returns clients in creation order, i.e. room by room.
  const rooms: BenchClient[][] = roomNames.map((_, r) => all.slice(r * options.clients, (r + 1) * options.clients));

  try {
    // Let the awareness greetings settle so the window measures editing, not joining.
    await sleep(1_000);
    const window = await startWindow(server, startRssMb);
    const timers = startEditing(all, options.rate);
    await sleep(options.seconds * 1_000);
    stopEditing(timers);
    const figures = await endWindow(server, window);

    const drainStart = performance.now();
    const missing = (): number => rooms.reduce((sum, room) => sum + missingIn(room), 0);
    while (missing() > 0 && performance.now() - drainStart < DRAIN_TIMEOUT_MS) await sleep(50);
    const drainSeconds = (performance.now() - drainStart) / 1000;

    const exit = server.exitedEarly();
    if (exit) throw new Error(`the server ${exit} during the load`);

    const closeCodes: Record<string, number> = {};
    for (const client of all) for (const [code, count] of client.closeCodes) closeCodes[code] = (closeCodes[code] ?? 0) + count;
    const edits = all.reduce((sum, c) => sum + c.sent, 0);
    return {
      ...figures,
      rooms: options.rooms,
      clientsPerRoom: options.clients,
      edits,
      editsPerSecond: edits / figures.windowSeconds,
      expectedDeliveries: rooms.reduce((sum, room) => sum + expectedIn(room), 0),
      lostDeliveries: missing(),
      latencyMs: latencies.summary(),
      connectSeconds,
      drainSeconds,
      disconnects: all.reduce((sum, c) => sum + c.disconnects, 0),
      closeCodes
    };
  } finally {
    for (const client of all) client.destroy();
  }
}

/** Readings taken as the editing starts, to compare with at its end. */
interface WindowStart {
  at: number;
  startRssMb: number[];
  connectedRssMb: number[];
  serverCpu: number[];
  serviceCpu: Map<number, number> | null;
  benchCpu: NodeJS.CpuUsage;
  machine: MachineCpu;
  loopDelay: IntervalHistogram;
  rss: RssSampler;
}

async function startWindow(server: BenchServer, startRssMb: number[]): Promise<WindowStart> {
  const serviceCpu = await serviceCpuNow(server);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return {
    startRssMb,
    connectedRssMb: server.pids.map((pid) => memoryOf(pid).rssMb),
    serverCpu: server.pids.map((pid) => cpuSecondsOf(pid)),
    serviceCpu,
    benchCpu: process.cpuUsage(),
    machine: machineCpu(),
    loopDelay,
    rss: new RssSampler(server.pids),
    at: performance.now()
  };
}

async function endWindow(server: BenchServer, start: WindowStart): Promise<WindowFigures> {
  const windowSeconds = (performance.now() - start.at) / 1000;
  const serverCpu = server.pids.map((pid, i) => cpuSecondsOf(pid) - start.serverCpu[i]!);
  const benchCpu = process.cpuUsage(start.benchCpu);
  const machine = machineCpu();
  start.loopDelay.disable();
  const rss = start.rss.stop();
  // Asked last: PostgreSQL's backends for the window may have started after it began.
  const serviceEnd = await serviceCpuNow(server);
  const serviceCpuSeconds = start.serviceCpu && serviceEnd ? cpuBetween(start.serviceCpu, serviceEnd) : null;

  const percent = (seconds: number): number => (seconds / windowSeconds) * 100;
  const serverCpuSeconds = sum(serverCpu);
  const benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;
  return {
    windowSeconds,
    serverCpuSeconds,
    serverCpuPercent: percent(serverCpuSeconds),
    peakRssMb: rss.totalPeakMb,
    startRssMb: sum(start.startRssMb),
    connectedRssMb: sum(start.connectedRssMb),
    instances: server.pids.map((pid, i) => ({
      cpuSeconds: serverCpu[i]!,
      cpuPercent: percent(serverCpu[i]!),
      peakRssMb: rss.peakMb[i]!,
      hwmRssMb: memoryOf(pid).hwmMb,
      startRssMb: start.startRssMb[i]!,
      connectedRssMb: start.connectedRssMb[i]!
    })),
    serviceCpuPercent: serviceCpuSeconds === null ? null : percent(serviceCpuSeconds),
    benchCpuPercent: percent(benchCpuSeconds),
    benchLoopDelayP99Ms: start.loopDelay.percentile(99) / 1e6,
    otherCpuPercent: percent(Math.max(0, machine.busySeconds - start.machine.busySeconds - serverCpuSeconds - benchCpuSeconds - (serviceCpuSeconds ?? 0))),
    stealPercent: percent(machine.stealSeconds - start.machine.stealSeconds)
  };
}

/** CPU readings of the processes of the server's services now, or `null` if it has none. */
async function serviceCpuNow(server: BenchServer): Promise<Map<number, number> | null> {
  return server.servicePids ? cpuOfEach(await server.servicePids()) : null;
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/** Every client edits every `1000 / rate` ms, from a random phase so the edits do not arrive in bursts. */
function startEditing(clients: BenchClient[], rate: number): NodeJS.Timeout[] {
  const period = 1000 / rate;
  const timers: NodeJS.Timeout[] = [];
  for (const client of clients) {
    timers.push(
      setTimeout(() => {
        client.edit();
        timers.push(setInterval(() => client.edit(), period));
      }, Math.random() * period)
    );
  }
  return timers;
}

function stopEditing(timers: NodeJS.Timeout[]): void {
  // clearTimeout also clears intervals; a phase timer that already fired is a no-op to clear.
  for (const timer of timers) clearTimeout(timer);
}

function expectedIn(room: BenchClient[]): number {
  const total = room.reduce((sum, c) => sum + c.sent, 0);
  return room.reduce((sum, c) => sum + (total - c.sent), 0);
}

function missingIn(room: BenchClient[]): number {
  const total = room.reduce((sum, c) => sum + c.sent, 0);
  return room.reduce((sum, c) => sum + Math.max(0, total - c.sent - c.received), 0);
}
