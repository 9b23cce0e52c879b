/**
 * The archived documents carry everything the plan holds. For every plan type, a fully filled
 * plan (with the client's own entries from a meeting, the views and internal notes) is archived
 * through the API; the official PDF is read back field by field against the plan, the client's
 * copy must say the agreed service in plain words and hold no internal content, and every
 * character either PDF prints must be in the embedded font.
 */
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalNotes } from '../../shared/case-doc.js';
import { FINNISH_TIME_ZONE, finnishToday, addDays } from '../../shared/finnish-time.js';
import type { JoinCodeView } from '../../shared/meetings.js';
import { PLAN_TYPES, planFromJson, type PlanJson, type PlanType } from '../../shared/plan/index.js';
import { caseRoom, internalRoom, viewRoom } from '../../shared/rooms.js';
import { addNode, addStage } from '../../shared/views/index.js';
import { FONT_BOLD, FONT_REGULAR, fi } from '../../server/services/document-assets.js';
import type { ArchiveContent } from '../../server/services/archive-service.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, callApi, createCase, signUp, startTestServer, type TestServer } from '../helpers/server.js';
import { pdfText } from '../helpers/pdf.js';
import { connectYjs, waitFor, type YjsClient } from '../helpers/yjs-client.js';

/** The text as one line: wrapped lines and page breaks do not split a value. */
const flat = (text: string) => text.replace(/-- \d+ of \d+ --/g, ' ').replace(/\s+/g, ' ');

const longDay = (day: string) => new Intl.DateTimeFormat('fi-FI', { dateStyle: 'long', timeZone: FINNISH_TIME_ZONE }).format(new Date(`${day}T12:00:00Z`));

/**
 * Characters of `text` that the bundled fonts (regular and bold) have no glyph for. A missing
 * glyph reads back from the PDF as U+0000, which fontkit maps to a blank glyph: control
 * characters count as missing.
 */
function missingGlyphs(text: string): string[] {
  const doc = new PDFDocument();
  const fonts = [FONT_REGULAR, FONT_BOLD].map((data) => (doc.font(data) as unknown as { _font: { font: { hasGlyphForCodePoint(cp: number): boolean } } })._font.font);
  const chars = [...new Set(text.replace(/\s/g, ''))];
  return chars.filter((ch) => ch.codePointAt(0)! < 0x20 || fonts.some((font) => !font.hasGlyphForCodePoint(ch.codePointAt(0)!))).map((ch) => `U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Every field filled, with values that can be found in a document's text. */
function filledPlan(type: PlanType, coachId: string, workerId: string): PlanJson {
  return {
    title: 'Kohti omaa arkea',
    notes: 'PALAVERIMUISTIO-4411',
    types: [type],
    clientWords: 'Haluan tekemistä joka päivä.',
    strengths: 'Hyvä huumorintaju ja kiinnostus puutöihin.',
    nextReview: '2027-02-15',
    followUpDate: '2027-03-01',
    service: { contractType: 'rehabilitative_work_activity', startDate: '2027-01-07', endDate: '2027-06-30', daysPerWeek: 3, hoursPerDay: 4, place: 'Valon puuverstas' },
    activation: {
      educationHistory: 'Peruskoulu, keskeytynyt ammattikoulu.',
      earlierServices: 'Ohjaamo antoi hyvän kontaktin.',
      earlierPlans: 'Edellinen suunnitelma jäi kesken.',
      goal: 'Päivärytmi ja ryhmässä toimiminen.',
      support: 'Valmentaja kulkee mukana alussa.'
    },
    goals: [
      {
        id: 'goal-rhythm',
        title: 'Säännöllinen päivärytmi',
        description: 'Herääminen arkisin kello 8.',
        lifeArea: 'daily_life',
        status: 'in_progress',
        clientStance: 'agree',
        clientReason: '',
        professionalReason: '',
        actions: [
          { id: 'action-clock', text: 'Herätyskello käyttöön', responsible: 'client', due: '2027-01-15', status: 'in_progress', doneDate: '' },
          { id: 'action-coach', text: 'Viikoittainen tapaaminen', responsible: coachId, due: '2027-01-31', status: 'planned', doneDate: '' }
        ]
      },
      {
        id: 'goal-trial',
        title: 'Työkokeilu keväällä',
        description: 'Lyhyt kokeilu puuverstaalla.',
        lifeArea: 'work',
        status: 'open',
        clientStance: 'disagree',
        clientReason: 'En ole vielä valmis.',
        professionalReason: 'AMMATTILAISTEN-PERUSTELU-19',
        actions: [{ id: 'action-visit', text: 'Tutustumiskäynti', responsible: workerId, due: '2027-03-01', status: 'planned', doneDate: '' }]
      }
    ]
  };
}

describe.each(testDialects())('the archived documents of every plan type on %s', (dialect) => {
  let server: TestServer;
  const open: YjsClient[] = [];
  const api = (method: string, path: string, cookie: string, body?: unknown) => callApi(server.url, method, path, cookie, body);

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.close();
  });

  const connected = async (room: string, cookie: string) => {
    const client = connectYjs(server.url, room, cookie);
    open.push(client);
    await client.synced;
    return client;
  };
  const stored = (client: YjsClient) => waitFor(() => client.savedClock() >= client.localClock(), 5_000, 'stored');

  /** A case whose plan is `filledPlan(type)`, with the client's entries from a meeting, the views and internal notes; archived. */
  async function archivedPlan(type: PlanType) {
    const organisation = `Hyvinvointialue ${crypto.randomUUID().slice(0, 6)}`;
    const worker = await signUp(server, { organisation });
    const coach = await signUp(server, { role: 'coach', organisation });
    const coordinator = await signUp(server, { role: 'coordinator', organisation });
    const caseId = await createCase(server.url, worker.cookie, 'Asiakas Aino');
    await addTeamMember(server.url, worker.cookie, caseId, coach.accountId);

    const plan = filledPlan(type, coach.accountId, worker.accountId);
    const doc = await connected(caseRoom(caseId), worker.cookie);
    planFromJson(plan, doc.doc);
    const internal = await connected(internalRoom(caseId), worker.cookie);
    internalNotes(internal.doc).insert(0, 'SISÄINEN-MERKKI-7731');
    const path = await connected(viewRoom(caseId, 'path'), worker.cookie);
    addStage(path.doc, { kind: 'referral', date: addDays(finnishToday(), -30), source: 'social_services' });
    addStage(path.doc, { kind: 'agreement', date: addDays(finnishToday(), -1), contractType: 'rehabilitative_work_activity' });
    const network = await connected(viewRoom(caseId, 'network'), worker.cookie);
    addNode(network.doc, { name: 'VERKOSTO-SISKO', sector: 'family' });
    await Promise.all([doc, internal, path, network].map(stored));

    // The client's own words, from their phone in a meeting.
    const meeting = (await api('POST', `/api/cases/${caseId}/meetings`, worker.cookie, { scheduledAt: new Date().toISOString() })).body as { id: string };
    expect((await api('POST', `/api/meetings/${meeting.id}/start`, worker.cookie)).status).toBe(200);
    const code = (await api('POST', `/api/meetings/${meeting.id}/join-codes`, worker.cookie, {})).body as JoinCodeView;
    const joined = await fetch(`${server.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code }) });
    expect(joined.status).toBe(201);
    const guest = (joined.headers.get('set-cookie') ?? '').split(';')[0]!;
    const [waiting] = (await api('GET', `/api/meetings/${meeting.id}/guests`, worker.cookie)).body as Array<{ id: string }>;
    expect((await api('POST', `/api/meetings/${meeting.id}/guests/${waiting!.id}/admit`, worker.cookie)).status).toBe(200);
    const voice = [
      { kind: 'wish', text: 'Toivon aamupäivävuoroja.' },
      { kind: 'comment', goalId: 'goal-trial', text: 'Ehkä syksyllä.' },
      { kind: 'stance', goalId: 'goal-rhythm', actionId: 'action-coach', stance: 'agree' },
      { kind: 'stance', goalId: 'goal-trial', actionId: 'action-visit', stance: 'disagree' }
    ];
    for (const entry of voice) expect((await api('POST', '/api/guest/voice', guest, entry)).status).toBe(201);
    expect((await api('POST', `/api/meetings/${meeting.id}/end`, worker.cookie)).status).toBe(200);

    const proposed = await api('POST', `/api/cases/${caseId}/proposals`, worker.cookie);
    expect(proposed.status).toBe(201);
    const proposalId = (proposed.body as { id: string }).id;
    expect((await api('POST', `/api/proposals/${proposalId}/confirm`, coach.cookie)).status).toBe(200);
    const approved = await api('POST', `/api/proposals/${proposalId}/approve`, coordinator.cookie);
    expect(approved.status).toBe(201);
    const archivedId = (approved.body as { id: string }).id;
    const content = (await api('GET', `/api/archive/${archivedId}`, worker.cookie)).body as ArchiveContent;
    const pdf = async (copy: 'official' | 'client') => {
      const response = await fetch(`${server.url}/api/archive/${archivedId}/pdf?copy=${copy}`, { headers: { cookie: worker.cookie } });
      expect(response.status).toBe(200);
      return pdfText(new Uint8Array(await response.arrayBuffer()));
    };
    return { plan, content, official: await pdf('official'), client: await pdf('client'), names: (id: string) => content.people[id]!.name, organisation };
  }

  it.each(PLAN_TYPES.map((type) => [type]))('%s: the official PDF carries every field; the client copy says the agreed service plainly and nothing internal', async (type) => {
    const { plan, content, official: raw, client: rawClient, names, organisation } = await archivedPlan(type);
    const official = flat(raw);
    const field = (label: string, value: string) => expect(official, label).toContain(`${fi(label)}: ${value}`);

    // The heading names the plan type by its legal name and its law.
    expect(official).toContain(fi(`plan_type_${type}`));
    expect(official).toContain(fi(`plan_law_${type}`));
    field('case_plan_title', plan.title);
    for (const [heading, text] of [['plan_client_words', plan.clientWords], ['plan_strengths', plan.strengths]] as const) {
      expect(official).toContain(fi(heading));
      expect(official).toContain(text);
    }
    // Goals with their actions, who is responsible and when; the client's view of each goal, and both reasons of a disagreement.
    for (const [i, goal] of plan.goals.entries()) {
      expect(official).toContain(`${i + 1}. ${goal.title}`);
      expect(official).toContain(goal.description);
      field('plan_goal_life_area', fi(`life_area_${goal.lifeArea}`));
      field('plan_goal_status', fi(`goal_status_${goal.status}`));
      field('plan_stance_legend', fi(`plan_stance_${goal.clientStance}`));
      for (const action of goal.actions) {
        const who = action.responsible === 'client' ? fi('plan_action_responsible_client') : names(action.responsible);
        expect(official).toContain(`${action.text} — ${who} · ${longDay(action.due)} (${fi(`action_status_${action.status}`)})`);
      }
    }
    field('plan_client_reason', plan.goals[1]!.clientReason);
    field('plan_professional_reason', plan.goals[1]!.professionalReason);
    // What the client said in the meeting: a wish, a comment on a goal, agreeing and not agreeing with actions.
    expect(official).toContain(fi('plan_client_wishes'));
    expect(official).toContain('Toivon aamupäivävuoroja.');
    field('plan_client_comments', 'Ehkä syksyllä.');
    expect(official).toContain(`Viikoittainen tapaaminen — ${names(plan.goals[0]!.actions[1]!.responsible)}`);
    expect(official).toContain(fi('plan_client_agrees'));
    expect(official).toContain(fi('plan_client_disagrees'));
    // The agreed service.
    field('plan_contract_type', fi('contract_rehabilitative_work_activity'));
    field('plan_place', plan.service.place);
    field('plan_view_period', `${longDay(plan.service.startDate)} – ${longDay(plan.service.endDate)}`);
    field('plan_days_per_week', '3');
    field('plan_hours_per_day', '4');
    // The activation plan's own fields, only where the plan is one.
    const activationFields = Object.entries(plan.activation).map(([key, value]) => [`plan_activation_${key}`, value] as const);
    if (type === 'activation_plan') {
      for (const [label, value] of activationFields) field(label, value);
      field('plan_follow_up', longDay(plan.followUpDate));
    } else {
      for (const [, value] of activationFields) expect(official).not.toContain(value);
    }
    field('plan_next_review', longDay(plan.nextReview));
    expect(official).toContain(`${fi('case_notes')} ${plan.notes}`);
    // Who proposed, confirmed and approved; the internal notes and the network map (official copy only).
    for (const s of content.signatures) expect(official).toContain(s.name);
    expect(official).toContain('SISÄINEN-MERKKI-7731');
    expect(official).toContain('VERKOSTO-SISKO');

    const client = flat(rawClient);
    expect(client).toContain(fi('client_service_place', { place: plan.service.place }));
    expect(client).toContain(fi('client_service_days', { days: '3' }));
    expect(client).toContain(fi('client_service_hours', { hours: '4' }));
    expect(client).toContain(fi('client_service_period', { start: longDay(plan.service.startDate), end: longDay(plan.service.endDate) }));
    const responsible = content.signatures.find((s) => s.step === 'proposed')!;
    expect(client).toContain(fi('client_contact', { name: responsible.name, organisation }));
    for (const internal of ['SISÄINEN-MERKKI-7731', 'AMMATTILAISTEN-PERUSTELU-19', 'VERKOSTO-SISKO', 'PALAVERIMUISTIO-4411']) expect(client).not.toContain(internal);

    // Every character printed is in the font (a missing glyph prints as an empty box and reads back as U+0000).
    expect(missingGlyphs(raw + rawClient)).toEqual([]);
  }, 60_000);
});
