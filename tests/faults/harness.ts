/**
 * What the fault tests need to break things for real on this machine: a private Redis and a
 * private PostgreSQL that can be stopped and started again (the machine's shared services stay
 * untouched), Polku instances as child processes that can be SIGKILLed, a TCP load balancer in
 * front of them, and a meeting of y-websocket clients whose every typed word is accounted for.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { closeDatabase, openDatabase } from '../../server/db/connect.js';
import { createUser } from '../../server/services/auth-service.js';
import { planNotes } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { freePort, spawnServer, type ChildServer } from '../helpers/child-server.js';
import { createCase, signIn } from '../helpers/server.js';
import { storedNotesIn } from '../helpers/stored.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A service this test owns: `stop` and `start` it again on the same port. */
export interface OwnedService {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(50);
  }
}

/** A private redis-server (nothing kept on disk) on a free port. */
export async function startRedis(): Promise<OwnedService> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop, destroy: stop };
}

function postgresBin(): string {
  if (process.env.POLKU_PG_BIN) return process.env.POLKU_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0]!, 'bin');
}

/** A private PostgreSQL cluster on a free port (run as the postgres user when we are root). */
export async function startPostgres(): Promise<OwnedService> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const run = (tool: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { stdio: 'ignore' }) : execFileSync(path.join(bin, tool), args, { stdio: 'ignore' });
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
    await waitForPort(port);
  };
  const stop = async () => {
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      try {
        await stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A TCP load balancer: each connection goes to the next backend that accepts it. */
export async function startBalancer(backends: number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((incoming) => {
    sockets.add(incoming);
    incoming.on('close', () => sockets.delete(incoming));
    incoming.pause();
    const attempt = (tries: number) => {
      if (tries >= backends.length) return incoming.destroy();
      const port = backends[next++ % backends.length]!;
      const outgoing = net.connect(port, '127.0.0.1');
      let connected = false;
      outgoing.once('error', () => {
        // Refused: that instance is down; try the next one.
        if (!connected) attempt(tries + 1);
      });
      outgoing.once('connect', () => {
        connected = true;
        sockets.add(outgoing);
        outgoing.on('close', () => {
          sockets.delete(outgoing);
          incoming.destroy();
        });
        incoming.on('close', () => outgoing.destroy());
        outgoing.on('error', () => incoming.destroy());
        incoming.on('error', () => outgoing.destroy());
        incoming.pipe(outgoing);
        outgoing.pipe(incoming);
        incoming.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })
  };
}

export interface Cluster {
  instances: Array<ChildServer & { port: number }>;
  databaseUrl: string;
  env: Record<string, string>;
  /** Starts instance `i` again (after a kill), on its port. */
  restart(i: number): Promise<void>;
  close(): Promise<void>;
}

/** Two (or `count`) Polku instances on one PostgreSQL database, fanned out over `redisUrl`. */
export async function startCluster(postgresAdminUrl: string, redisUrl: string, count = 2, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const name = `polku_f_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-faults-'));
  const env = {
    DATABASE_URL: url.toString(),
    POLKU_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    POLKU_FANOUT_DEAD_AFTER_MS: '2000',
    POLKU_FANOUT_RESYNC_MS: '3000',
    POLKU_HEARTBEAT_MS: '1000',
    LOG_LEVEL: 'warn',
    ...extraEnv
  };
  const instances: Cluster['instances'] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    instances.push({ ...(await spawnServer(port, env)), port });
  }
  return {
    instances,
    databaseUrl: url.toString(),
    env,
    async restart(i) {
      const port = instances[i]!.port;
      instances[i] = { ...(await spawnServer(port, env)), port };
    },
    async close() {
      for (const instance of instances) {
        if (instance.process.exitCode === null && instance.process.signalCode === null) instance.process.kill('SIGTERM');
        await instance.exited;
      }
      const cleanup = new pg.Client({ connectionString: postgresAdminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

/** Creates a signed-in worker and a case; returns the cookie and the case's room. */
export async function prepareCase(cluster: Cluster): Promise<{ cookie: string; room: string }> {
  const { db } = await openDatabase({ dataDir: cluster.env.POLKU_DATA_DIR!, databaseUrl: cluster.databaseUrl });
  await createUser(db, { email: 'sw@example.fi', name: 'Sanna', role: 'social_worker', organisation: 'Kemi', password: 'a long enough password' });
  await closeDatabase(db);
  const url = cluster.instances[0]!.url;
  const cookie = await signIn(url, 'sw@example.fi', 'a long enough password');
  return { cookie, room: caseRoom(await createCase(url, cookie)) };
}

/** The notes of the stored document, read with a connection of our own. */
export function storedNotes(cluster: Cluster, room: string): Promise<string> {
  return storedNotesIn({ dataDir: cluster.env.POLKU_DATA_DIR!, databaseUrl: cluster.databaseUrl }, room);
}

/** How many log rows the document has (one per stored update). */
export async function storedRowCount(cluster: Cluster, room: string): Promise<number> {
  const { db } = await openDatabase({ dataDir: cluster.env.POLKU_DATA_DIR!, databaseUrl: cluster.databaseUrl });
  try {
    const rows = await queries(db).selectFrom('document_updates').select('seq').where('doc_name', '=', room).execute();
    return rows.length;
  } finally {
    await closeDatabase(db);
  }
}

/**
 * A meeting: `count` clients in one room, client i connected to `urls[i % urls.length]`. Each
 * types its own marked words into the notes; `words` lists everything typed, so nothing can be
 * lost unnoticed.
 */
export class Meeting {
  readonly clients: YjsClient[];
  readonly words: string[] = [];
  private typing: Promise<void> | null = null;
  private running = false;

  constructor(urls: string[], room: string, cookie: string, count: number) {
    this.clients = Array.from({ length: count }, (_, i) => connectYjs(urls[i % urls.length]!, room, cookie));
  }

  async synced(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.synced));
  }

  /** Every client types a word every `intervalMs` (spread over the interval) until `stop`. */
  startTyping(intervalMs = 200): void {
    this.running = true;
    let round = 0;
    this.typing = (async () => {
      while (this.running) {
        for (const [i, client] of this.clients.entries()) {
          const word = `<${i}.${round}>`;
          const notes = planNotes(client.doc);
          notes.insert(notes.length, word);
          this.words.push(word);
          await sleep(intervalMs / this.clients.length);
        }
        round++;
      }
    })();
  }

  async stopTyping(): Promise<void> {
    this.running = false;
    await this.typing;
  }

  /** Words typed that `text` lacks. */
  missing(text: string): string[] {
    return this.words.filter((w) => !text.includes(w));
  }

  /** Waits until every client holds every word and all hold the same text; returns it. */
  async converged(timeoutMs = 20_000): Promise<string> {
    await waitFor(
      () => {
        const first = planNotes(this.clients[0]!.doc).toString();
        return this.missing(first).length === 0 && this.clients.every((c) => planNotes(c.doc).toString() === first);
      },
      timeoutMs,
      'every client to hold every word'
    ).catch((error: Error) => {
      const lost = this.clients.map((c) => this.missing(planNotes(c.doc).toString()).length);
      throw new Error(`${error.message}; words missing per client: ${lost.join(', ')}`);
    });
    return planNotes(this.clients[0]!.doc).toString();
  }

  destroy(): void {
    for (const client of this.clients) client.destroy();
  }
}

export { sleep, waitFor };
