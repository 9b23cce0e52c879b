/**
 * The follow-up report against the demo data, with every figure computed here independently:
 * a plain SQL count for the demographics, and the documents read raw (their Y.Maps, not the
 * app's JSON functions) for referrals and outcomes. The exports apply the small-number rule.
 */
import { sql } from 'kysely';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../server/services/demo-service.js';
import { testDialects } from '../helpers/databases.js';
import { signIn, startTestServer, type TestServer } from '../helpers/server.js';
import { queries } from '../../server/db/kysely.js';

describe.each(testDialects())('follow-up reports on %s', (dialect) => {
  let server: TestServer;
  let cookie: string;
  let organisationId: string;
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    server = await startTestServer(dialect);
    const demo = await seedDemo(server.db);
    cookie = await signIn(server.url, 'kaisa@kemi.example', demo.password);
    organisationId = (await queries(server.db).selectFrom('accounts').select('organisation_id').where('email', '=', 'kaisa@kemi.example').executeTakeFirstOrThrow()).organisation_id;
  });
  afterAll(async () => {
    await server.close();
  });

  /** Each case's guidance path document of the organisation, rebuilt from the stored rows. */
  async function rawStages(): Promise<Array<Array<{ kind: string; date: string; source: string; outcome: string }>>> {
    const cases = await queries(server.db).selectFrom('cases').select('id').where('organisation_id', '=', organisationId).execute();
    const result = [];
    for (const c of cases) {
      const rows = await queries(server.db).selectFrom('document_updates').select('data').where('doc_name', '=', `case:${c.id}:path`).orderBy('seq').execute();
      const doc = new Y.Doc();
      for (const row of rows) Y.applyUpdate(doc, row.data);
      const stages = doc.getMap('path').get('stages') as Y.Map<Y.Map<unknown>>;
      result.push([...stages.values()].map((s) => ({ kind: String(s.get('kind')), date: String(s.get('date')), source: String(s.get('source')), outcome: String(s.get('outcome')) })));
    }
    return result;
  }

  it('counts clients, referrals, demographics and outcomes as the data says', async () => {
    const response = await fetch(`${server.url}/api/reports?from=${from}&to=${today}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      clientsInService: number;
      byGender: Record<string, number>;
      newReferrals: Record<string, number>;
      outcomes: Record<string, number>;
      byAgeGroup: Record<string, number>;
      wheelChange: Array<{ areaId: string; clients: number }>;
    };

    const genders = await sql<{ gender: string; n: number }>`SELECT gender, COUNT(*) AS n FROM cases WHERE organisation_id = ${organisationId} GROUP BY gender`.execute(queries(server.db));
    const expectedGender = Object.fromEntries(genders.rows.map((r) => [r.gender, Number(r.n)]));
    const total = genders.rows.reduce((s, r) => s + Number(r.n), 0);
    // Every demo client was referred within the year and none had moved on before it began.
    expect(report.clientsInService).toBe(total);
    for (const [gender, n] of Object.entries(report.byGender)) expect(n, gender).toBe(expectedGender[gender] ?? 0);
    const withoutBirthYear = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM cases WHERE organisation_id = ${organisationId} AND birth_year IS NULL`.execute(queries(server.db));
    expect(report.byAgeGroup.unknown).toBe(Number(withoutBirthYear.rows[0]!.n));

    const stages = await rawStages();
    const referrals: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    for (const path of stages) {
      for (const s of path) {
        if (s.kind === 'referral' && s.date >= from && s.date <= today) referrals[s.source] = (referrals[s.source] ?? 0) + 1;
        if (s.kind === 'next_path' && s.outcome && s.date >= from && s.date <= today) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
      }
    }
    for (const [source, n] of Object.entries(report.newReferrals)) expect(n, source).toBe(referrals[source] ?? 0);
    for (const [outcome, n] of Object.entries(report.outcomes)) expect(n, outcome).toBe(outcomes[outcome] ?? 0);
    expect(Object.values(outcomes).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
    // Every demo client has two rounds: every area's change covers them all.
    expect(report.wheelChange.every((w) => w.clients === total)).toBe(true);
  });

  it('masks counts under five in the CSV and the PDF export, and audits both', async () => {
    const report = (await (await fetch(`${server.url}/api/reports?from=${from}&to=${today}`, { headers: { cookie } })).json()) as { byGender: Record<string, number> };
    const small = Object.entries(report.byGender).find(([, n]) => n > 0 && n < 5);
    expect(small).toBeDefined();
    const csv = await (await fetch(`${server.url}/api/reports/csv?from=${from}&to=${today}`, { headers: { cookie } })).text();
    const genderLabel = { female: 'nainen', male: 'mies', other: 'muu', unknown: 'ei tiedossa' }[small![0]]!;
    const line = csv.split('\n').find((l) => l.startsWith('Sukupuoli,') && l.includes(`,${genderLabel},`));
    expect(line).toBe(`Sukupuoli,${genderLabel},<5`);
    // No count of 1–4 anywhere (the wheel's mean changes and the average days are not counts).
    const countLines = csv.split('\n').filter((l) => !l.startsWith('Arvioinnin muutos') && !l.startsWith('Keskimääräinen aika'));
    expect(countLines.filter((l) => /,[1-4]\r?$/.test(l))).toEqual([]);
    const pdf = await fetch(`${server.url}/api/reports/pdf?from=${from}&to=${today}`, { headers: { cookie } });
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const audited = await queries(server.db).selectFrom('audit_log').select('details').where('action', '=', 'export').execute();
    expect(audited.map((a) => JSON.parse(a.details!).format).sort()).toEqual(['csv', 'pdf']);
    expect((await fetch(`${server.url}/api/reports?from=${today}&to=${from}`, { headers: { cookie } })).status).toBe(400);
  });
});
