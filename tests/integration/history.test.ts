import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTitle } from '../../shared/case-doc.js';
import { addGoal } from '../../shared/plan/doc.js';
import { caseRoom } from '../../shared/rooms.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';

describe.each(testDialects())('plan history on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { POLKU_UNLOAD_AFTER_MS: '100', POLKU_COMPACT_AFTER_UPDATES: '5' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists who changed the plan when, per person, and shows the plan as it was, also after compaction', async () => {
    const sanna = await signUp(server);
    const ville = await signUp(server, { role: 'coach' });
    const caseId = await createCase(server.url, sanna.cookie);
    await addTeamMember(server.url, sanna.cookie, caseId, ville.accountId);

    const a = connectYjs(server.url, caseRoom(caseId), sanna.cookie);
    await a.synced;
    planTitle(a.doc).insert(0, 'Ensimmäinen otsikko');
    await waitFor(() => a.savedClock() >= a.localClock(), 2_000, 'saved');
    const b = connectYjs(server.url, caseRoom(caseId), ville.cookie);
    await b.synced;
    for (let i = 0; i < 8; i++) addGoal(b.doc, { title: `Villen tavoite ${i}` });
    await waitFor(() => b.savedClock() >= b.localClock(), 2_000, 'saved');
    a.destroy();
    b.destroy();
    await waitFor(() => server.registry.peek(caseRoom(caseId)) === undefined, 3_000, 'unload and compaction');

    const history = (await (await fetch(`${server.url}/api/cases/${caseId}/history`, { headers: { cookie: sanna.cookie } })).json()) as Array<{
      name: string;
      updates: number;
      untilSeq: number;
    }>;
    const nameOf = async (cookie: string) => ((await (await fetch(`${server.url}/api/me`, { headers: { cookie } })).json()) as { name: string }).name;
    const [sannaName, villeName] = [await nameOf(sanna.cookie), await nameOf(ville.cookie)];
    // Newest first: Ville's session of eight goals, then Sanna's title.
    expect(history[0]).toMatchObject({ name: villeName });
    expect(history[0]!.updates).toBeGreaterThanOrEqual(8);
    const sannasSession = history.find((h) => h.name === sannaName)!;
    expect(sannasSession).toBeDefined();

    const before = (await (await fetch(`${server.url}/api/cases/${caseId}/history/${sannasSession.untilSeq}`, { headers: { cookie: sanna.cookie } })).json()) as {
      title: string;
      goals: unknown[];
    };
    expect(before.title).toBe('Ensimmäinen otsikko');
    expect(before.goals).toHaveLength(0);
    const latest = (await (await fetch(`${server.url}/api/cases/${caseId}/history/${history[0]!.untilSeq}`, { headers: { cookie: sanna.cookie } })).json()) as {
      goals: unknown[];
    };
    expect(latest.goals).toHaveLength(8);

    const stranger = await signUp(server, { organisation: 'Muu' });
    expect((await fetch(`${server.url}/api/cases/${caseId}/history`, { headers: { cookie: stranger.cookie } })).status).toBe(404);
  });
});
