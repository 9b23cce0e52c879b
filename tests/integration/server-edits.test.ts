/**
 * Edits the server makes for someone (a meeting decision made into a plan action) answer only
 * once their own update is stored — not when the room goes quiet — and answer with an error when
 * storing it fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../../server/repositories/documents.js';
import { planNotes } from '../../shared/case-doc.js';
import { addGoal, goalActions, goalsMap } from '../../shared/plan/doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { storedDoc } from '../helpers/stored.js';
import { addTeamMember, callApi, createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';

describe.each(testDialects())('edits the server makes on %s', (dialect) => {
  let server: TestServer | null = null;
  const clients: YjsClient[] = [];
  const faults = { failAppend: false, appendDelayMs: 0 };

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    faults.failAppend = false;
    faults.appendDelayMs = 0;
    await server?.close();
    server = null;
  });

  const api = (method: string, path: string, cookie: string, body?: unknown) => callApi(server!.url, method, path, cookie, body);

  async function meetingWithDecision() {
    server = await startTestServer(dialect, {
      wrapStore: (store: DocumentStore): DocumentStore => ({
        ...store,
        load: (name) => store.load(name),
        append: async (rows) => {
          if (faults.appendDelayMs) await new Promise((resolve) => setTimeout(resolve, faults.appendDelayMs));
          if (faults.failAppend) throw new Error('simulated write failure');
          return store.append(rows);
        },
        compact: (name) => store.compact(name),
        adopt: (name, updates, accountId) => store.adopt(name, updates, accountId)
      })
    });
    const chair = await signUp(server);
    const other = await signUp(server, { role: 'coach' });
    const caseId = await createCase(server.url, chair.cookie);
    await addTeamMember(server.url, chair.cookie, caseId, other.accountId);
    const created = await api('POST', `/api/cases/${caseId}/meetings`, chair.cookie, { scheduledAt: new Date().toISOString(), invitees: [other.accountId], agenda: [] });
    expect(created.status).toBe(201);
    const meetingId = created.body.id as string;
    expect((await api('POST', `/api/meetings/${meetingId}/start`, chair.cookie)).status).toBe(200);
    const chairDoc = connectYjs(server.url, caseRoom(caseId), chair.cookie);
    clients.push(chairDoc);
    await chairDoc.synced;
    const goalId = addGoal(chairDoc.doc, { title: 'Oma asunto' });
    await waitFor(() => chairDoc.savedClock() >= chairDoc.localClock(), 5_000, 'goal stored');
    const decision = await api('POST', `/api/meetings/${meetingId}/decisions`, other.cookie, { text: 'Haetaan asumisneuvontaa' });
    expect(decision.status).toBe(201);
    return { chair, other, caseId, meetingId, goalId, chairDoc, decisionId: decision.body.id as string };
  }

  it('answers once its own update is stored, while someone keeps typing in the room', async () => {
    const { other, caseId, meetingId, goalId, chairDoc, decisionId } = await meetingWithDecision();
    // The room is never quiet: each commit takes 20 ms and the chair types every few
    // milliseconds, so there is always something waiting to be stored (for 3 s at most).
    faults.appendDelayMs = 20;
    let typing = true;
    const typist = (async () => {
      const until = performance.now() + 3_000;
      while (typing && performance.now() < until) {
        planNotes(chairDoc.doc).insert(0, 'x');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const started = performance.now();
    const made = await api('POST', `/api/meetings/${meetingId}/decisions/${decisionId}/action`, other.cookie, { goalId, responsible: '', due: '' });
    const took = performance.now() - started;
    typing = false;
    await typist;
    expect(made.status).toBe(201);
    expect(took).toBeLessThan(1_500);
    const stored = await storedDoc(server!.db, caseRoom(caseId));
    expect(goalActions(goalsMap(stored)!.get(goalId)!).get(made.body.actionId)).toBeDefined();
  });

  it('answers with an error when its update cannot be stored, and the decision stays linked to the live action', async () => {
    const { other, meetingId, goalId, decisionId } = await meetingWithDecision();
    faults.failAppend = true;
    const made = await api('POST', `/api/meetings/${meetingId}/decisions/${decisionId}/action`, other.cookie, { goalId, responsible: '', due: '' });
    expect(made.status).toBe(503);
    expect(made.body.error.code).toBe('not_stored');
    // Pressing again does not make a second action: the first is live and will be stored.
    const again = await api('POST', `/api/meetings/${meetingId}/decisions/${decisionId}/action`, other.cookie, { goalId, responsible: '', due: '' });
    expect(again.status).toBe(409);
  });
});
