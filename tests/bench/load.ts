/**
 * One load case: `rooms` × `clients` clients, each making `rate` edits a second for `seconds`,
 * against one server. Measures propagation latency at every receiving client, deliveries still
 * missing after a drain period, and the server process's CPU time and memory during the load.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { connectAll, connectClient, type BenchClient } from './clients.js';
import { cpuSecondsOf, machineCpu, memoryOf, RssSampler, sleep } from './proc-stats.js';
import type { BenchServer } from './servers.js';
import { Samples, type Percentiles } from './stats.js';

export interface LoadOptions {
  rooms: number;
  clients: number;
  /** Edits per second per client. */
  rate: number;
  seconds: number;
}

export interface LoadResult {
  rooms: number;
  clientsPerRoom: number;
  edits: number;
  /** Deliveries that should happen: every edit to every other client of its room. */
  expectedDeliveries: number;
  lostDeliveries: number;
  latencyMs: Percentiles | null;
  /** user + system CPU seconds of the server during the load, and that as % of one core. */
  serverCpuSeconds: number;
  serverCpuPercent: number;
  /** Highest RSS sampled during the load; VmHWM (since start); RSS before any client, and with everyone connected before the load. */
  peakRssMb: number;
  hwmRssMb: number;
  startRssMb: number;
  connectedRssMb: number;
  connectSeconds: number;
  drainSeconds: number;
  /** Connections that dropped during the case, and their close codes. */
  disconnects: number;
  closeCodes: Record<string, number>;
  /** The bench process's own CPU and event-loop delay: high values inflate the latency figures. */
  benchCpuPercent: number;
  benchLoopDelayP99Ms: number;
  /** CPU used on the whole machine by anything else (other processes, the kernel), and steal time; % of one core. */
  otherCpuPercent: number;
  stealPercent: number;
}

/** How long to wait for late deliveries after the load before counting them lost. */
const DRAIN_TIMEOUT_MS = 15_000;

export async function runLoad(server: BenchServer, options: LoadOptions): Promise<LoadResult> {
  const startRssMb = memoryOf(server.pid).rssMb;
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
    const connectedRssMb = memoryOf(server.pid).rssMb;
    const cpuStart = cpuSecondsOf(server.pid);
    const benchCpuStart = process.cpuUsage();
    const machineStart = machineCpu();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const rss = new RssSampler(server.pid);
    const loadStart = performance.now();

    const timers = startEditing(all, options.rate);
    await sleep(options.seconds * 1_000);
    stopEditing(timers);

    const wallSeconds = (performance.now() - loadStart) / 1000;
    const serverCpuSeconds = cpuSecondsOf(server.pid) - cpuStart;
    const benchCpu = process.cpuUsage(benchCpuStart);
    const machineEnd = machineCpu();
    loopDelay.disable();
    const peakRssMb = rss.stop();
    const hwmRssMb = memoryOf(server.pid).hwmMb;

    const drainStart = performance.now();
    const missing = (): number => rooms.reduce((sum, room) => sum + missingIn(room), 0);
    while (missing() > 0 && performance.now() - drainStart < DRAIN_TIMEOUT_MS) await sleep(50);
    const drainSeconds = (performance.now() - drainStart) / 1000;

    const exit = server.exitedEarly();
    if (exit) throw new Error(`the server ${exit} during the load`);

    const benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;
    const closeCodes: Record<string, number> = {};
    for (const client of all) for (const [code, count] of client.closeCodes) closeCodes[code] = (closeCodes[code] ?? 0) + count;
    return {
      rooms: options.rooms,
      clientsPerRoom: options.clients,
      edits: all.reduce((sum, c) => sum + c.sent, 0),
      expectedDeliveries: rooms.reduce((sum, room) => sum + expectedIn(room), 0),
      lostDeliveries: missing(),
      latencyMs: latencies.summary(),
      serverCpuSeconds,
      serverCpuPercent: (serverCpuSeconds / wallSeconds) * 100,
      peakRssMb,
      hwmRssMb,
      startRssMb,
      connectedRssMb,
      connectSeconds,
      drainSeconds,
      disconnects: all.reduce((sum, c) => sum + c.disconnects, 0),
      closeCodes,
      benchCpuPercent: (benchCpuSeconds / wallSeconds) * 100,
      benchLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      otherCpuPercent: (Math.max(0, machineEnd.busySeconds - machineStart.busySeconds - serverCpuSeconds - benchCpuSeconds) / wallSeconds) * 100,
      stealPercent: ((machineEnd.stealSeconds - machineStart.stealSeconds) / wallSeconds) * 100
    };
  } finally {
    for (const client of all) client.destroy();
  }
}

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
