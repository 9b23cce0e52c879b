/**
 * CPU time and memory of the server's processes (and the CPU time of the services they use),
 * read from /proc (Linux only) so the figures are theirs and not the bench process's, which
 * shares the machine.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of utime/stime; almost always 100, but ask once. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface StatLine {
  ppid: number;
  /** user + system CPU seconds of all the process's threads. */
  cpuSeconds: number;
}

function readStat(pid: number): StatLine | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return { ppid: Number(rest[1]), cpuSeconds: (utime + stime) / CLOCK_TICKS };
}

/** Direct children of `pid` (tsx's esbuild helper for Polku), found by scanning /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (readStat(Number(name))?.ppid === pid) children.push(Number(name));
  }
  return children;
}

/** CPU seconds of `pid` and its direct children so far. */
export function cpuSecondsOf(pid: number): number {
  let total = readStat(pid)?.cpuSeconds ?? 0;
  for (const child of childrenOf(pid)) total += readStat(child)?.cpuSeconds ?? 0;
  return total;
}

/** Busy and steal time of the whole machine (all cores, from /proc/stat), in CPU seconds. */
export interface MachineCpu {
  busySeconds: number;
  stealSeconds: number;
}

export function machineCpu(): MachineCpu {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busySeconds: (user + nice + system + irq + softirq) / CLOCK_TICKS, stealSeconds: steal / CLOCK_TICKS };
}

/**
 * Waits until the machine has been nearly idle (under `thresholdPercent` of one core busy) for two
 * consecutive seconds, or `maxMs` passed; returns the ms waited. On a shared 2-core machine a test
 * suite running alongside would otherwise dominate the latency tails.
 */
export async function waitForQuietMachine(maxMs: number, thresholdPercent = 20): Promise<number> {
  const started = Date.now();
  let quietSeconds = 0;
  while (quietSeconds < 2 && Date.now() - started < maxMs) {
    const before = machineCpu().busySeconds;
    await sleep(1_000);
    const busyPercent = (machineCpu().busySeconds - before) * 100;
    quietSeconds = busyPercent < thresholdPercent ? quietSeconds + 1 : 0;
  }
  return Date.now() - started;
}

export interface Memory {
  /** Resident set size now, MiB. */
  rssMb: number;
  /** Highest RSS since the process started (VmHWM), MiB. */
  hwmMb: number;
}

export function memoryOf(pid: number): Memory {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

export interface RssPeaks {
  /** Per process, its highest RSS sampled. */
  peakMb: number[];
  /** The highest sum of their RSS sampled at one moment. */
  totalPeakMb: number;
}

/** Samples the RSS of `pids` every `intervalMs` to find the peaks within a window (VmHWM also covers start-up). */
export class RssSampler {
  private readonly peaks: RssPeaks;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: number[],
    intervalMs = 200
  ) {
    this.peaks = { peakMb: pids.map(() => 0), totalPeakMb: 0 };
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): RssPeaks {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }

  private sample(): void {
    let total = 0;
    this.pids.forEach((pid, i) => {
      try {
        const rssMb = memoryOf(pid).rssMb;
        this.peaks.peakMb[i] = Math.max(this.peaks.peakMb[i]!, rssMb);
        total += rssMb;
      } catch {
        // The process exited; the crash is reported by whoever waits for it.
      }
    });
    this.peaks.totalPeakMb = Math.max(this.peaks.totalPeakMb, total);
  }
}

/** CPU seconds so far of each of `pids` (without children), for processes that come and go. */
export function cpuOfEach(pids: number[]): Map<number, number> {
  const readings = new Map<number, number>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) readings.set(pid, stat.cpuSeconds);
  }
  return readings;
}

/**
 * CPU seconds used between two `cpuOfEach` readings: a process seen only in the second started in
 * between and counts from zero; one gone by the second is not counted at all.
 */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/**
 * Resolves once `pid` has used at most one clock tick in `quietMs` (its deferred work, such as
 * storing and unloading a document, is done), but not before `minMs`; gives up after `maxMs`.
 */
export async function waitUntilIdle(pid: number, { minMs, quietMs = 400, maxMs = 20_000 }: { minMs: number; quietMs?: number; maxMs?: number }): Promise<boolean> {
  const started = Date.now();
  await sleep(minMs);
  let last = cpuSecondsOf(pid);
  while (Date.now() - started < maxMs) {
    await sleep(quietMs);
    const now = cpuSecondsOf(pid);
    if (now - last < 1.5 / CLOCK_TICKS) return true;
    last = now;
  }
  return false;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
