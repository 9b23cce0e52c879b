/**
 * The wheel and the network map under concurrent edits through the real server: two people
 * moving the same node, or scoring the same area, at the same moment converge on one of the
 * two values — never a mix, never a duplicate. And a meeting's end keeps a version of the map.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewRoom, type ViewKind } from '../../shared/rooms.js';
import {
  ESY_TEMPLATE,
  addNode,
  addRound,
  moveNode,
  networkToJson,
  setScore,
  setWheelTemplate,
  wheelToJson
} from '../../shared/views/index.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';

describe.each(testDialects())('the wheel and the network map on %s', (dialect) => {
  let server: TestServer;
  const open: YjsClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.close();
  });

  /** Two people editing one of the case's views (each view is its own document). */
  async function twoEditors(view: ViewKind): Promise<{ a: YjsClient; b: YjsClient; caseId: string; cookie: string }> {
    const one = await signUp(server);
    const two = await signUp(server, { role: 'coach' });
    const caseId = await createCase(server.url, one.cookie);
    await addTeamMember(server.url, one.cookie, caseId, two.accountId);
    const a = connectYjs(server.url, viewRoom(caseId, view), one.cookie);
    const b = connectYjs(server.url, viewRoom(caseId, view), two.cookie);
    open.push(a, b);
    await Promise.all([a.synced, b.synced]);
    return { a, b, caseId, cookie: one.cookie };
  }

  const same = (a: YjsClient, b: YjsClient, read: (c: YjsClient) => unknown) => JSON.stringify(read(a)) === JSON.stringify(read(b));

  it('two people moving the same node at once end with one of the two positions, and one node', async () => {
    const { a, b } = await twoEditors('network');
    const id = addNode(a.doc, { name: 'Sisko', sector: 'family', pos: { ring: 2, angle: 0.5 } });
    await waitFor(() => networkToJson(b.doc).nodes.length === 1, 2_000, 'node on B');
    for (let round = 0; round < 10; round++) {
      const fromA = { ring: 1, angle: 0.1 + round * 0.01 };
      const fromB = { ring: 3, angle: 0.9 - round * 0.01 };
      // Both move before either hears of the other's move.
      moveNode(a.doc, id, fromA);
      moveNode(b.doc, id, fromB);
      await waitFor(() => same(a, b, (c) => networkToJson(c.doc).nodes), 2_000, 'convergence');
      const nodes = networkToJson(a.doc).nodes;
      expect(nodes).toHaveLength(1);
      expect([fromA, fromB]).toContainEqual(nodes[0]!.pos);
    }
  });

  it('two people scoring the same area at once end with one of the two scores', async () => {
    const { a, b } = await twoEditors('wheel');
    setWheelTemplate(a.doc, ESY_TEMPLATE);
    const roundId = addRound(a.doc, '2026-12-01');
    await waitFor(() => (wheelToJson(b.doc)?.rounds.length ?? 0) === 1, 2_000, 'round on B');
    for (let i = 0; i < 10; i++) {
      setScore(a.doc, roundId, 'professional', 'housing', 2);
      setScore(b.doc, roundId, 'professional', 'housing', 4);
      await waitFor(() => same(a, b, (c) => wheelToJson(c.doc)), 2_000, 'convergence');
      const wheel = wheelToJson(a.doc)!;
      expect(wheel.rounds).toHaveLength(1);
      expect([2, 4]).toContain(wheel.rounds[0]!.scores.housing);
    }
  });

  it('keeps a version of the network map when a meeting ends', async () => {
    const { a, caseId, cookie } = await twoEditors('network');
    addNode(a.doc, { name: 'Ohjaamo', sector: 'professionals' });
    await waitFor(() => a.savedClock() >= a.localClock(), 2_000, 'stored');
    const post = (path: string, body: unknown = {}) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    const meeting = (await (await post(`/api/cases/${caseId}/meetings`, { scheduledAt: new Date().toISOString() })).json()) as { id: string };
    expect((await post(`/api/meetings/${meeting.id}/start`)).status).toBe(200);
    expect((await post(`/api/meetings/${meeting.id}/end`)).status).toBe(200);
    await waitFor(() => networkToJson(a.doc).versions.length === 1, 2_000, 'version on A');
    const version = networkToJson(a.doc).versions[0]!;
    expect(version.meetingId).toBe(meeting.id);
    expect(version.nodes.map((n) => n.name)).toEqual(['Ohjaamo']);
  });
});

describe.each(testDialects())('assessment-wheel templates on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    await server.close();
  });

  it('a coordinator defines a template for the organisation; others in it can use it, other organisations never see it', async () => {
    const coordinator = await signUp(server, { role: 'coordinator', organisation: 'Kemi' });
    const worker = await signUp(server, { organisation: 'Kemi' });
    const elsewhere = await signUp(server, { organisation: 'Tornio' });
    const call = (method: string, path: string, cookie: string, body?: unknown) =>
      fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });
    const body = { name: 'Työkykymittari', min: 0, max: 10, areas: ['Terveys', 'Osaaminen', 'Motivaatio', 'Arki'] };
    expect((await call('POST', '/api/wheel-templates', worker.cookie, body)).status).toBe(403);
    const bad = await call('POST', '/api/wheel-templates', coordinator.cookie, { ...body, max: 12 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('the scale goes up to 4–10');
    const created = await call('POST', '/api/wheel-templates', coordinator.cookie, body);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const list = (await (await call('GET', '/api/wheel-templates', worker.cookie)).json()) as { templates: Array<{ id: string; areas: Array<{ label: string }> }>; canManage: boolean };
    expect(list.canManage).toBe(false);
    expect(list.templates.map((t) => t.id)).toEqual(['esy', 'youth', id]);
    expect(list.templates[2]!.areas.map((a) => a.label)).toEqual(body.areas);
    const other = (await (await call('GET', '/api/wheel-templates', elsewhere.cookie)).json()) as { templates: Array<{ id: string }> };
    expect(other.templates.map((t) => t.id)).toEqual(['esy', 'youth']);

    expect((await call('DELETE', `/api/wheel-templates/${id.slice(4)}`, coordinator.cookie)).status).toBe(200);
    const after = (await (await call('GET', '/api/wheel-templates', worker.cookie)).json()) as { templates: Array<{ id: string }> };
    expect(after.templates.map((t) => t.id)).toEqual(['esy', 'youth']);
  });
});
