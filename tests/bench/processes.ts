/**
 * One server process of the bench: started on a free port, watched for warning and error lines
 * and for an early exit, and stopped with SIGTERM (SIGKILL after 20 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './proc-stats.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST = '127.0.0.1';

/** How a process writes its output, which decides what counts as a problem line. */
export type OutputStyle = 'pino' | 'reference';

export interface ProcessSpec {
  /** Arguments to `node`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  output: OutputStyle;
  /** The path that answers 2xx once the process is ready. */
  readyPath: string;
  /** Names the process in messages and problem lines when a server has several ("instance 2"); none for one. */
  name?: string;
  /** Where to append warning and error lines; several processes of one server share it. */
  problems: string[];
}

export interface ServerProcess {
  pid: number;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Set if the process exited before `stop` was called. */
  exitedEarly(): string | null;
  stop(): Promise<void>;
}

/** Starts the process on a free port with HOST and PORT set and waits until `readyPath` answers. */
export async function launch(spec: ProcessSpec): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, spec.args, { cwd: ROOT, env: { ...spec.env, HOST, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = spec.name ? `${spec.name}: ` : '';
  const output = watchOutput(child, spec.output, (line) => {
    if (spec.problems.length < 200) spec.problems.push(`${prefix}${line.slice(0, 500)}`);
  });
  const named = (what: string): string => (spec.name ? `${spec.name} ${what}` : what);
  let exit: string | null = null;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      const how = `exited with ${signal ?? `code ${code}`}`;
      if (!stopping) exit = named(how);
      // Polku handles SIGTERM with a graceful shutdown that exits 0; anything else is worth a look.
      else if (spec.output === 'pino' && code !== 0) spec.problems.push(`${prefix}${how} after SIGTERM`);
      resolve();
    });
  });
  child.once('error', (error) => {
    exit = named(`could not run: ${error.message}`);
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
    if (killed) {
      spec.problems.push(`${prefix}did not stop within 20 s of SIGTERM; killed`);
      child.kill('SIGKILL');
      await exited;
    }
  };

  const base = `http://${HOST}:${port}`;
  try {
    await waitUntilAnswering(`${base}${spec.readyPath}`, () => exit);
  } catch (error) {
    await stop();
    throw new Error(`${named('did not start')}: ${String(error)}\n${output.tail()}`);
  }
  return { pid: child.pid!, base, exitedEarly: () => exit, stop };
}

/** A port that was free a moment ago; the servers need a number up front. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilAnswering(url: string, exited: () => string | null, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = exited();
    if (failure) throw new Error(failure);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Keeps the last lines of output (for start failures) and hands every warning or error line to `onProblem`. */
function watchOutput(child: ChildProcess, style: OutputStyle, onProblem: (line: string) => void): { tail: () => string } {
  const recent: string[] = [];
  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > 20) recent.shift();
    if (isProblem(style, line, stream)) onProblem(line);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) onLine(line, stream);
    });
  }
  return { tail: () => recent.join('\n') };
}

function isProblem(style: OutputStyle, line: string, stream: 'stdout' | 'stderr'): boolean {
  if (style === 'pino') {
    // pino writes JSON to stdout; LOG_LEVEL=warn leaves warn (40) and above, anything else is unexpected.
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return typeof level !== 'number' || level >= 40;
    } catch {
      return true;
    }
  }
  // The reference server prints two info lines at start and reports errors with console.error.
  return stream === 'stderr' || !/^(running at|Persisting documents)/.test(line);
}
