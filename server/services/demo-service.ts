/** Fictional demo data, so a new user can try the multi-agency flow at once. */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { ESY_TEMPLATE, addNode, addRound, addStage, ensureView, setScore, setWheelTemplate } from '../../shared/views/index.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now, nowMs, today } from '../db/time.js';
import { addMonths, finnishYear } from '../../shared/finnish-time.js';
import { AppError } from '../errors.js';
import { countAccounts, insertAccount } from '../repositories/accounts.js';
import { insertCase } from '../repositories/cases.js';
import { insertMember } from '../repositories/case-members.js';
import { insertConsent } from '../repositories/consents.js';
import { createDocumentStore } from '../repositories/documents.js';
import { insertOrganisation } from '../repositories/organisations.js';
import { planFromJson, type PlanJson } from '../../shared/plan/json.js';
import type { OrganisationKind } from '../../shared/access.js';
import { VIEW_KINDS, caseRoom, viewRoom, type ViewKind } from '../../shared/rooms.js';
import type { Role } from '../../shared/roles.js';
import { hashPassword } from './passwords.js';

// As organised since 2025: social and health services by the wellbeing services county (since 2023),
// public employment services by the municipalities' employment area (the TE offices closed on 1 January 2025).
const ORGANISATIONS: Array<{ key: string; name: string; kind: OrganisationKind }> = [
  { key: 'social', name: 'Lapin hyvinvointialue, sosiaalipalvelut', kind: 'municipal_social_services' },
  { key: 'health', name: 'Lapin hyvinvointialue, psykiatria', kind: 'health_care' },
  { key: 'te', name: 'Meri-Lapin työllisyysalue', kind: 'employment_services' },
  { key: 'coach', name: 'Valo-Valmennusyhdistys ry', kind: 'third_sector' }
];

const PEOPLE: Array<{ org: string; role: Role; name: string; email: string }> = [
  { org: 'social', role: 'admin', name: 'Pirjo Pääkäyttäjä', email: 'admin@kemi.example' },
  { org: 'social', role: 'coordinator', name: 'Kaisa Koordinaattori', email: 'kaisa@kemi.example' },
  { org: 'social', role: 'social_worker', name: 'Sanna Sosiaalityöntekijä', email: 'sanna@kemi.example' },
  { org: 'social', role: 'social_worker', name: 'Olli Ohjaaja', email: 'olli@kemi.example' },
  { org: 'social', role: 'observer', name: 'Tiina Tarkkailija', email: 'tiina@kemi.example' },
  { org: 'health', role: 'admin', name: 'Heikki Hallinto', email: 'admin@lph.example' },
  { org: 'health', role: 'psychiatric_nurse', name: 'Hanna Hoitaja', email: 'hanna@lph.example' },
  { org: 'te', role: 'te_expert', name: 'Teemu Työllisyysasiantuntija', email: 'teemu@merilappi.example' },
  { org: 'coach', role: 'coach', name: 'Vilma Valmentaja', email: 'vilma@valo.example' },
  { org: 'coach', role: 'coach', name: 'Ville Valmentaja', email: 'ville@valo.example' }
];

const CLIENTS = ['Aino K.', 'Eetu L.', 'Jenni M.', 'Juho N.', 'Laura P.', 'Mikko R.', 'Noora S.', 'Oskari T.', 'Pinja V.', 'Roope H.', 'Sara J.', 'Topias A.'];
const TITLES = ['Kohti omaa arkea', 'Työkokeiluun syksyllä', 'Opiskelupaikka löytyy', 'Päivärytmi kuntoon', 'Oma koti ja talous hallintaan', 'Palkkatukityöhön'];

export interface DemoResult {
  password: string;
  people: Array<{ email: string; name: string; role: Role; organisation: string }>;
  clients: number;
}

/** Fills an empty database with fictional organisations, people, clients, teams and consents. */
export async function seedDemo(db: Db): Promise<DemoResult> {
  if ((await countAccounts(db)) > 0) throw new AppError(409, 'conflict', 'the database is not empty; the demo needs a fresh one');
  const password = `demo-${randomBytes(6).toString('base64url')}`;
  const passwordHash = await hashPassword(password);
  const orgIds = new Map(ORGANISATIONS.map((o) => [o.key, crypto.randomUUID()]));
  const accountIds = new Map<string, string>();
  const updates: Array<{ docName: string; data: Uint8Array }> = [];

  await inTransaction(db, async (trx) => {
    for (const o of ORGANISATIONS) await insertOrganisation(trx, { id: orgIds.get(o.key)!, name: o.name, kind: o.kind, created_at: now() });
    for (const p of PEOPLE) {
      const id = crypto.randomUUID();
      accountIds.set(p.email, id);
      await insertAccount(trx, { id, organisation_id: orgIds.get(p.org)!, email: p.email, name: p.name, role: p.role, password_hash: passwordHash, deactivated_at: null, created_at: now() });
    }
    const account = (email: string) => accountIds.get(email)!;
    for (const [i, displayName] of CLIENTS.entries()) {
      const caseId = crypto.randomUUID();
      const responsible = account(i % 3 === 2 ? 'olli@kemi.example' : 'sanna@kemi.example');
      const at = now();
      const year = finnishYear(nowMs());
      await insertCase(trx, {
        id: caseId,
        organisation_id: orgIds.get('social')!,
        display_name: displayName,
        gender: (['female', 'male', 'male', 'female', 'other', 'unknown'] as const)[i % 6],
        birth_year: i % 7 === 6 ? null : year - 19 - ((i * 7) % 38),
        created_by: responsible,
        created_at: at,
        views_moved_at: at
      });
      await insertMember(trx, { case_id: caseId, account_id: responsible, case_role: 'responsible', access: 'edit', added_by: responsible, added_at: at });
      const partners: Array<[string, string]> = [['coach', i % 2 === 0 ? 'vilma@valo.example' : 'ville@valo.example']];
      if (i % 2 === 0) partners.push(['health', 'hanna@lph.example']);
      if (i % 3 !== 1) partners.push(['te', 'teemu@merilappi.example']);
      for (const [org, email] of partners) {
        await insertConsent(trx, {
          id: crypto.randomUUID(),
          case_id: caseId,
          organisation_id: orgIds.get(org)!,
          basis: 'consent',
          method: i % 2 === 0 ? 'signed' : 'oral_meeting',
          legal_basis: null,
          // The coaches' organisation sees everything; the others not the network map (private persons).
          scope: 'Aktiivisuussuunnitelma, verkostopalaverit ja niiden muistiinpanot',
          parts: org === 'coach' ? 'plan,wheel,network,path,meetings' : 'plan,wheel,path,meetings',
          valid_until: `${finnishYear(nowMs()) + 1}-12-31`,
          recorded_by: responsible,
          recorded_at: at,
          withdrawn_by: null,
          withdrawn_at: null,
          expired_at: null
        });
        await insertMember(trx, { case_id: caseId, account_id: account(email), case_role: 'member', access: 'edit', added_by: responsible, added_at: at });
      }
      if (i === 0) await insertMember(trx, { case_id: caseId, account_id: account('tiina@kemi.example'), case_role: 'observer', access: 'view', added_by: responsible, added_at: at });
      const doc = planFromJson(demoPlan(i, displayName, responsible));
      const views = Object.fromEntries(VIEW_KINDS.map((view) => [view, new Y.Doc()])) as Record<ViewKind, Y.Doc>;
      demoViews(views, i);
      updates.push({ docName: caseRoom(caseId), data: Y.encodeStateAsUpdate(doc) });
      for (const view of VIEW_KINDS) updates.push({ docName: viewRoom(caseId, view), data: Y.encodeStateAsUpdate(views[view]) });
    }
  });
  await createDocumentStore(db).append(updates.map((u) => ({ ...u, accountId: null })));

  const orgName = new Map(ORGANISATIONS.map((o) => [o.key, o.name]));
  return {
    password,
    people: PEOPLE.map((p) => ({ email: p.email, name: p.name, role: p.role, organisation: orgName.get(p.org)! })),
    clients: CLIENTS.length
  };
}

/**
 * The demo client's assessment wheel, network map and guidance path: referrals from several
 * sources during the last year, some agreements, and for a few a next path with its outcome.
 */
export function demoViews(docs: Record<ViewKind, Y.Doc>, i: number): void {
  const thisMonth = today().slice(0, 7);
  const date = (monthsAgo: number) => addMonths(`${thisMonth}-${10 + (i % 15)}`, -monthsAgo);
  for (const view of VIEW_KINDS) ensureView(docs[view], view);
  const { path, wheel, network } = docs;
  const sources = ['social_services', 'te_office', 'youth_guidance', 'te_office', 'health_care', 'self', 'social_services'] as const;
  addStage(path, { kind: 'referral', date: date(11 - (i % 10)), source: sources[i % sources.length] });
  addStage(path, { kind: 'first_meeting', date: date(10 - (i % 10)) });
  if (i % 3 !== 2) addStage(path, { kind: 'agreement', date: date(9 - (i % 9)), contractType: 'rehabilitative_work_activity' });
  if (i % 4 === 1) {
    const outcomes = ['studies', 'wage_subsidised', 'open_market'] as const;
    addStage(path, { kind: 'next_path', date: date(1), outcome: outcomes[i % 3] });
  }
  setWheelTemplate(wheel, ESY_TEMPLATE);
  for (const [r, monthsAgo] of [9, 3].entries()) {
    const round = addRound(wheel, date(monthsAgo));
    ESY_TEMPLATE.areas.forEach((area, k) => setScore(wheel, round, 'professional', area.id, Math.min(5, 1 + ((i + k) % 3) + r)));
  }
  addNode(network, { name: i % 2 === 0 ? 'Sisko' : 'Äiti', relation: i % 2 === 0 ? 'sisar' : 'äiti', sector: 'family', ring: 1 });
  addNode(network, { name: 'Ohjaamo', sector: 'professionals', organisation: 'Kemin kaupunki', ring: 2 });
}

/** A small, plausible plan for demo client `i`. */
function demoPlan(i: number, displayName: string, responsible: string): PlanJson {
  const first = displayName.split(' ')[0]!;
  const activation = i % 3 === 0;
  return {
    title: TITLES[i % TITLES.length]!,
    notes: `${first} haluaa löytää päiviin rytmin ja tekemistä.\nSeuraava verkostopalaveri sovitaan yhdessä.`,
    types: activation ? ['client_plan', 'activation_plan'] : ['client_plan'],
    clientWords: `Haluan, että minulla on jotain tekemistä joka päivä. – ${first}`,
    strengths: 'Kiinnostus käsillä tekemiseen, hyvä huumorintaju, läheinen suhde sisarukseen.',
    nextReview: `${finnishYear(nowMs()) + 1}-02-15`,
    followUpDate: activation ? `${finnishYear(nowMs()) + 1}-03-01` : '',
    service: activation
      ? { contractType: 'rehabilitative_work_activity', startDate: `${finnishYear(nowMs()) + 1}-01-07`, endDate: `${finnishYear(nowMs()) + 1}-06-30`, daysPerWeek: 3, hoursPerDay: 4, place: 'Valon puuverstas' }
      : { contractType: '', startDate: '', endDate: '', daysPerWeek: null, hoursPerDay: null, place: '' },
    activation: activation
      ? { educationHistory: 'Peruskoulu, keskeytynyt ammattikoulu.', earlierServices: 'Ohjaamo: hyvä kontakti.', earlierPlans: 'Edellinen suunnitelma jäi kesken.', goal: 'Päivärytmi ja ryhmässä toimiminen.', support: 'Valmentaja kulkee mukana alussa.' }
      : { educationHistory: '', earlierServices: '', earlierPlans: '', goal: '', support: '' },
    goals: [
      {
        id: crypto.randomUUID(),
        title: 'Säännöllinen päivärytmi',
        description: 'Herääminen arkisin kello 8 ja ulkoilu päivittäin.',
        lifeArea: 'daily_life',
        status: 'in_progress',
        clientStance: 'agree',
        clientReason: '',
        professionalReason: '',
        actions: [
          { id: crypto.randomUUID(), text: 'Herätyskello ja viikkokalenteri käyttöön', responsible: 'client', due: `${finnishYear(nowMs()) + 1}-01-15`, status: 'in_progress', doneDate: '' },
          { id: crypto.randomUUID(), text: 'Viikoittainen tapaaminen valmentajan kanssa', responsible, due: `${finnishYear(nowMs()) + 1}-01-31`, status: 'planned', doneDate: '' }
        ]
      },
      {
        id: crypto.randomUUID(),
        title: i % 2 === 0 ? 'Työkokeilu kevään aikana' : 'Opiskelupaikan haku',
        description: '',
        lifeArea: i % 2 === 0 ? 'work' : 'education',
        status: 'open',
        clientStance: i % 4 === 0 ? 'disagree' : 'agree',
        clientReason: i % 4 === 0 ? 'En ole vielä valmis, haluan ensin saada arjen kuntoon.' : '',
        professionalReason: i % 4 === 0 ? 'Lyhyt ja kevyt kokeilu tukee arjen rytmiä.' : '',
        actions: [{ id: crypto.randomUUID(), text: 'Tutustumiskäynti', responsible, due: `${finnishYear(nowMs()) + 1}-03-01`, status: 'planned', doneDate: '' }]
      }
    ]
  };
}
