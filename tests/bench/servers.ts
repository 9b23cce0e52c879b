/**
 * The servers under test, started afresh for every case as child processes on free ports:
 * Polku (`node --import tsx server/cli/start.ts`, one process on SQLite apart from tsx's idle
 * esbuild helper), Polku ×2 (two such processes sharing a fresh PostgreSQL database and fanning
 * out over Redis) and the reference server of `@y/websocket-server`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { webSocketWithHeaders } from '../helpers/yjs-client.js';
import { launch, ROOT, type ServerProcess } from './processes.js';
import { createDatabase, randomSuffix, servicePids } from './services.js';

export type ServerKind = 'polku' | 'polku-cluster' | 'reference';

/** Every kind, in the order of the report's columns. */
export const SERVER_KINDS: readonly ServerKind[] = ['polku', 'polku-cluster', 'reference'];

export const SERVER_LABEL: Record<ServerKind, string> = { polku: 'Polku', 'polku-cluster': 'Polku ×2', reference: 'y-websocket-server' };

/** Polku unloads an idle room this long after its last client left (the cold-load case waits for it). */
const POLKU_UNLOAD_AFTER_MS = 200;

export interface BenchServer {
  kind: ServerKind;
  /** The server's processes: one, or one per instance. */
  pids: number[];
  /** Per process, the URL to give `WebsocketProvider` (the room name is appended to it). */
  wsUrls: string[];
  /** The WebSocket class clients use (Polku's sends the session cookie with the upgrade). */
  WebSocketClass: typeof WebSocket;
  /** How long after its last client left the server drops a document from memory (0: at once). */
  unloadAfterMs: number;
  /** Creates `count` rooms the clients may join (at any instance) and returns their names. */
  createRooms(count: number): Promise<string[]>;
  /** The processes of the services the server depends on (PostgreSQL, Redis) right now; `null` if it has none. */
  servicePids: (() => Promise<number[]>) | null;
  /** Lines the server wrote to stdout/stderr that look like warnings or errors. */
  problems: string[];
  /** Set if a process exited before `stop` was called. */
  exitedEarly(): string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reference server only: persist documents with y-leveldb (`YPERSISTENCE`). */
  persistence?: boolean;
  /** Both Polku kinds: environment on top of the bench's settings. */
  polkuEnv: Record<string, string>;
  /** Polku ×2: the PostgreSQL server (the URL of any database on it) on which every case gets a fresh database, and Redis. */
  postgresUrl: string;
  redisUrl: string;
}

/** The URL client `index` of a room connects to: a room's clients take the instances in turn. */
export const wsUrlFor = (server: BenchServer, index: number): string => server.wsUrls[index % server.wsUrls.length]!;

export function startServer(kind: ServerKind, options: StartOptions): Promise<BenchServer> {
  switch (kind) {
    case 'polku':
      return startPolku(options);
    case 'polku-cluster':
      return startPolkuCluster(options);
    case 'reference':
      return startReference(options);
  }
}

async function startPolku(options: StartOptions): Promise<BenchServer> {
  // Made before anything of this server, so a failure here leaves nothing behind.
  const templateDir = await polkuTemplate();
  return assemble('polku', async (teardown, problems) => {
    const dataDir = tempDir(teardown, 'polku');
    fs.cpSync(templateDir, dataDir, { recursive: true });
    const instance = await launchPolku(teardown, problems, sqliteEnv(dataDir), options);
    return { ...(await polkuParts([instance])), servicePids: null };
  });
}

/**
 * Two instances on one fresh PostgreSQL database, with a fresh Redis channel prefix so that no
 * other case (or anyone else on that Redis) is heard. Started one after the other, so the first
 * has finished migrating before the second looks at the database.
 */
function startPolkuCluster(options: StartOptions): Promise<BenchServer> {
  return assemble('polku-cluster', async (teardown, problems) => {
    const database = await createDatabase(options.postgresUrl);
    teardown.add(database.drop);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      POLKU_DATA_DIR: tempDir(teardown, 'polku-cluster'),
      REDIS_URL: options.redisUrl,
      POLKU_REDIS_PREFIX: `polku_bench_${randomSuffix()}`
    };
    await addBenchAccount(env);
    const instances: ServerProcess[] = [];
    for (const name of ['instance 1', 'instance 2']) instances.push(await launchPolku(teardown, problems, env, options, name));
    return { ...(await polkuParts(instances)), servicePids: () => servicePids(options.postgresUrl, database.name, options.redisUrl) };
  });
}

function startReference(options: StartOptions): Promise<BenchServer> {
  return assemble('reference', async (teardown, problems) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (options.persistence) env.YPERSISTENCE = path.join(tempDir(teardown, 'reference'), 'leveldb');
    else delete env.YPERSISTENCE;
    const server = await launch({ args: ['node_modules/@y/websocket-server/src/server.js'], env, output: 'reference', readyPath: '/', problems });
    teardown.add(server.stop);
    // Any room name is accepted.
    let counter = 0;
    return {
      processes: [server],
      wsUrls: [wsBase(server)],
      WebSocketClass: WebSocket,
      unloadAfterMs: 0,
      createRooms: async (count) => Array.from({ length: count }, () => `bench-${++counter}`),
      servicePids: null
    };
  });
}

/** What a kind's start-up provides; `assemble` adds the rest. */
type Parts = Omit<BenchServer, 'kind' | 'pids' | 'problems' | 'exitedEarly' | 'stop'> & { processes: ServerProcess[] };

/**
 * Runs a kind's start-up. Everything it makes registers its undoing with `teardown`, which `stop`
 * runs, and which runs at once if the start-up fails half-way.
 */
async function assemble(kind: ServerKind, build: (teardown: Teardown, problems: string[]) => Promise<Parts>): Promise<BenchServer> {
  const problems: string[] = [];
  const teardown = new Teardown(problems);
  try {
    const { processes, ...parts } = await build(teardown, problems);
    return {
      ...parts,
      kind,
      pids: processes.map((p) => p.pid),
      problems,
      exitedEarly: () => processes.map((p) => p.exitedEarly()).find((exit) => exit !== null) ?? null,
      stop: () => teardown.run()
    };
  } catch (error) {
    await teardown.run();
    throw new Error(`${SERVER_LABEL[kind]}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Undo steps, run last first; a step that fails is reported as a problem and the others still run. */
class Teardown {
  private readonly steps: Array<() => unknown> = [];

  constructor(private readonly problems: string[]) {}

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step();
      } catch (error) {
        this.problems.push(`cleaning up failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function tempDir(teardown: Teardown, kind: ServerKind): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `polku-bench-${kind}-`));
  teardown.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One Polku process with the bench's settings on top of `env` (which selects the database). */
const BENCH_CHAIN_KEY = randomBytes(32).toString('base64');

async function launchPolku(teardown: Teardown, problems: string[], env: NodeJS.ProcessEnv, options: StartOptions, name?: string): Promise<ServerProcess> {
  const instance = await launch({
    args: ['--import', 'tsx', 'server/cli/start.ts'],
    env: {
      ...env,
      POLKU_CLIENT_DIR: '',
      LOG_LEVEL: 'warn',
      // A key of the bench's own: otherwise the first start warns (a "problem") that it wrote one.
      POLKU_CHAIN_KEY: BENCH_CHAIN_KEY,
      POLKU_MAX_CONNECTIONS_PER_SESSION: '1000',
      POLKU_UNLOAD_AFTER_MS: String(POLKU_UNLOAD_AFTER_MS),
      ...options.polkuEnv
    },
    output: 'pino',
    // Ready means the database (and, for several instances, Redis) answers.
    readyPath: '/readyz',
    name,
    problems
  });
  teardown.add(instance.stop);
  return instance;
}

/** Signs in at the first instance; the session lives in the database, so every instance accepts the cookie. */
async function polkuParts(instances: ServerProcess[]): Promise<Omit<Parts, 'servicePids'>> {
  const base = instances[0]!.base;
  const cookie = await signIn(base);
  return {
    processes: instances,
    wsUrls: instances.map((instance) => `${wsBase(instance)}/yjs`),
    WebSocketClass: webSocketWithHeaders({ cookie }),
    unloadAfterMs: POLKU_UNLOAD_AFTER_MS,
    createRooms: async (count) => {
      const names: string[] = [];
      for (let i = 0; i < count; i++) names.push(`case:${await createCase(base, cookie, `Bench ${i + 1}`)}`);
      return names;
    }
  };
}

const wsBase = (instance: ServerProcess): string => instance.base.replace(/^http/, 'ws');

const ACCOUNT = { email: 'bench@example.fi', password: 'a long bench password', name: 'Bench Runner', role: 'social_worker', org: 'Bench' };

let template: Promise<string> | null = null;

/** A SQLite data directory holding the bench account, made once and copied for every Polku server. */
function polkuTemplate(): Promise<string> {
  return (template ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-bench-template-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    await addBenchAccount(sqliteEnv(dir));
    return dir;
  })());
}

/**
 * Adds an account that may create cases (the first account from `/api/auth/setup` is an
 * administrator, who may not) to the database `env` selects, with the `polku user add` CLI,
 * which migrates the database first.
 */
async function addBenchAccount(env: NodeJS.ProcessEnv): Promise<void> {
  const args = ['--import', 'tsx', 'server/cli/polku.ts', 'user', 'add', '--email', ACCOUNT.email, '--name', ACCOUNT.name, '--role', ACCOUNT.role, '--org', ACCOUNT.org];
  const cli = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cli.stdin.end(`${ACCOUNT.password}\n`);
  const code = await new Promise<number | null>((resolve) => cli.once('close', resolve));
  if (code !== 0) throw new Error(`polku user add failed (${code}): ${output.trim()}`);
}

/** The environment for one Polku on SQLite in `dataDir`, even if the caller's shell sets DATABASE_URL or REDIS_URL. */
function sqliteEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, POLKU_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
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
