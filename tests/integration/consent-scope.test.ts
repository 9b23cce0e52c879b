/**
 * A consent's scope is enforced: another organisation's member sees only the parts of the case
 * the client's consent covers, over REST and over the Yjs sockets; the owning organisation and
 * the client's own device are unaffected. Cases made before the views had their own documents
 * get them moved out of the case document once.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/services/auth-service.js';
import { moveViewsOut } from '../../server/services/view-move-service.js';
import { createDocumentStore } from '../../server/repositories/documents.js';
import { queries } from '../../server/db/kysely.js';
import type { CasePart } from '../../shared/access.js';
import type { JoinCodeView } from '../../shared/meetings.js';
import { addAction, addGoal, ensurePlan } from '../../shared/plan/doc.js';
import { planTitle } from '../../shared/case-doc.js';
import { caseRoom, viewRoom } from '../../shared/rooms.js';
import { addNode, addStage, ensureNetworkTypes, ensurePathTypes, ensureWheelTypes, nodesToJson, pathToJson } from '../../shared/views/index.js';
import { testDialects } from '../helpers/databases.js';
import { storedDoc } from '../helpers/stored.js';
import { addTeamMember, callApi, createCase, signIn, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, upgradeStatus, waitFor, type YjsClient } from '../helpers/yjs-client.js';

const ALL: CasePart[] = ['plan', 'wheel', 'network', 'path', 'meetings'];
const WITHOUT_MAP: CasePart[] = ['plan', 'wheel', 'path', 'meetings'];

describe.each(testDialects())('consent scope on %s', (dialect) => {
  let server: TestServer;
  const open: YjsClient[] = [];
  const password = 'scope password 123';
  let n = 0;

  const api = (method: string, path: string, cookie: string, body?: unknown, headers: Record<string, string> = {}) =>
    callApi(server.url, method, path, cookie, body, headers);
  const ws = () => server.url.replace(/^http/, 'ws');
  const yjs = (room: string, cookie: string): YjsClient => {
    const client = connectYjs(server.url, room, cookie);
    open.push(client);
    return client;
  };

  async function person(role: Parameters<typeof createUser>[1]['role'], organisation: string) {
    const email = `scope${++n}@example.fi`;
    const { accountId } = await createUser(server.db, { email, name: `${role} ${n}`, role, organisation, password });
    return { accountId, email, cookie: await signIn(server.url, email, password) };
  }

  async function consent(caseId: string, cookie: string, organisation: string, parts: CasePart[], note = '') {
    const organisations = (await api('GET', '/api/organisations', cookie)).body as Array<{ id: string; name: string }>;
    const organisationId = organisations.find((o) => o.name === organisation)!.id;
    return api('POST', `/api/cases/${caseId}/consents`, cookie, { basis: 'consent', organisationId, method: 'signed', scope: { parts, note } });
  }

  /**
   * A case of Kemi with a coach of Kemi and a nurse of a hospital district on its team, the
   * hospital's consent excluding the network map, and a node on the map and a goal in the plan.
   */
  async function scopedCase(parts: CasePart[] = WITHOUT_MAP) {
    const hospital = `Sairaala ${++n}`;
    const worker = await person('social_worker', 'Kemi');
    const coach = await person('coach', 'Kemi');
    const nurse = await person('psychiatric_nurse', hospital);
    const caseId = await createCase(server.url, worker.cookie, 'Rajattu asiakas');
    const recorded = await consent(caseId, worker.cookie, hospital, parts, 'Suunnitelma ja palaverit');
    expect(recorded.status).toBe(201);
    await addTeamMember(server.url, worker.cookie, caseId, coach.accountId);
    await addTeamMember(server.url, worker.cookie, caseId, nurse.accountId);
    const plan = yjs(caseRoom(caseId), worker.cookie);
    const map = yjs(viewRoom(caseId, 'network'), worker.cookie);
    await Promise.all([plan.synced, map.synced]);
    plan.doc.transact(() => {
      planTitle(plan.doc).insert(0, 'Rajattu suunnitelma');
      addAction(plan.doc, addGoal(plan.doc, { title: 'Oma asunto' }), { text: 'Asuntohakemus', responsible: 'client', due: '2027-03-01' });
    });
    addNode(map.doc, { name: 'Sisko', relation: 'sisar', sector: 'family', ring: 1 });
    await waitFor(() => plan.savedClock() >= plan.localClock() && map.savedClock() >= map.localClock(), 5_000, 'stored');
    return { worker, coach, nurse, caseId, hospital, consentId: (recorded.body as { id: string }).id };
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.close();
  });

  it('validates the scope with the shared schema and lists the parts', async () => {
    const worker = await person('social_worker', 'Kemi');
    await person('coach', 'Valo');
    const caseId = await createCase(server.url, worker.cookie);
    expect((await consent(caseId, worker.cookie, 'Valo', [])).status).toBe(400);
    expect((await consent(caseId, worker.cookie, 'Valo', ['plan', 'everything' as CasePart])).status).toBe(400);
    expect((await consent(caseId, worker.cookie, 'Valo', ['meetings', 'plan', 'plan'], 'Vain suunnitelma')).status).toBe(201);
    const listed = (await api('GET', `/api/cases/${caseId}/consents`, worker.cookie)).body as Array<{ scope: { parts: CasePart[]; note: string } }>;
    expect(listed[0]!.scope).toEqual({ parts: ['plan', 'meetings'], note: 'Vain suunnitelma' });
  });

  it("another organisation's member gets the plan but not the map, over REST and the Yjs sockets", async () => {
    const { nurse, caseId } = await scopedCase();
    const summary = (await api('GET', `/api/cases/${caseId}`, nurse.cookie)).body as { parts: CasePart[] };
    expect(summary.parts).toEqual(WITHOUT_MAP);

    expect(await upgradeStatus(`${ws()}/yjs/${caseRoom(caseId)}`, { cookie: nurse.cookie })).toBe(101);
    expect(await upgradeStatus(`${ws()}/yjs/${viewRoom(caseId, 'wheel')}`, { cookie: nurse.cookie })).toBe(101);
    expect(await upgradeStatus(`${ws()}/yjs/${viewRoom(caseId, 'path')}`, { cookie: nurse.cookie })).toBe(101);
    expect(await upgradeStatus(`${ws()}/yjs/${viewRoom(caseId, 'network')}`, { cookie: nurse.cookie })).toBe(403);

    // The plan's document carries nothing of the map.
    const plan = yjs(caseRoom(caseId), nurse.cookie);
    await plan.synced;
    expect(planTitle(plan.doc).toString()).toBe('Rajattu suunnitelma');
    expect(nodesToJson(plan.doc)).toEqual([]);
    expect(JSON.stringify(plan.doc.toJSON())).not.toContain('Sisko');
    const denied = await queries(server.db).selectFrom('audit_log').select('details').where('case_id', '=', caseId).where('action', '=', 'access_denied').execute();
    expect(denied.map((d) => d.details)).toContainEqual(expect.stringContaining(viewRoom(caseId, 'network')));
  });

  it('the owning organisation and its members are unaffected by the scope', async () => {
    const { worker, coach, caseId } = await scopedCase();
    for (const cookie of [worker.cookie, coach.cookie]) {
      expect(((await api('GET', `/api/cases/${caseId}`, cookie)).body as { parts: CasePart[] }).parts).toEqual(ALL);
      const map = yjs(viewRoom(caseId, 'network'), cookie);
      await map.synced;
      expect(nodesToJson(map.doc).map((node) => node.name)).toEqual(['Sisko']);
    }
  });

  it('an archived version read by the member leaves the map out; the owner gets it whole', async () => {
    const { worker, nurse, caseId } = await scopedCase();
    const coordinator = await person('coordinator', 'Kemi');
    const proposed = await api('POST', `/api/cases/${caseId}/proposals`, worker.cookie);
    expect(proposed.status).toBe(201);
    expect((await api('POST', `/api/proposals/${(proposed.body as { id: string }).id}/approve`, coordinator.cookie)).status).toBe(201);
    const [row] = await queries(server.db).selectFrom('archived_plans').select('id').where('case_id', '=', caseId).execute();
    const asOwner = (await api('GET', `/api/archive/${row!.id}`, worker.cookie)).body as { views: { network: Array<{ name: string }> }; withheld: string[] };
    expect(asOwner.views.network.map((node) => node.name)).toEqual(['Sisko']);
    expect(asOwner.withheld).toEqual([]);
    const asNurse = await api('GET', `/api/archive/${row!.id}`, nurse.cookie);
    expect(asNurse.status).toBe(200);
    expect(asNurse.body.plan.title).toBe('Rajattu suunnitelma');
    expect(asNurse.body.views.network).toEqual([]);
    expect(asNurse.body.withheld).toEqual(['network']);
    expect(JSON.stringify(asNurse.body)).not.toContain('Sisko');
    // The hand-over package is the version whole: not for a reader who may not see every part.
    expect((await api('GET', `/api/archive/${row!.id}/package`, worker.cookie)).status).toBe(200);
  });

  it('a consent without the meetings refuses them on REST and on Socket.IO-backed routes; without the plan, the plan', async () => {
    const { nurse, worker, caseId } = await scopedCase(['wheel', 'network']);
    expect((await api('GET', `/api/cases/${caseId}/meetings`, nurse.cookie)).status).toBe(403);
    expect((await api('GET', `/api/cases/${caseId}/history`, nurse.cookie)).status).toBe(403);
    expect((await api('GET', `/api/cases/${caseId}/finalising`, nurse.cookie)).status).toBe(403);
    expect(await upgradeStatus(`${ws()}/yjs/${caseRoom(caseId)}`, { cookie: nurse.cookie })).toBe(403);
    expect(await upgradeStatus(`${ws()}/yjs/${caseRoom(caseId)}:internal`, { cookie: nurse.cookie })).toBe(403);
    expect(await upgradeStatus(`${ws()}/yjs/${viewRoom(caseId, 'network')}`, { cookie: nurse.cookie })).toBe(101);
    expect((await api('GET', `/api/cases/${caseId}/meetings`, worker.cookie)).status).toBe(200);
  });

  it('withdrawing the wider of two consents closes the map connection and keeps the plan', async () => {
    const { worker, nurse, caseId, hospital, consentId } = await scopedCase(ALL);
    expect((await consent(caseId, worker.cookie, hospital, ['plan'])).status).toBe(201);
    const plan = yjs(caseRoom(caseId), nurse.cookie);
    const map = yjs(viewRoom(caseId, 'network'), nurse.cookie);
    await Promise.all([plan.synced, map.synced]);
    let mapClosed = 0;
    let planClosed = 0;
    map.provider.ws!.addEventListener('close', (event) => (mapClosed = event.code));
    plan.provider.ws!.addEventListener('close', (event) => (planClosed = event.code));
    expect((await api('POST', `/api/cases/${caseId}/consents/${consentId}/withdraw`, worker.cookie)).status).toBe(200);
    await waitFor(() => mapClosed !== 0, 1_000, 'the map connection to close');
    expect(mapClosed).toBe(4403);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(planClosed).toBe(0);
    expect(await upgradeStatus(`${ws()}/yjs/${viewRoom(caseId, 'network')}`, { cookie: nurse.cookie })).toBe(403);
  });

  it("the client's own device reads their wheel, map and path, read-only, whatever the consents", async () => {
    const { worker, caseId } = await scopedCase();
    const meeting = await api('POST', `/api/cases/${caseId}/meetings`, worker.cookie, { scheduledAt: new Date().toISOString() });
    const meetingId = (meeting.body as { id: string }).id;
    expect((await api('POST', `/api/meetings/${meetingId}/start`, worker.cookie)).status).toBe(200);
    const code = (await api('POST', `/api/meetings/${meetingId}/join-codes`, worker.cookie, {})).body as JoinCodeView;
    const joined = await api('POST', '/api/join', '', { code: code.code });
    expect(joined.status).toBe(201);
    const cookie = joined.setCookie!.split(';')[0]!;
    const lobby = (await api('GET', `/api/meetings/${meetingId}/guests`, worker.cookie)).body as Array<{ id: string }>;
    expect((await api('POST', `/api/meetings/${meetingId}/guests/${lobby[0]!.id}/admit`, worker.cookie)).status).toBe(200);

    expect(await upgradeStatus(`${ws()}/yjs/${caseRoom(caseId)}:internal`, { cookie })).toBe(404);
    const map = yjs(viewRoom(caseId, 'network'), cookie);
    const path = yjs(viewRoom(caseId, 'path'), cookie);
    await Promise.all([map.synced, path.synced]);
    expect(nodesToJson(map.doc).map((node) => node.name)).toEqual(['Sisko']);
    // Its own edits are dropped by the server.
    addStage(path.doc, { kind: 'referral', date: '2026-01-01', source: 'self' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pathToJson(server.registry.peek(viewRoom(caseId, 'path'))!.doc).stages).toEqual([]);
  });

  it('moves the views of a case made before they had their own documents, once, however many instances try', async () => {
    const worker = await person('social_worker', 'Kemi');
    const caseId = await createCase(server.url, worker.cookie, 'Vanha asiakas');
    // As such a case was: the views inside the case document, the case not marked as moved.
    const old = new Y.Doc();
    ensurePlan(old);
    ensureWheelTypes(old);
    ensureNetworkTypes(old);
    ensurePathTypes(old);
    planTitle(old).insert(0, 'Vanha suunnitelma');
    addNode(old, { name: 'Mummo', relation: 'isoäiti', sector: 'family', ring: 1 });
    addStage(old, { kind: 'referral', date: '2025-05-01', source: 'school' });
    await createDocumentStore(server.db).append([{ docName: caseRoom(caseId), data: Y.encodeStateAsUpdate(old), accountId: null }]);
    await queries(server.db).updateTable('cases').set({ views_moved_at: null }).where('id', '=', caseId).execute();

    // Two instances starting at once: one of them moves it.
    const moved = await Promise.all([moveViewsOut(server.db), moveViewsOut(server.db)]);
    expect(moved[0]! + moved[1]!).toBe(1);
    expect(await moveViewsOut(server.db)).toBe(0);

    const plan = await storedDoc(server.db, caseRoom(caseId));
    expect(planTitle(plan).toString()).toBe('Vanha suunnitelma');
    expect(plan.getMap('network').size).toBe(0);
    expect(plan.getMap('path').size).toBe(0);
    expect(JSON.stringify(plan.toJSON())).not.toContain('Mummo');
    expect(nodesToJson(await storedDoc(server.db, viewRoom(caseId, 'network'))).map((node) => node.name)).toEqual(['Mummo']);
    expect(pathToJson(await storedDoc(server.db, viewRoom(caseId, 'path'))).stages.map((s) => s.source)).toEqual(['school']);

    // And the member reads the moved map from its own document.
    const map = yjs(viewRoom(caseId, 'network'), worker.cookie);
    await map.synced;
    expect(nodesToJson(map.doc).map((node) => node.name)).toEqual(['Mummo']);
  });
});
