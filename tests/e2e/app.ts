/**
 * The real Polku server for browser tests: `node --import tsx server/cli/start.ts` as a child
 * process on a free port with a fresh data directory (SQLite), serving the built client from
 * ./build. Also the administration CLI against the same data, and a few plain HTTP shortcuts
 * for arranging state that a test is not about.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../shared/roles.js';
import { ensureClientBuilt } from './client-build.js';
import { REPO_ROOT } from './paths.js';

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

export interface RunningApp {
  /** E.g. `http://127.0.0.1:41234`. */
  url: string;
  dataDir: string;
  /** The server's environment; the CLI run with it works on the same data. */
  env: NodeJS.ProcessEnv;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for a clean exit, remove the data directory. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startApp(): Promise<RunningApp> {
  ensureClientBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-e2e-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    POLKU_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn'
  };
  // Whatever the calling shell has set, these tests want SQLite in dataDir and ./build.
  for (const name of ['DATABASE_URL', 'POLKU_CLIENT_DIR', 'POLKU_ORIGIN']) delete env[name];

  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/start.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const gone = exited(child);

  const app: RunningApp = {
    url,
    dataDir,
    env,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await gone;
        clearTimeout(timer);
        if (child.exitCode !== 0) process.stderr.write(`[e2e] server exited with ${child.exitCode ?? child.signalCode}:\n${log}\n`);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/api/auth/status`);
      if (response.ok) return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.stop();
      throw new Error(`the server did not answer GET /api/auth/status within ${START_TIMEOUT_MS} ms:\n${log}`);
    }
    await delay(100);
  }
}

export interface Person {
  email: string;
  name: string;
  password: string;
}

/** `npm run polku -- user add …` with the password on standard input, against `app`'s data. */
export function addUserWithCli(app: RunningApp, person: Person & { role: Role; organisation: string }): Promise<string> {
  const args = ['run', '--silent', 'polku', '--', 'user', 'add'];
  args.push('--email', person.email, '--name', person.name, '--role', person.role, '--org', person.organisation);
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: REPO_ROOT, env: app.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`polku user add exited with ${code}:\n${out}`))));
    child.stdin.end(`${person.password}\n`);
  });
}

async function postJson(url: string, body: unknown, expected: number): Promise<Response> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== expected) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return response;
}

/** The first-run set-up over HTTP, for tests that are not about the set-up page. */
export async function setUpOverHttp(app: RunningApp, admin: Person & { organisation: string }): Promise<void> {
  await postJson(`${app.url}/api/auth/setup`, { organisation: admin.organisation, name: admin.name, email: admin.email, password: admin.password }, 201);
}

/** Signs in over HTTP and returns the session cookie's name and value. */
export async function signInOverHttp(app: RunningApp, person: Pick<Person, 'email' | 'password'>): Promise<{ name: string; value: string }> {
  const response = await postJson(`${app.url}/api/auth/login`, { email: person.email, password: person.password }, 200);
  const pair = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const at = pair.indexOf('=');
  if (at <= 0) throw new Error('sign-in set no cookie');
  return { name: pair.slice(0, at), value: pair.slice(at + 1) };
}
