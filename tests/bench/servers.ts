/**
 * The two servers under test, each started as its own child process on a free port: Polku
 * (`node --import tsx server/cli/start.ts`, one process apart from tsx's idle esbuild helper)
 * and the reference server of `@y/websocket-server`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { webSocketWithHeaders } from '../helpers/yjs-client.js';
import { sleep } from './proc-stats.js';

export type ServerKind = 'polku' | 'reference';

export const SERVER_LABEL: Record<ServerKind, string> = { polku: 'Polku', reference: 'y-websocket-server' };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
/** Polku unloads an idle room this long after its last client left (the cold-load case waits for it). */
export const POLKU_UNLOAD_AFTER_MS = 200;

export interface BenchServer {
  kind: ServerKind;
  pid: number;
  /** The URL to give `WebsocketProvider` (the room name is appended to it). */
  wsUrl: string;
  /** The WebSocket class clients use (Polku's sends the session cookie with the upgrade). */
  WebSocketClass: typeof WebSocket;
  /** Creates `count` rooms the clients may join and returns their names. */
  createRooms(count: number): Promise<string[]>;
  /** Lines the server wrote to stdout/stderr that look like warnings or errors. */
  problems: string[];
  /** Set if the process exited before `stop` was called. */
  exitedEarly(): string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reference server only: persist documents with y-leveldb (`YPERSISTENCE`). */
  persistence?: boolean;
  /** Polku only: environment on top of the bench's settings. */
  polkuEnv?: Record<string, string>;
}

export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<BenchServer> {
  const port = await freePort();
  // Made before the data directory, so a failure here leaves nothing behind.
  const templateDir = kind === 'polku' ? await polkuTemplate() : null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `polku-bench-${kind}-`));
  const env: NodeJS.ProcessEnv = { ...(kind === 'polku' ? sqliteEnv(dataDir) : process.env), HOST, PORT: String(port) };
  let args: string[];
  if (templateDir) {
    fs.cpSync(templateDir, dataDir, { recursive: true });
    args = ['--import', 'tsx', 'server/cli/start.ts'];
    Object.assign(env, {
      POLKU_CLIENT_DIR: '',
      LOG_LEVEL: 'warn',
      POLKU_MAX_CONNECTIONS_PER_SESSION: '1000',
      POLKU_UNLOAD_AFTER_MS: String(POLKU_UNLOAD_AFTER_MS),
      ...options.polkuEnv
    });
  } else {
    args = ['node_modules/@y/websocket-server/src/server.js'];
    if (options.persistence) env.YPERSISTENCE = path.join(dataDir, 'leveldb');
    else delete env.YPERSISTENCE;
  }
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = watchOutput(child, kind);
  let exit: string | null = null;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) exit = `exited with ${signal ?? `code ${code}`}`;
      // Polku handles SIGTERM with a graceful shutdown that exits 0; anything else is worth a look.
      else if (kind === 'polku' && code !== 0) output.problems.push(`exited with ${signal ?? `code ${code}`} after SIGTERM`);
      resolve();
    });
  });
  child.once('error', (error) => {
    exit = `could not run: ${error.message}`;
  });

  const base = `http://${HOST}:${port}`;
  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
      if (killed) {
        output.problems.push('did not stop within 20 s of SIGTERM; killed');
        child.kill('SIGKILL');
        await exited;
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilAnswering(kind === 'polku' ? `${base}/api/auth/status` : `${base}/`, () => exit);
  } catch (error) {
    await stop();
    throw new Error(`${SERVER_LABEL[kind]} did not start: ${String(error)}\n${output.tail()}`);
  }

  const common = {
    kind,
    pid: child.pid!,
    problems: output.problems,
    exitedEarly: () => exit,
    stop
  };
  if (kind === 'reference') {
    let counter = 0;
    return {
      ...common,
      wsUrl: `ws://${HOST}:${port}`,
      WebSocketClass: WebSocket,
      createRooms: async (count) => Array.from({ length: count }, () => `bench-${++counter}`)
    };
  }
  let cookie: string;
  try {
    cookie = await signIn(base);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ...common,
    wsUrl: `ws://${HOST}:${port}/yjs`,
    WebSocketClass: webSocketWithHeaders({ cookie }),
    createRooms: async (count) => {
      const names: string[] = [];
      for (let i = 0; i < count; i++) names.push(`case:${await createCase(base, cookie, `Bench ${i + 1}`)}`);
      return names;
    }
  };
}

const ACCOUNT = { email: 'bench@example.fi', password: 'a long bench password', name: 'Bench Runner', role: 'social_worker', org: 'Bench' };

let template: Promise<string> | null = null;

/**
 * A data directory holding a migrated database with one account that may create cases (the
 * first account from `/api/auth/setup` is an administrator, who may not). Made once with the
 * `polku user add` CLI and copied for every Polku server.
 */
function polkuTemplate(): Promise<string> {
  return (template ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-bench-template-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const args = ['--import', 'tsx', 'server/cli/polku.ts', 'user', 'add', '--email', ACCOUNT.email, '--name', ACCOUNT.name, '--role', ACCOUNT.role, '--org', ACCOUNT.org];
    const cli = spawn(process.execPath, args, { cwd: ROOT, env: sqliteEnv(dir), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stdin.end(`${ACCOUNT.password}\n`);
    const code = await new Promise<number | null>((resolve) => cli.once('close', resolve));
    if (code !== 0) throw new Error(`polku user add failed (${code}): ${output.trim()}`);
    return dir;
  })());
}

/** The environment for Polku on SQLite in `dataDir`, even if the caller's shell sets DATABASE_URL. */
function sqliteEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, POLKU_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return env;
}

/** Signs the bench account in; every bench client shares this session (hence the raised per-session limit). */
async function signIn(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ACCOUNT.email, password: ACCOUNT.password })
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (!cookie.includes('=')) throw new Error('sign-in returned no session cookie');
  return cookie;
}

async function createCase(base: string, cookie: string, displayName: string): Promise<string> {
  const response = await fetch(`${base}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ displayName })
  });
  if (response.status !== 201) throw new Error(`creating a case failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
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

/** Keeps the last lines of output (for start failures) and every warning or error line. */
function watchOutput(child: ChildProcess, kind: ServerKind): { problems: string[]; tail: () => string } {
  const problems: string[] = [];
  const recent: string[] = [];
  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > 20) recent.shift();
    if (isProblem(kind, line, stream) && problems.length < 200) problems.push(line.slice(0, 500));
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
  return { problems, tail: () => recent.join('\n') };
}

function isProblem(kind: ServerKind, line: string, stream: 'stdout' | 'stderr'): boolean {
  if (kind === 'polku') {
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
