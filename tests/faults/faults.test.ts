/**
 * `npm run test:faults`: two real instances, a real Redis and a real PostgreSQL of the test's
 * own, broken on purpose mid-meeting. Each test ends with every client holding every word typed
 * and the stored document holding every word too.
 */
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planNotes } from '../../shared/case-doc.js';
import { syncMessage, textUpdate } from '../helpers/raw-messages.js';
import {
  Meeting,
  prepareCase,
  sleep,
  startBalancer,
  startCluster,
  startPostgres,
  startRedis,
  storedNotes,
  storedRowCount,
  waitFor,
  type Cluster,
  type OwnedService
} from './harness.js';

const EDIT_SECONDS = Number(process.env.POLKU_FAULTS_EDIT_SECONDS ?? 30);

describe('faults with two instances, Redis and PostgreSQL', () => {
  let redis: OwnedService;
  let postgres: OwnedService;
  /** The running test's instances, for clean-up. */
  let running: Cluster | null = null;
  /** The running test's meeting, for clean-up. */
  let current: Meeting | null = null;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  });

  afterEach(async () => {
    current?.destroy();
    current = null;
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await running?.close();
    running = null;
  });

  afterAll(async () => {
    await redis?.destroy();
    await postgres?.destroy();
  });

  /** Waits until the stored document holds every word typed. */
  async function everyWordStored(cluster: Cluster, meeting: Meeting, room: string, timeoutMs = 15_000): Promise<void> {
    let missing: string[] = [];
    await waitFor(
      async () => {
        missing = meeting.missing(await storedNotes(cluster, room).catch(() => ''));
        return missing.length === 0;
      },
      timeoutMs,
      'every word to be stored'
    ).catch(() => {
      throw new Error(`${missing.length} words not stored, e.g. ${missing.slice(0, 5).join(' ')}`);
    });
  }

  /** Two instances and a meeting of `clients` clients split over them. */
  async function startMeeting(
    clients: number,
    env: Record<string, string> = {}
  ): Promise<{ room: string; cookie: string; meeting: Meeting; cluster: Cluster }> {
    const cluster = (running = await startCluster(postgres.url, redis.url, 2, env));
    const { cookie, room } = await prepareCase(cluster);
    const meeting = (current = new Meeting(
      cluster.instances.map((i) => i.url),
      room,
      cookie,
      clients
    ));
    await meeting.synced();
    return { room, cookie, meeting, cluster };
  }

  const readyStatus = async (url: string) => (await fetch(`${url}/readyz`)).status;

  it(`20 clients split over two instances edit one room for ${EDIT_SECONDS} s: all converge on the stored state, nothing lost`, async () => {
    const { room, meeting, cluster } = await startMeeting(20);
    meeting.startTyping(250);
    await sleep(EDIT_SECONDS * 1000);
    await meeting.stopTyping();
    const text = await meeting.converged();
    // A floor that proves the meeting was busy (20 clients at 4 words/s would type 80 a second),
    // not a speed target: on a loaded 2-core machine the typists' timers run late.
    expect(meeting.words.length).toBeGreaterThan(EDIT_SECONDS * 30);
    await everyWordStored(cluster, meeting, room);
    expect(await storedNotes(cluster, room)).toBe(text);
    // Each word was one update, stored once, by the instance that received it (plus the case's first state).
    expect(await storedRowCount(cluster, room)).toBe(meeting.words.length + 1);
  });

  it('an instance killed with SIGKILL mid-meeting: its clients move to the other, nothing is lost', async () => {
    const cluster = (running = await startCluster(postgres.url, redis.url));
    const balancer = await startBalancer(cluster.instances.map((i) => i.port));
    cleanups.push(() => balancer.close());
    const { cookie, room } = await prepareCase(cluster);
    const meeting = (current = new Meeting([balancer.url], room, cookie, 10));
    await meeting.synced();
    meeting.startTyping(100);
    await sleep(2_000);
    cluster.instances[0]!.process.kill('SIGKILL');
    await cluster.instances[0]!.exited;
    await sleep(3_000);
    await meeting.stopTyping();
    const text = await meeting.converged();
    // Everyone is now on the surviving instance.
    expect(meeting.clients.every((c) => c.provider.wsconnected)).toBe(true);
    await everyWordStored(cluster, meeting, room);
    expect(await storedNotes(cluster, room)).toBe(text);
  });

  /**
   * A meeting whose last words reach every client while PostgreSQL is down, so neither instance
   * can store them; `meanwhile` runs before PostgreSQL comes back.
   */
  async function wordsWhileDatabaseDown(meanwhile: (cluster: Cluster) => Promise<void>) {
    const started = await startMeeting(6);
    started.meeting.startTyping(100);
    await sleep(500);
    await postgres.stop();
    try {
      await sleep(1_500);
      await started.meeting.stopTyping();
      await started.meeting.converged();
      await meanwhile(started.cluster);
    } finally {
      await postgres.start();
    }
    return started;
  }

  const adoptedBy = async (url: string) =>
    Number(/^polku_fanout_adopted_updates_total (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);

  it('an instance killed while PostgreSQL is down: the other instance stores the edits it had not', async () => {
    const { room, meeting, cluster } = await wordsWhileDatabaseDown(async (cluster) => {
      cluster.instances[0]!.process.kill('SIGKILL');
      await cluster.instances[0]!.exited;
    });
    await everyWordStored(cluster, meeting, room, 20_000);
    expect(await adoptedBy(cluster.instances[1]!.url)).toBeGreaterThan(0);
  });

  it('an instance paused (SIGSTOP) past the dead-after time is waited for, not taken for dead: every word is stored exactly once', async () => {
    const { room, meeting, cluster } = await wordsWhileDatabaseDown(async (cluster) => {
      // The paused instance holds some of the words nobody could store yet.
      cluster.instances[0]!.process.kill('SIGSTOP');
      cleanups.push(async () => void cluster.instances[0]!.process.kill('SIGCONT'));
    });
    // Longer than POLKU_FANOUT_DEAD_AFTER_MS (5 s): the other instance notices the silence.
    await sleep(7_000);
    cluster.instances[0]!.process.kill('SIGCONT');
    await everyWordStored(cluster, meeting, room, 20_000);
    expect(await storedRowCount(cluster, room)).toBe(meeting.words.length + 1);
    expect(await adoptedBy(cluster.instances[1]!.url)).toBe(0);
  });

  it('Redis restarted mid-meeting: each instance keeps serving its own clients, and all catch up when it is back', async () => {
    const { room, meeting, cluster } = await startMeeting(10);
    meeting.startTyping(100);
    await sleep(1_000);
    await redis.stop();
    await waitFor(async () => (await readyStatus(cluster.instances[0]!.url)) === 503, 5_000, 'not ready without Redis');
    await sleep(2_000);
    // Meanwhile clients of the same instance still see each other's words.
    const [a, , c] = meeting.clients;
    const word = '<same-instance>';
    planNotes(a!.doc).insert(planNotes(a!.doc).length, word);
    meeting.words.push(word);
    await waitFor(() => planNotes(c!.doc).toString().includes(word), 3_000, 'a word to reach a client of the same instance');
    await redis.start();
    await sleep(1_500);
    await meeting.stopTyping();
    const text = await meeting.converged();
    await everyWordStored(cluster, meeting, room);
    expect(await storedNotes(cluster, room)).toBe(text);
    await waitFor(async () => (await readyStatus(cluster.instances[1]!.url)) === 200, 5_000, 'ready again');
  });

  it('PostgreSQL stopped for a few seconds: edits keep flowing live, /readyz says not ready, everything is stored when it is back', async () => {
    const { room, meeting, cluster } = await startMeeting(10);
    meeting.startTyping(100);
    await sleep(1_000);
    await postgres.stop();
    try {
      for (const instance of cluster.instances) {
        const response = await fetch(`${instance.url}/readyz`);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({ database: 'unreachable', redis: 'ok' });
      }
      // Words typed now reach clients on the other instance while nothing can be stored.
      const before = meeting.words.length;
      await sleep(3_000);
      const during = meeting.words.slice(before, before + 20);
      const other = meeting.clients[1]!;
      expect(during.every((w) => planNotes(other.doc).toString().includes(w))).toBe(true);
    } finally {
      await postgres.start();
    }
    await meeting.stopTyping();
    const text = await meeting.converged();
    await everyWordStored(cluster, meeting, room, 20_000);
    expect(await storedNotes(cluster, room)).toBe(text);
    for (const instance of cluster.instances) expect(await readyStatus(instance.url)).toBe(200);
  });

  it('a connection flooding a room with oversized or malformed messages is closed; the others are unaffected', async () => {
    const { room, cookie, meeting, cluster } = await startMeeting(6, { POLKU_MAX_MESSAGE_BYTES: String(64 * 1024) });
    let disconnects = 0;
    for (const client of meeting.clients) client.provider.on('status', ({ status }: { status: string }) => status === 'disconnected' && disconnects++);
    meeting.startTyping(100);

    const flood = (payload: () => Uint8Array, times: number) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${cluster.instances[0]!.url.replace('http', 'ws')}/yjs/${room}`, { headers: { cookie } });
        ws.on('error', () => undefined);
        ws.on('close', (code) => resolve(code));
        // Flood once admitted (the server greets only then): before that, messages wait in a short
        // queue and a flood of any kind is refused as flooding (1008), whatever it holds.
        ws.once('message', () => {
          for (let i = 0; i < times && ws.readyState === WebSocket.OPEN; i++) ws.send(payload());
        });
        setTimeout(() => reject(new Error('the flooding connection was not closed')), 10_000);
      });
    const oversized = await flood(() => syncMessage('update', textUpdate('notes', 'x'.repeat(100 * 1024))), 50);
    expect(oversized).toBe(1009);
    const malformed = await flood(() => Uint8Array.from([0, 2, 200, 1, 2, 3, 4, 5, 6, 7]), 5_000);
    expect(malformed).toBe(1007);
    // Well-formed but endless: asking for the whole document again and again.
    const requests = await flood(() => Uint8Array.from([0, 0, 1, 0]), 30_000);
    expect(requests).toBe(1008);

    await sleep(1_000);
    await meeting.stopTyping();
    await meeting.converged();
    expect(disconnects).toBe(0);
    await everyWordStored(cluster, meeting, room);
    expect(await readyStatus(cluster.instances[0]!.url)).toBe(200);
  });
});
