/**
 * Tamper evidence that holds against someone with write access to the database: the archive and
 * the audit log are keyed chains (HMAC-SHA-256, key outside the database), so rewriting a version
 * and recomputing its plain SHA-256 chain is found; missing protecting triggers are reported by
 * `archive verify`/`audit verify` and warned about at start-up; signed checkpoints reveal a cut
 * tail; rows archived before the keyed chain verify as its legacy part; key rotation is recorded.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { planTitle } from '../../shared/case-doc.js';
import { addAction, addGoal } from '../../shared/plan/doc.js';
import { caseRoom } from '../../shared/rooms.js';
import type { Db } from '../../server/db/database.js';
import { queries } from '../../server/db/kysely.js';
import { createUser } from '../../server/services/auth-service.js';
import { canonicalJson, type ArchiveContent } from '../../server/services/archive-service.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, testDialects, type TestDialect } from '../helpers/databases.js';
import { emptyPlan } from '../helpers/plans.js';
import { createCase, signIn, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { withDatabase } from '../helpers/stored.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const keyId = (base64: string) => sha256(Buffer.from(base64, 'base64')).slice(0, 16);
const newKey = () => randomBytes(32).toString('base64');

function capturedLogger() {
  const logged: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line) as (typeof logged)[number]);
      done();
    }
  });
  return { logger: pino({ level: 'info' }, lines), logged };
}

/** Runs `change` with the named triggers out of the way and puts them back as they were (what a careful DBA would do). */
async function behindTheTriggers(db: Db, dialect: TestDialect, table: 'archived_plans' | 'chain_entries' | 'chain_heads', change: () => Promise<void>): Promise<void> {
  const q = queries(db);
  if (dialect === 'postgres') {
    await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER USER`).execute(q);
    await change();
    await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER USER`).execute(q);
    return;
  }
  const triggers = await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ${table}`.execute(q);
  for (const t of triggers.rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(q);
  await change();
  for (const t of triggers.rows) await sql.raw(t.sql).execute(q);
}

/** Rewrites version 1's plan title and recomputes the plain SHA-256 chain of every version after it. */
async function rewriteWithPlainChain(db: Db, dialect: TestDialect, caseId: string): Promise<void> {
  const q = queries(db);
  const rows = await q.selectFrom('archived_plans').selectAll().where('case_id', '=', caseId).orderBy('version').execute();
  await behindTheTriggers(db, dialect, 'archived_plans', async () => {
    let previous = '';
    for (const row of rows) {
      const content = JSON.parse(row.content) as ArchiveContent;
      if (row.version === 1) content.plan.title = 'Väärennetty suunnitelma';
      content.previousHash = previous;
      const text = canonicalJson(content);
      await q.updateTable('archived_plans').set({ content: text, content_hash: sha256(text), previous_hash: previous }).where('id', '=', row.id).execute();
      previous = sha256(text);
    }
  });
}

/** Archives the case's plan as it is now: the responsible person proposes, a coordinator approves. */
async function archive(server: TestServer, caseId: string, worker: string, coordinator: string): Promise<string> {
  const post = async (url: string, cookie: string) => {
    const response = await fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie } });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string };
  };
  const proposal = await post(`/api/cases/${caseId}/proposals`, worker);
  return (await post(`/api/proposals/${proposal.id}/approve`, coordinator)).id;
}

async function caseWithPlan(server: TestServer) {
  const organisation = `Kunta ${crypto.randomUUID().slice(0, 6)}`;
  const worker = await signUp(server, { organisation });
  const coordinator = await signUp(server, { role: 'coordinator', organisation });
  const caseId = await createCase(server.url, worker.cookie, 'Arkistoasiakas');
  const client = connectYjs(server.url, caseRoom(caseId), worker.cookie);
  try {
    await client.synced;
    client.doc.transact(() => {
      planTitle(client.doc).insert(0, 'Alkuperäinen suunnitelma');
      addAction(client.doc, addGoal(client.doc, { title: 'Tavoite' }), { text: 'Toimenpide 1.1', responsible: 'client', due: '2027-03-01' });
    });
    await waitFor(() => client.savedClock() >= client.localClock(), 5_000, 'stored');
  } finally {
    client.destroy();
  }
  return { caseId, worker: worker.cookie, coordinator: coordinator.cookie };
}

describe.each(testDialects())('tamper evidence on %s', (dialect) => {
  it('a version rewritten with its plain SHA-256 chain recomputed (triggers dropped and put back) is reported by `archive verify`', async () => {
    const server = await startTestServer(dialect);
    try {
      const { caseId, worker, coordinator } = await caseWithPlan(server);
      await archive(server, caseId, worker, coordinator);
      await archive(server, caseId, worker, coordinator);
      const intact = runCli(['archive', 'verify'], server.database.env);
      expect(intact.stdout).toContain('Archive intact');
      expect(intact.status).toBe(0);

      await rewriteWithPlainChain(server.db, dialect, caseId);
      const broken = runCli(['archive', 'verify'], server.database.env);
      expect(broken.stdout).toContain(`BROKEN  case ${caseId} version 1: changed after it was archived`);
      expect(broken.stdout).toContain(`BROKEN  case ${caseId} version 2: changed after it was archived`);
      expect(broken.status).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a missing protecting trigger is reported by `archive verify` and `audit verify`, warned about at start-up and shown in the metrics', async () => {
    const database = await createTestDatabase(dialect);
    try {
      await (await startTestServer(dialect, { database })).stop();
      const [archiveTrigger, auditTrigger] = dialect === 'sqlite' ? ['archived_plans_no_update', 'audit_log_no_delete'] : ['archived_plans_no_change', 'audit_log_no_truncate'];
      await withDatabase(database, async (db) => {
        const q = queries(db);
        if (dialect === 'sqlite') {
          await sql.raw(`DROP TRIGGER ${archiveTrigger}`).execute(q);
          await sql.raw(`DROP TRIGGER ${auditTrigger}`).execute(q);
        } else {
          await sql.raw(`DROP TRIGGER ${archiveTrigger} ON archived_plans`).execute(q);
          // A disabled trigger protects nothing either.
          await sql.raw(`ALTER TABLE audit_log DISABLE TRIGGER ${auditTrigger}`).execute(q);
        }
      });
      const { logger, logged } = capturedLogger();
      const server = await startTestServer(dialect, { database, logger });
      try {
        const warning = logged.find((l) => l.level === 40 && /protecting trigger/.test(l.msg));
        expect(warning?.missing).toEqual(expect.arrayContaining([archiveTrigger, auditTrigger]));
        expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^polku_protecting_triggers_missing 2$/m);
        const archiveVerify = runCli(['archive', 'verify'], database.env);
        expect(archiveVerify.stdout).toContain(`MISSING trigger ${archiveTrigger}`);
        expect(archiveVerify.status).toBe(1);
        const auditVerify = runCli(['audit', 'verify'], database.env);
        expect(auditVerify.stdout).toContain(`MISSING trigger ${auditTrigger}`);
        expect(auditVerify.status).toBe(1);
      } finally {
        await server.stop();
      }
    } finally {
      await database.drop();
    }
  });

  it('administrators download signed checkpoints; a tail cut from the chain (head rewound) verifies alone but not against them', async () => {
    const { logger, logged } = capturedLogger();
    const server = await startTestServer(dialect, { logger });
    try {
      // No key configured: the first start wrote one, readable by its owner only, and said where.
      const keyFile = path.join(server.database.dataDir, 'chain.key');
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(logged.find((l) => l.level === 40 && l.msg.includes(keyFile) && /back it up/i.test(l.msg))).toBeDefined();
      expect(logged.filter((l) => l.msg === 'chain checkpoint').map((l) => (l.checkpoint as { chain: string }).chain).sort()).toEqual(['archive', 'audit']);

      const admin = await signUp(server, { role: 'admin', organisation: 'Kemi' });
      const { caseId: keptCase, worker, coordinator } = await caseWithPlan(server);
      await archive(server, keptCase, worker, coordinator);
      const cut = await caseWithPlan(server);
      const cutId = await archive(server, cut.caseId, cut.worker, cut.coordinator);
      expect((await fetch(`${server.url}/api/admin/checkpoints`, { headers: { cookie: worker } })).status).toBe(403);
      const response = await fetch(`${server.url}/api/admin/checkpoints`, { headers: { cookie: admin.cookie } });
      expect(response.status).toBe(200);
      const downloaded = (await response.json()) as { checkpoints: Array<{ chain: string; seq: number; mac: string; signature: string }> };
      expect(downloaded.checkpoints.map((c) => c.chain).sort()).toEqual(['archive', 'audit']);
      const checkpoints = path.join(server.database.dataDir, 'checkpoints.json');
      fs.writeFileSync(checkpoints, JSON.stringify(downloaded));
      expect(runCli(['archive', 'verify', '--checkpoints', checkpoints], server.database.env).status).toBe(0);
      // The server's own log is a file of checkpoints too.
      const log = path.join(server.database.dataDir, 'server.log');
      fs.writeFileSync(log, logged.map((line) => JSON.stringify(line)).join('\n'));
      const fromLog = runCli(['audit', 'verify', '--checkpoints', log], server.database.env);
      expect(fromLog.stdout).toContain('Audit log intact');
      expect(fromLog.status).toBe(0);

      // The DBA removes the last archived version and its chain entry, and rewinds the chain's head.
      const q = queries(server.db);
      const last = await q.selectFrom('chain_entries').selectAll().where('chain', '=', 'archive').where('ref', '=', cutId).executeTakeFirstOrThrow();
      const before = await q.selectFrom('chain_entries').selectAll().where('chain', '=', 'archive').where('seq', '=', last.seq - 1).executeTakeFirstOrThrow();
      await behindTheTriggers(server.db, dialect, 'archived_plans', async () => {
        await q.deleteFrom('archived_plans').where('id', '=', cutId).execute();
      });
      await behindTheTriggers(server.db, dialect, 'chain_entries', async () => {
        await q.deleteFrom('chain_entries').where('chain', '=', 'archive').where('seq', '>=', last.seq).execute();
      });
      // The head refuses to move backwards: that trigger goes out of the way too, and comes back.
      await behindTheTriggers(server.db, dialect, 'chain_heads', async () => {
        await q.updateTable('chain_heads').set({ seq: before.seq, mac: before.mac, key_id: before.key_id }).where('chain', '=', 'archive').execute();
      });
      // Alone, the chain cannot tell: what is left is a whole chain.
      const alone = runCli(['archive', 'verify'], server.database.env);
      expect(alone.stdout).toContain('Archive intact');
      expect(alone.status).toBe(0);
      const against = runCli(['archive', 'verify', '--checkpoints', checkpoints], server.database.env);
      expect(against.stdout).toContain(`BROKEN  the archive chain does not reach checkpoint ${last.seq}`);
      expect(against.status).toBe(1);

      // A checkpoint edited to match the cut chain no longer carries a valid signature.
      const forged = { checkpoints: downloaded.checkpoints.map((c) => (c.chain === 'archive' ? { ...c, seq: before.seq, mac: before.mac } : c)) };
      fs.writeFileSync(checkpoints, JSON.stringify(forged));
      const forgedRun = runCli(['archive', 'verify', '--checkpoints', checkpoints], server.database.env);
      expect(forgedRun.stdout).toContain(`BROKEN  checkpoint ${before.seq} of the archive chain is not signed with a known key`);
      expect(forgedRun.status).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('versions archived before the keyed chain (plain SHA-256) verify as its legacy part and are covered by it from then on', async () => {
    const database = await createTestDatabase(dialect);
    try {
      let caseId = '';
      await withDatabase(database, async (db) => {
        const { accountId } = await createUser(db, { email: 'k@example.fi', name: 'Koordinaattori', role: 'coordinator', organisation: 'Kemi', password: 'a long enough test password' });
        const q = queries(db);
        const { organisation_id } = await q.selectFrom('accounts').select('organisation_id').where('id', '=', accountId).executeTakeFirstOrThrow();
        caseId = crypto.randomUUID();
        const at = '2026-11-30T10:00:00.000Z';
        await q.insertInto('cases').values({ id: caseId, organisation_id, display_name: 'Vanha asiakas', created_by: accountId, created_at: at, birth_year: null, closed_at: null, views_moved_at: at }).execute();
        // As the code before the keyed chain wrote them.
        await q.insertInto('audit_log').values({ id: crypto.randomUUID(), at, account_id: accountId, organisation_id, case_id: caseId, action: 'case_created', details: null, ip: null, user_agent: null }).execute();
        let previousHash = '';
        for (const version of [1, 2]) {
          const state = new Uint8Array([0, 0]);
          const content = canonicalJson({
            caseId, caseName: 'Vanha asiakas', organisation: 'Kemi', version, archivedAt: at, proposalId: crypto.randomUUID(), plan: { ...emptyPlan, title: `Versio ${version}` },
            views: { wheel: null, network: [], path: { stages: [] } }, internalNotes: '', people: {}, signatures: [], agreedInMeeting: null, stateHash: sha256(state), previousHash
          });
          await q.insertInto('archived_plans').values({ id: crypto.randomUUID(), case_id: caseId, version, content, state, content_hash: sha256(content), previous_hash: previousHash, archived_at: at }).execute();
          previousHash = sha256(content);
        }
      });
      const server = await startTestServer(dialect, { database });
      try {
        const intact = runCli(['archive', 'verify'], database.env);
        expect(intact.stdout).toContain('Archive intact: 2 archived versions checked');
        expect(intact.status).toBe(0);
        expect(runCli(['audit', 'verify'], database.env).status).toBe(0);
        const kinds = await queries(server.db).selectFrom('chain_entries').select(['chain', 'kind']).orderBy('chain').orderBy('seq').execute();
        expect(kinds.filter((k) => k.chain === 'archive').map((k) => k.kind)).toEqual(['start', 'adopted', 'adopted']);
        expect(kinds.filter((k) => k.chain === 'audit').map((k) => k.kind).slice(0, 2)).toEqual(['start', 'adopted']);

        await rewriteWithPlainChain(server.db, dialect, caseId);
        const broken = runCli(['archive', 'verify'], database.env);
        expect(broken.stdout).toContain(`BROKEN  case ${caseId} version 1: changed after it was archived`);
        expect(broken.status).toBe(1);
      } finally {
        await server.stop();
      }
    } finally {
      await database.drop();
    }
  });

  it('a new key is recorded in the chain as a rotation; verify needs the older keys too; a server without the chain’s key refuses to start', async () => {
    const database = await createTestDatabase(dialect);
    const [k1, k2, k3] = [newKey(), newKey(), newKey()];
    try {
      const first = await startTestServer(dialect, { database, env: { POLKU_CHAIN_KEY: k1 } });
      const owner = await signUp(first, { organisation: 'Kemi' });
      await createCase(first.url, owner.cookie);
      await first.stop();
      const second = await startTestServer(dialect, { database, env: { POLKU_CHAIN_KEY: `${k2},${k1}` } });
      await createCase(second.url, await signIn(second.url, owner.email, owner.password));
      await second.stop();

      await withDatabase(database, async (db) => {
        const rotations = await queries(db).selectFrom('chain_entries').select(['chain', 'note', 'key_id']).where('kind', '=', 'rotation').orderBy('chain').execute();
        expect(rotations.map((r) => [r.chain, JSON.parse(r.note!)])).toEqual([
          ['archive', { from: keyId(k1), to: keyId(k2) }],
          ['audit', { from: keyId(k1), to: keyId(k2) }]
        ]);
        const lastAudit = await queries(db).selectFrom('chain_entries').select('key_id').where('chain', '=', 'audit').orderBy('seq', 'desc').executeTakeFirstOrThrow();
        expect(lastAudit.key_id).toBe(keyId(k2));
      });
      const both = runCli(['audit', 'verify'], { ...database.env, POLKU_CHAIN_KEY: `${k2},${k1}` });
      expect(both.stdout).toContain('Audit log intact');
      expect(both.status).toBe(0);
      const newestOnly = runCli(['audit', 'verify'], { ...database.env, POLKU_CHAIN_KEY: k2 });
      expect(newestOnly.stdout).toContain(`uses key ${keyId(k1)}, which is not in the key ring`);
      expect(newestOnly.status).toBe(1);
      await expect(startTestServer(dialect, { database, env: { POLKU_CHAIN_KEY: k3 } })).rejects.toThrow(/not in the key ring/);
    } finally {
      await database.drop();
    }
  });
});
