import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../server/db/connect.js';
import { createUser } from '../../server/services/auth-service.js';
import { planNotes } from '../../shared/case-doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/databases.js';
import { freePort, spawnServer, type ChildServer } from '../helpers/child-server.js';
import { createCase, signIn, signUp, startTestServer } from '../helpers/server.js';
import { storedNotesIn } from '../helpers/stored.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';
import { queries } from '../../server/db/kysely.js';

/** Each client types its own marked words; returns the words each typed. */
function typeWords(client: YjsClient, tag: string, count: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = `<${tag}${i}>`;
    planNotes(client.doc).insert(planNotes(client.doc).length, word);
    words.push(word);
  }
  return words;
}

describe.each(testDialects())('durability on %s', (dialect) => {
  let database: TestDatabase;
  let server: ChildServer | null = null;
  const clients: YjsClient[] = [];

  // The longest commit window, so that SIGTERM finds updates still waiting to be written.
  const env = () => ({ ...database.env, POLKU_COMMIT_WINDOW_MS: '25' });

  async function prepare(): Promise<{ port: number; cookie: string; room: string }> {
    database = await createTestDatabase(dialect);
    const port = await freePort();
    server = await spawnServer(port, env());
    const { db } = await openDatabase({ dataDir: database.dataDir, databaseUrl: database.env.DATABASE_URL });
    await createUser(db, { email: 'sw@example.fi', name: 'Sanna', role: 'social_worker', organisation: 'Kemi', password: 'a long enough password' });
    await closeDatabase(db);
    const cookie = await signIn(server.url, 'sw@example.fi', 'a long enough password');
    const room = caseRoom(await createCase(server.url, cookie));
    return { port, cookie, room };
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    server?.process.kill('SIGKILL');
    await server?.exited;
    server = null;
    await database.drop();
  });

  it('keeps every edit of two clients when the server is killed with SIGKILL mid-edit', async () => {
    const { port, cookie, room } = await prepare();
    const a = connectYjs(server!.url, room, cookie);
    const b = connectYjs(server!.url, room, cookie);
    clients.push(a, b);
    await Promise.all([a.synced, b.synced]);

    const typed: string[] = [];
    let typing = true;
    let round = 0;
    const typist = (async () => {
      while (typing) {
        typed.push(...typeWords(a, `a${round}-`, 3), ...typeWords(b, `b${round}-`, 3));
        round++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    server!.process.kill('SIGKILL');
    await server!.exited;
    // Clients keep typing while the server is down.
    await new Promise((resolve) => setTimeout(resolve, 200));
    server = await spawnServer(port, env());
    await new Promise((resolve) => setTimeout(resolve, 200));
    typing = false;
    await typist;

    await waitFor(() => a.provider.wsconnected && b.provider.wsconnected, 10_000, 'reconnect');
    await waitFor(() => a.savedClock() >= a.localClock() && b.savedClock() >= b.localClock(), 10_000, 'both saved');
    const notes = await storedNotesIn({ dataDir: database.dataDir, databaseUrl: database.env.DATABASE_URL }, room);
    for (const word of typed) expect(notes).toContain(word);
    expect(typed.length).toBeGreaterThan(30);
  });

  it('stores edits in flight when stopped gracefully with SIGTERM', async () => {
    const { port, cookie, room } = await prepare();
    const a = connectYjs(server!.url, room, cookie);
    clients.push(a);
    await a.synced;
    const typed = typeWords(a, 'x', 500);
    // Stop right after the edits left the client, before any "saved" could arrive.
    await waitFor(() => a.provider.ws?.bufferedAmount === 0, 2_000, 'sent');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(a.savedClock()).toBeLessThan(a.localClock());
    server!.process.kill('SIGTERM');
    expect(await server!.exited).toBe(0);
    a.provider.disconnect();
    const notes = await storedNotesIn({ dataDir: database.dataDir, databaseUrl: database.env.DATABASE_URL }, room);
    for (const word of typed) expect(notes).toContain(word);

    server = await spawnServer(port, env());
    const late = connectYjs(server.url, room, cookie);
    clients.push(late);
    await late.synced;
    expect(planNotes(late.doc).toString()).toBe(planNotes(a.doc).toString());
  });

  it('records every document session as closed when stopped gracefully with clients connected', async () => {
    database = await createTestDatabase(dialect);
    const running = await startTestServer(dialect, { database });
    const worker = await signUp(running);
    const room = caseRoom(await createCase(running.url, worker.cookie));
    const open = Array.from({ length: 8 }, () => connectYjs(running.url, room, worker.cookie));
    clients.push(...open);
    await Promise.all(open.map((c) => c.synced));
    await running.stop();
    const { db } = await openDatabase({ dataDir: database.dataDir, databaseUrl: database.env.DATABASE_URL });
    try {
      const rows = await queries(db).selectFrom('audit_log').select('action').where('action', 'in', ['edit_session_opened', 'edit_session_closed']).execute();
      expect(rows.filter((r) => r.action === 'edit_session_opened')).toHaveLength(8);
      expect(rows.filter((r) => r.action === 'edit_session_closed')).toHaveLength(8);
    } finally {
      await closeDatabase(db);
    }
  });
});
