/**
 * The audit trail under a flood and against rewriting: repeated refusals from one session become a
 * row with a count (REST, Socket.IO and Yjs share one limiter), nothing is lost, and the log is a
 * keyed chain that `audit verify` checks — also when two processes write to it at once.
 */
import { sql } from 'kysely';
import { io as connectSocket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { caseRoom } from '../../shared/rooms.js';
import type { Db } from '../../server/db/database.js';
import { queries } from '../../server/db/kysely.js';
import { runCli } from '../helpers/cli.js';
import { freePort, spawnServer } from '../helpers/child-server.js';
import { createTestDatabase, testDialects } from '../helpers/databases.js';
import { createCase, signIn, signUp, startTestServer } from '../helpers/server.js';
import { withDatabase } from '../helpers/stored.js';
import { upgradeStatus, waitFor } from '../helpers/yjs-client.js';


const deniedRows = (db: Db, caseId: string) =>
  queries(db).selectFrom('audit_log').select(['details']).where('case_id', '=', caseId).where('action', '=', 'access_denied').execute();

const countOf = (details: string | null) => (JSON.parse(details ?? '{}') as { count?: number }).count ?? 0;

describe.each(testDialects())('the audit trail on %s', (dialect) => {
  it('500 refusals from one session over REST, Socket.IO and Yjs leave a few rows whose counts add up to 500; the chain verifies', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const server = await startTestServer(dialect, { database });
      let caseId = '';
      try {
        const owner = await signUp(server, { organisation: 'Kemi' });
        const stranger = await signUp(server, { organisation: 'Tornio' });
        caseId = await createCase(server.url, owner.cookie);
        for (let batch = 0; batch < 20; batch++) {
          const statuses = await Promise.all(
            Array.from({ length: 20 }, async () => (await fetch(`${server.url}/api/cases/${caseId}`, { headers: { cookie: stranger.cookie } })).status)
          );
          expect(statuses.every((s) => s === 404)).toBe(true);
        }
        const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie: stranger.cookie } });
        try {
          for (let i = 0; i < 80; i++) expect(await socket.emitWithAck('case:subscribe', caseId)).toEqual({ ok: false, code: 'not_found' });
        } finally {
          socket.disconnect();
        }
        const ws = server.url.replace('http', 'ws');
        for (let i = 0; i < 20; i++) expect(await upgradeStatus(`${ws}/yjs/${caseRoom(caseId)}`, { cookie: stranger.cookie })).toBe(404);
      } finally {
        // Shutting down writes what was still being counted.
        await server.stop();
      }
      await withDatabase(database, async (db) => {
        const rows = await deniedRows(db, caseId);
        // REST and Socket.IO refusals of the case share one key (two rows); the Yjs room is another (two rows).
        expect(rows.length).toBeLessThanOrEqual(4);
        expect(rows.reduce((sum, row) => sum + countOf(row.details), 0)).toBe(500);
      });
      const verified = runCli(['audit', 'verify'], database.env);
      expect(verified.stdout).toContain('Audit log intact');
      expect(verified.status).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it('a window that closes writes the repeats as one row while the server runs', async () => {
    const server = await startTestServer(dialect, { env: { POLKU_AUDIT_DENIAL_WINDOW_MS: '300' } });
    try {
      const owner = await signUp(server, { organisation: 'Kemi' });
      const stranger = await signUp(server, { organisation: 'Tornio' });
      const caseId = await createCase(server.url, owner.cookie);
      for (let i = 0; i < 30; i++) expect((await fetch(`${server.url}/api/cases/${caseId}`, { headers: { cookie: stranger.cookie } })).status).toBe(404);
      await waitFor(async () => (await deniedRows(server.db, caseId)).reduce((sum, row) => sum + countOf(row.details), 0) === 30, 10_000, 'every refusal counted');
      const rows = await deniedRows(server.db, caseId);
      expect(rows.length).toBeLessThan(30);
      expect(rows.some((row) => countOf(row.details) > 1)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('`audit verify` finds an audit row rewritten in the database and the trigger dropped to do it', async () => {
    const server = await startTestServer(dialect);
    try {
      const owner = await signUp(server, { organisation: 'Kemi' });
      const caseId = await createCase(server.url, owner.cookie);
      const intact = runCli(['audit', 'verify'], server.database.env);
      expect(intact.stdout).toContain('Audit log intact');
      expect(intact.status).toBe(0);

      const db = queries(server.db);
      const row = await db.selectFrom('audit_log').select('id').where('case_id', '=', caseId).where('action', '=', 'case_created').executeTakeFirstOrThrow();
      const trigger = dialect === 'sqlite' ? 'audit_log_no_update' : 'audit_log_no_change';
      await sql.raw(dialect === 'sqlite' ? `DROP TRIGGER ${trigger}` : `DROP TRIGGER ${trigger} ON audit_log`).execute(db);
      await db.updateTable('audit_log').set({ ip: '10.9.9.9' }).where('id', '=', row.id).execute();

      const broken = runCli(['audit', 'verify'], server.database.env);
      expect(broken.status).toBe(1);
      expect(broken.stdout).toContain(`BROKEN  audit row ${row.id}: changed after it was written`);
      expect(broken.stdout).toContain(`MISSING trigger ${trigger}`);
    } finally {
      await server.close();
    }
  });

  it('two processes auditing at once on one database keep one chain (no fork, no gap)', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const first = await startTestServer(dialect, { database });
      const second = await spawnServer(await freePort(), database.env);
      let caseId = '';
      try {
        const owner = await signUp(first, { organisation: 'Kemi' });
        caseId = await createCase(first.url, owner.cookie);
        const cookies = [owner.cookie, await signIn(second.url, owner.email, owner.password)];
        const urls = [first.url, second.url];
        for (let batch = 0; batch < 10; batch++) {
          const statuses = await Promise.all(
            Array.from({ length: 20 }, async (_, i) => (await fetch(`${urls[i % 2]}/api/cases/${caseId}`, { headers: { cookie: cookies[i % 2]! } })).status)
          );
          expect(statuses.every((s) => s === 200)).toBe(true);
        }
      } finally {
        second.process.kill('SIGTERM');
        await second.exited;
        await first.stop();
      }
      await withDatabase(database, async (db) => {
        const views = await queries(db).selectFrom('audit_log').select('id').where('case_id', '=', caseId).where('action', '=', 'case_view').execute();
        expect(views).toHaveLength(200);
        const entries = await queries(db).selectFrom('chain_entries').select(['seq', 'ref']).where('chain', '=', 'audit').orderBy('seq').execute();
        expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
        const chained = new Set(entries.map((e) => e.ref));
        expect(views.every((v) => chained.has(v.id))).toBe(true);
      });
      const verified = runCli(['audit', 'verify'], database.env);
      expect(verified.stdout).toContain('Audit log intact');
      expect(verified.status).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
