/**
 * The access policy as data: every REST route and both socket endpoints, for every role in
 * every relation to a case. A route added to the API without rows here fails the first test.
 */
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../server/api/app.js';
import { createUser } from '../../server/services/auth-service.js';
import { ROLES, type Role } from '../../shared/roles.js';
import { testDialects } from '../helpers/databases.js';
import { addTeamMember, createCase, signIn, startTestServer, type TestServer } from '../helpers/server.js';
import { upgradeStatus } from '../helpers/yjs-client.js';

type Relation =
  | 'responsible'
  | 'member'
  | 'view_member'
  | 'nonmember'
  | 'consented'
  /** A member from an organisation whose consent covers the plan only (not the views, not the meetings). */
  | 'scoped'
  | 'unconsented'
  | 'other_org'
  | 'deactivated'
  | 'signed_out';

type Expected = Partial<Record<Relation, number | string>>;

interface Row {
  /** `METHOD /api/path` as Hono registers it, or `WS …` / `IO …` for socket endpoints. */
  route: string;
  /** Expected HTTP status (or socket outcome) per relation. */
  expect: Expected;
  /** Overrides per role (e.g. coordinators, observers, administrators). */
  byRole?: Partial<Record<Role, Expected>>;
  /** Relations the row is checked for (default: all). */
  only?: Relation[];
}

const DENIED = { nonmember: 404, unconsented: 404, other_org: 404, deactivated: 401, signed_out: 401 } as const;
const READ: Expected = { responsible: 200, member: 200, view_member: 200, consented: 200, ...DENIED };
const READ_COORDINATOR: Partial<Record<Role, Expected>> = { coordinator: { nonmember: 200 } };
/** Team and consent changes: the responsible person and the owning organisation's coordinators. */
const MANAGE = (allowed: number): Row['expect'] => ({
  responsible: allowed,
  member: 403,
  view_member: 403,
  consented: 403,
  ...DENIED
});
const MANAGE_COORDINATOR = (allowed: number): Partial<Record<Role, Expected>> => ({
  coordinator: { member: allowed, view_member: allowed, nonmember: allowed }
});
const SIGNED_IN = (status: number): Expected => ({
  responsible: status,
  member: status,
  view_member: status,
  nonmember: status,
  consented: status,
  unconsented: status,
  other_org: status,
  deactivated: 401,
  signed_out: 401
});
const ADMIN_ONLY = (adminStatus: number, otherOrgAdmin: number): Row => ({
  route: '',
  expect: { ...SIGNED_IN(403) },
  byRole: { admin: { nonmember: adminStatus, other_org: otherOrgAdmin } }
});
/** Chairing a meeting: its chair (the responsible person here) and coordinators who manage the case with edit access. */
const CHAIR = (allowed: number | string): Expected => ({ responsible: allowed, member: 403, view_member: 403, consented: 403, ...DENIED });
const CHAIR_COORDINATOR = (allowed: number | string): Partial<Record<Role, Expected>> => ({ coordinator: { member: allowed, view_member: 403, nonmember: 403 } });
/** Changing a case's content: members with edit access (never observers, nor coordinators who only see). */
const EDIT = (allowed: number): Expected => ({ responsible: allowed, member: allowed, view_member: 403, consented: allowed, ...DENIED });
const EDIT_BY_ROLE: Partial<Record<Role, Expected>> = { observer: { member: 403, consented: 403 }, coordinator: { nonmember: 403 } };
const PUBLIC = (status: number): Expected => Object.fromEntries(RELATIONS.map((r) => [r, status]));
const RELATIONS: Relation[] = ['responsible', 'member', 'view_member', 'nonmember', 'consented', 'scoped', 'unconsented', 'other_org', 'deactivated', 'signed_out'];
/** A part of the case the `scoped` relation's consent does not cover: 403 (they know the case exists). */
const OUT_OF_SCOPE = { scoped: 403 } as const;
/** A view's own document: as the case's documents, but refused outside the consent's scope. */
const VIEW_ROOM: Expected = { ...READ, responsible: 101, member: 101, view_member: 101, consented: 101, ...OUT_OF_SCOPE };

const MATRIX: Row[] = [
  { route: 'GET /api/auth/status', expect: PUBLIC(200) },
  { route: 'POST /api/auth/setup', expect: PUBLIC(409) },
  { route: 'POST /api/auth/login', expect: PUBLIC(400) },
  // Signing out ends the persona's session; its effect is proved in api.test.ts.
  { route: 'POST /api/auth/logout', expect: { signed_out: 200 }, only: ['signed_out'] },
  { route: 'GET /api/me', expect: SIGNED_IN(200) },
  { route: 'GET /api/cases', expect: { ...READ, nonmember: 'absent', unconsented: 'absent', other_org: 'absent', deactivated: 401, signed_out: 401, responsible: 'listed', member: 'listed', view_member: 'listed', consented: 'listed' }, byRole: { coordinator: { nonmember: 'listed' } } },
  {
    route: 'POST /api/cases',
    expect: SIGNED_IN(201),
    byRole: { observer: SIGNED_IN(403), admin: SIGNED_IN(403) }
  },
  { route: 'GET /api/cases/:id', expect: READ, byRole: READ_COORDINATOR },
  { route: 'GET /api/cases/:id/team', expect: READ, byRole: READ_COORDINATOR },
  { route: 'GET /api/cases/:id/history', expect: READ, byRole: READ_COORDINATOR },
  { route: 'GET /api/cases/:id/history/:seq', expect: READ, byRole: READ_COORDINATOR },
  { route: 'POST /api/cases/:id/print', expect: READ, byRole: READ_COORDINATOR },
  { route: 'GET /api/cases/:id/consents', expect: READ, byRole: READ_COORDINATOR },
  { route: 'GET /api/cases/:id/candidates', expect: MANAGE(200), byRole: MANAGE_COORDINATOR(200) },
  // Adding an unknown account: a manager passes the access check and gets 400.
  { route: 'POST /api/cases/:id/team', expect: MANAGE(400), byRole: MANAGE_COORDINATOR(400) },
  // Removing the responsible person: a manager passes the access check and gets 409.
  { route: 'DELETE /api/cases/:id/team/:accountId', expect: MANAGE(409), byRole: MANAGE_COORDINATOR(409) },
  // Handing over to the current responsible person is a no-op for a manager.
  { route: 'POST /api/cases/:id/team/:accountId/responsible', expect: MANAGE(200), byRole: MANAGE_COORDINATOR(200) },
  // Recording a consent for the owning organisation: a manager gets 400.
  { route: 'POST /api/cases/:id/consents', expect: MANAGE(400), byRole: MANAGE_COORDINATOR(400) },
  // Withdrawing an already withdrawn consent is a no-op for a manager.
  { route: 'POST /api/cases/:id/consents/:consentId/withdraw', expect: MANAGE(200), byRole: MANAGE_COORDINATOR(200) },
  { route: 'GET /api/organisations', expect: SIGNED_IN(200) },
  { ...ADMIN_ONLY(200, 200), route: 'GET /api/admin/accounts' },
  // The chains' signed heads: for every administrator (they hold no client data).
  { ...ADMIN_ONLY(200, 200), route: 'GET /api/admin/checkpoints' },
  // Inviting an existing e-mail address: an administrator gets 409.
  { ...ADMIN_ONLY(409, 409), route: 'POST /api/admin/invitations' },
  // The target is an already deactivated account of the owning organisation.
  { ...ADMIN_ONLY(200, 404), route: 'POST /api/admin/accounts/:accountId/deactivate' },
  { ...ADMIN_ONLY(200, 404), route: 'POST /api/admin/accounts/:accountId/reactivate' },
  { ...ADMIN_ONLY(201, 404), route: 'POST /api/admin/accounts/:accountId/reset-password' },
  { route: 'GET /api/invitations/:token', expect: PUBLIC(410) },
  { route: 'POST /api/invitations/:token/accept', expect: PUBLIC(410) },
  {
    route: 'GET /api/audit',
    expect: SIGNED_IN(403),
    byRole: { coordinator: SIGNED_IN(200), admin: SIGNED_IN(200) }
  },
  {
    route: 'GET /api/audit/cases/:id/csv',
    expect: SIGNED_IN(403),
    byRole: {
      coordinator: { ...SIGNED_IN(200), consented: 404, unconsented: 404, other_org: 404 },
      admin: { ...SIGNED_IN(200), consented: 404, unconsented: 404, other_org: 404 }
    }
  },
  { route: 'GET /api/cases/:id/meetings', expect: { ...READ, ...OUT_OF_SCOPE }, byRole: READ_COORDINATOR },
  { route: 'POST /api/cases/:id/meetings', expect: { ...EDIT(201), ...OUT_OF_SCOPE }, byRole: EDIT_BY_ROLE },
  { route: 'GET /api/meetings/:meetingId', expect: { ...READ, ...OUT_OF_SCOPE }, byRole: READ_COORDINATOR },
  { route: 'GET /api/meetings/:meetingId/record', expect: { ...READ, ...OUT_OF_SCOPE }, byRole: READ_COORDINATOR },
  // The meeting in these rows has ended: whoever passes the access check gets 409.
  { route: 'POST /api/meetings/:meetingId/start', expect: CHAIR(409), byRole: CHAIR_COORDINATOR(409) },
  { route: 'POST /api/meetings/:meetingId/end', expect: CHAIR(409), byRole: CHAIR_COORDINATOR(409) },
  { route: 'POST /api/meetings/:meetingId/turn', expect: CHAIR(409), byRole: CHAIR_COORDINATOR(409) },
  { route: 'POST /api/meetings/:meetingId/join-codes', expect: CHAIR(409), byRole: CHAIR_COORDINATOR(409) },
  { route: 'POST /api/meetings/:meetingId/decisions', expect: { ...EDIT(409), ...OUT_OF_SCOPE }, byRole: EDIT_BY_ROLE },
  { route: 'POST /api/meetings/:meetingId/decisions/:decisionId/action', expect: { ...EDIT(409), ...OUT_OF_SCOPE }, byRole: EDIT_BY_ROLE },
  { route: 'GET /api/meetings/:meetingId/guests', expect: CHAIR(200), byRole: CHAIR_COORDINATOR(200) },
  // An unknown device: the chair passes the access check and gets 404.
  { route: 'POST /api/meetings/:meetingId/guests/:guestId/:decision', expect: CHAIR(404), byRole: CHAIR_COORDINATOR(404) },
  // The client's routes know nobody by a session: only a guest cookie counts.
  { route: 'POST /api/join', expect: PUBLIC(400) },
  { route: 'GET /api/guest', expect: PUBLIC(401) },
  { route: 'GET /api/guest/context', expect: PUBLIC(401) },
  { route: 'POST /api/guest/voice', expect: PUBLIC(401) },
  { route: 'POST /api/guest/leave', expect: PUBLIC(200) },
  { route: 'GET /api/wheel-templates', expect: SIGNED_IN(200) },
  { route: 'POST /api/wheel-templates', expect: SIGNED_IN(403), byRole: { coordinator: SIGNED_IN(201), admin: SIGNED_IN(201) } },
  // An unknown template: coordinators and administrators pass the check and get 404.
  { route: 'DELETE /api/wheel-templates/:templateId', expect: SIGNED_IN(403), byRole: { coordinator: SIGNED_IN(404), admin: SIGNED_IN(404) } },
  { route: 'GET /api/cases/:id/finalising', expect: READ, byRole: READ_COORDINATOR },
  // The case's plan is valid and proposable: only its responsible person may propose it.
  { route: 'POST /api/cases/:id/proposals', expect: { ...EDIT(403), responsible: 201 }, byRole: { coordinator: { nonmember: 403 } } },
  // An unknown proposal or archived version: 404 for everyone (nothing to check access against).
  { route: 'POST /api/proposals/:proposalId/confirm', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  { route: 'POST /api/proposals/:proposalId/agreed-in-meeting', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  { route: 'POST /api/proposals/:proposalId/approve', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  { route: 'GET /api/archive', expect: SIGNED_IN(403), byRole: { coordinator: SIGNED_IN(200) } },
  { route: 'GET /api/archive/:archivedId', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  { route: 'GET /api/archive/:archivedId/diff/:otherId', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  { route: 'GET /api/archive/:archivedId/package', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  // Closing and reopening: the team's managers (reopening last, so the case stays open for the other rows).
  { route: 'POST /api/cases/:id/close', expect: MANAGE(200), byRole: MANAGE_COORDINATOR(200) },
  { route: 'POST /api/cases/:id/reopen', expect: MANAGE(200), byRole: MANAGE_COORDINATOR(200) },
  { route: 'GET /api/archive/:archivedId/pdf', expect: { ...PUBLIC(404), deactivated: 401, signed_out: 401 } },
  { route: 'GET /api/reports', expect: SIGNED_IN(403), byRole: { coordinator: SIGNED_IN(200) } },
  { route: 'GET /api/reports/csv', expect: SIGNED_IN(403), byRole: { coordinator: SIGNED_IN(200) } },
  { route: 'GET /api/reports/pdf', expect: SIGNED_IN(403), byRole: { coordinator: SIGNED_IN(200) } },
  { route: 'WS /yjs/case:<id>', expect: { ...READ, responsible: 101, member: 101, view_member: 101, consented: 101 }, byRole: { coordinator: { nonmember: 101 } } },
  { route: 'WS /yjs/case:<id>:internal', expect: { ...READ, responsible: 101, member: 101, view_member: 101, consented: 101 }, byRole: { coordinator: { nonmember: 101 } } },
  { route: 'WS /yjs/case:<id>:wheel', expect: VIEW_ROOM, byRole: { coordinator: { nonmember: 101 } } },
  { route: 'WS /yjs/case:<id>:network', expect: VIEW_ROOM, byRole: { coordinator: { nonmember: 101 } } },
  { route: 'WS /yjs/case:<id>:path', expect: VIEW_ROOM, byRole: { coordinator: { nonmember: 101 } } },
  { route: 'IO handshake', expect: { ...SIGNED_IN(101) } },
  {
    route: 'IO case:subscribe',
    expect: { responsible: 'ok', member: 'ok', view_member: 'ok', consented: 'ok', nonmember: 'not_found', unconsented: 'not_found', other_org: 'not_found' },
    byRole: { coordinator: { nonmember: 'ok' } },
    only: ['responsible', 'member', 'view_member', 'consented', 'scoped', 'nonmember', 'unconsented', 'other_org']
  },
  {
    route: 'IO meeting:join',
    expect: { responsible: 'ok', member: 'ok', view_member: 'ok', consented: 'ok', scoped: 'forbidden', nonmember: 'not_found', unconsented: 'not_found', other_org: 'not_found' },
    byRole: { coordinator: { nonmember: 'ok' } },
    only: ['responsible', 'member', 'view_member', 'consented', 'scoped', 'nonmember', 'unconsented', 'other_org']
  }
];

interface Persona {
  role: Role;
  relation: Relation;
  cookie: string;
  accountId: string | null;
}

/**
 * What the row expects for the persona. A `scoped` member's consent covers the plan, so unless a
 * row says otherwise (a view, the meetings) they are answered as a `consented` one.
 */
function expected(row: Row, persona: Persona): number | string | undefined {
  const own = row.byRole?.[persona.role]?.[persona.relation] ?? row.expect[persona.relation];
  if (own !== undefined || persona.relation !== 'scoped') return own;
  return row.byRole?.[persona.role]?.consented ?? row.expect.consented;
}

describe.each(testDialects())('access policy matrix on %s', (dialect) => {
  let server: TestServer;
  let caseId: string;
  let responsibleId: string;
  let withdrawnConsentId: string;
  let deactivatedTargetId: string;
  let activeTargetId: string;
  let meetingId: string;
  const personas: Persona[] = [];
  const password = 'matrix password 123';
  let counter = 0;

  async function account(role: Role, organisation: string): Promise<{ id: string; email: string }> {
    const email = `m${++counter}-${role}@example.fi`;
    const { accountId } = await createUser(server.db, { email, name: `${role} ${counter}`, role, organisation, password });
    return { id: accountId, email };
  }

  async function api(method: string, path: string, cookie: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  beforeAll(async () => {
    // Trusting X-Forwarded-For lets the link rows come from an address per persona: wrong link
    // tokens are throttled per address (sign-in-hardening.test.ts), which is not what this matrix proves.
    server = await startTestServer(dialect, { env: { POLKU_MAX_CONNECTIONS_PER_SESSION: '100', POLKU_TRUST_PROXY: 'true' } });
    const owner = await account('social_worker', 'Kemi');
    responsibleId = owner.id;
    const ownerCookie = await signIn(server.url, owner.email, password);
    caseId = await createCase(server.url, ownerCookie, 'Matriisi');
    const organisations = Object.fromEntries(
      ((await (await api('GET', '/api/organisations', ownerCookie)).json()) as Array<{ id: string; name: string }>).map((o) => [o.name, o.id])
    );
    // Organisations must exist before consents: create one account in each first.
    await account('coach', 'Sairaala');
    await account('coach', 'Työvoima');
    await account('coach', 'Koulu');
    const orgs = Object.fromEntries(
      ((await (await api('GET', '/api/organisations', ownerCookie)).json()) as Array<{ id: string; name: string }>).map((o) => [o.name, o.id])
    );
    Object.assign(organisations, orgs);
    const consent = (organisationId: string) => api('POST', `/api/cases/${caseId}/consents`, ownerCookie, { basis: 'consent', organisationId, method: 'signed', scope: { parts: ['plan', 'wheel', 'network', 'path', 'meetings'], note: 'Aktiivisuussuunnitelma' } });
    expect((await consent(organisations.Sairaala!)).status).toBe(201);
    const toWithdraw = (await (await consent(organisations['Työvoima']!)).json()) as { id: string };
    const planOnly = await api('POST', `/api/cases/${caseId}/consents`, ownerCookie, { basis: 'consent', organisationId: organisations.Koulu!, method: 'signed', scope: { parts: ['plan'], note: '' } });
    expect(planOnly.status).toBe(201);
    withdrawnConsentId = toWithdraw.id;

    personas.push({ role: 'social_worker', relation: 'responsible', cookie: ownerCookie, accountId: owner.id });
    for (const role of ROLES) {
      const add = async (relation: Relation, organisation: string, member: boolean, access: 'edit' | 'view' = 'edit') => {
        const a = await account(role, organisation);
        if (member) await addTeamMember(server.url, ownerCookie, caseId, a.id, { caseRole: role === 'observer' ? 'observer' : 'member', access });
        personas.push({ role, relation, cookie: await signIn(server.url, a.email, password), accountId: a.id });
      };
      if (role !== 'admin') {
        await add('member', 'Kemi', true);
        await add('view_member', 'Kemi', true, 'view');
        await add('consented', 'Sairaala', true);
        await add('scoped', 'Koulu', true);
        await add('unconsented', 'Työvoima', true);
        await add('deactivated', 'Kemi', true);
      } else {
        await add('deactivated', 'Kemi', false);
      }
      await add('nonmember', 'Kemi', false);
      await add('other_org', 'Sairaala', false);
    }
    personas.push({ role: 'social_worker', relation: 'signed_out', cookie: '', accountId: null });
    expect((await api('POST', `/api/cases/${caseId}/consents/${withdrawnConsentId}/withdraw`, ownerCookie)).status).toBe(200);

    const admin = await account('admin', 'Kemi');
    const adminCookie = await signIn(server.url, admin.email, password);
    for (const p of personas.filter((p) => p.relation === 'deactivated')) {
      expect((await api('POST', `/api/admin/accounts/${p.accountId}/deactivate`, adminCookie)).status).toBe(200);
    }
    deactivatedTargetId = personas.find((p) => p.relation === 'deactivated')!.accountId!;
    activeTargetId = (await account('coach', 'Kemi')).id;
    // A meeting chaired by the responsible person, held and ended.
    meetingId = ((await (await api('POST', `/api/cases/${caseId}/meetings`, ownerCookie, { scheduledAt: new Date().toISOString() })).json()) as { id: string }).id;
    expect((await api('POST', `/api/meetings/${meetingId}/start`, ownerCookie)).status).toBe(200);
    expect((await api('POST', `/api/meetings/${meetingId}/end`, ownerCookie)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server.close();
  });

  it('has rows for every route of the API', () => {
    const routes = new Set(
      createApi({} as never)
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`)
    );
    const covered = MATRIX.map((row) => row.route);
    expect([...routes].filter((r) => !covered.includes(r))).toEqual([]);
    expect(new Set(covered).size).toBe(covered.length);
  });

  async function outcome(row: Row, persona: Persona): Promise<number | string> {
    const [kind, target] = [row.route.split(' ')[0]!, row.route.slice(row.route.indexOf(' ') + 1)];
    const path = target
      .replace(':id', caseId)
      .replace(':consentId', withdrawnConsentId)
      .replace(':seq', '1')
      .replace(':meetingId', meetingId)
      .replace(':decisionId', crypto.randomUUID())
      .replace(':guestId', 'a'.repeat(64))
      .replace(':templateId', crypto.randomUUID())
      .replace(':proposalId', crypto.randomUUID())
      .replace(':archivedId', crypto.randomUUID())
      .replace(':otherId', crypto.randomUUID())
      .replace(':decision', 'admit')
      .replace(':token', 'x'.repeat(43));
    const ws = server.url.replace('http', 'ws');
    const cookie = persona.cookie;
    const ownAddress = { 'x-forwarded-for': `198.51.100.${personas.indexOf(persona) + 1}` };
    switch (row.route) {
      case 'GET /api/cases': {
        const response = await api('GET', '/api/cases', cookie);
        if (response.status !== 200) return response.status;
        const list = (await response.json()) as Array<{ id: string }>;
        return list.some((c) => c.id === caseId) ? 'listed' : 'absent';
      }
      case 'POST /api/cases/:id/meetings':
        return (await api('POST', path, cookie, { scheduledAt: '2030-01-01T09:00:00Z' })).status;
      case 'POST /api/meetings/:meetingId/turn':
        return (await api('POST', path, cookie, { index: 0 })).status;
      case 'POST /api/meetings/:meetingId/join-codes':
        return (await api('POST', path, cookie, {})).status;
      case 'POST /api/meetings/:meetingId/decisions':
        return (await api('POST', path, cookie, { text: 'Päätös' })).status;
      case 'POST /api/meetings/:meetingId/decisions/:decisionId/action':
        return (await api('POST', path, cookie, { goalId: 'g' })).status;
      case 'POST /api/wheel-templates':
        return (await api('POST', path, cookie, { name: 'Pohja', min: 1, max: 5, areas: ['Asuminen', 'Talous', 'Työ'] })).status;
      case 'POST /api/proposals/:proposalId/agreed-in-meeting':
        return (await api('POST', path, cookie, { meetingId: crypto.randomUUID() })).status;
      case 'GET /api/reports':
      case 'GET /api/reports/csv':
      case 'GET /api/reports/pdf':
        return (await api('GET', `${path}?from=2026-01-01&to=2026-12-31`, cookie)).status;
      case 'POST /api/join':
        return (await api('POST', path, cookie, { code: 'short' })).status;
      case 'POST /api/guest/voice':
        return (await api('POST', path, cookie, { kind: 'wish', text: 'Toive' })).status;
      case 'IO meeting:join': {
        const socket = connectSocket(server.url, { forceNew: true, transports: ['websocket'], extraHeaders: { cookie } });
        try {
          const result = await new Promise<{ ok: boolean; code?: string }>((resolve, reject) => {
            socket.once('connect_error', reject);
            socket.emit('meeting:join', meetingId, resolve);
          });
          return result.ok ? 'ok' : result.code!;
        } finally {
          socket.disconnect();
        }
      }
      case 'POST /api/cases':
        return (await api('POST', path, cookie, { displayName: 'Matriisin tapaus' })).status;
      case 'POST /api/auth/setup':
        return (await api('POST', path, cookie, { organisation: 'X', name: 'X', email: 'x@example.fi', password })).status;
      case 'POST /api/auth/login':
        return (await api('POST', path, cookie, { email: 'not-an-email', password: 'x' })).status;
      case 'POST /api/cases/:id/team':
        return (await api('POST', path, cookie, { accountId: crypto.randomUUID(), caseRole: 'member', access: 'edit' })).status;
      case 'DELETE /api/cases/:id/team/:accountId':
      case 'POST /api/cases/:id/team/:accountId/responsible':
        return (await api(kind, path.replace(':accountId', responsibleId), cookie)).status;
      case 'POST /api/cases/:id/consents': {
        const ownerOrg = ((await (await api('GET', `/api/cases/${caseId}`, personas[0]!.cookie)).json()) as { organisationId: string }).organisationId;
        return (await api('POST', path, cookie, { basis: 'consent', organisationId: ownerOrg, method: 'signed', scope: { parts: ['plan', 'wheel', 'network', 'path', 'meetings'], note: 'x' } })).status;
      }
      case 'POST /api/admin/invitations':
        return (await api('POST', path, cookie, { email: `m1-social_worker@example.fi`, name: 'X', role: 'coach' })).status;
      case 'POST /api/admin/accounts/:accountId/deactivate':
        return (await api('POST', path.replace(':accountId', deactivatedTargetId), cookie)).status;
      case 'POST /api/admin/accounts/:accountId/reactivate':
      case 'POST /api/admin/accounts/:accountId/reset-password':
        return (await api('POST', path.replace(':accountId', activeTargetId), cookie)).status;
      case 'GET /api/invitations/:token':
        return (await api('GET', path, cookie, undefined, ownAddress)).status;
      case 'POST /api/invitations/:token/accept':
        return (await api('POST', path, cookie, { password }, ownAddress)).status;
      case 'WS /yjs/case:<id>':
        return upgradeStatus(`${ws}/yjs/case:${caseId}`, cookie ? { cookie } : {});
      case 'WS /yjs/case:<id>:internal':
      case 'WS /yjs/case:<id>:wheel':
      case 'WS /yjs/case:<id>:network':
      case 'WS /yjs/case:<id>:path':
        return upgradeStatus(`${ws}${target.replace('<id>', caseId)}`, cookie ? { cookie } : {});
      case 'IO handshake':
        return upgradeStatus(`${ws}/socket.io/?EIO=4&transport=websocket`, cookie ? { cookie } : {});
      case 'IO case:subscribe': {
        const socket = connectSocket(server.url, { transports: ['websocket'], extraHeaders: { cookie } });
        try {
          const result = await new Promise<{ ok: boolean; code?: string }>((resolve, reject) => {
            socket.once('connect_error', reject);
            socket.emit('case:subscribe', caseId, resolve);
          });
          return result.ok ? 'ok' : result.code!;
        } finally {
          socket.disconnect();
        }
      }
      default:
        return (await api(kind, path, cookie)).status;
    }
  }

  it.each(MATRIX.map((row) => [row.route, row] as const))('%s answers every role and relation as the policy says', async (_route, row) => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const persona of personas) {
      if (row.only && !row.only.includes(persona.relation)) continue;
      const want = expected(row, persona);
      if (want === undefined) continue;
      const got = await outcome(row, persona);
      checked++;
      if (got !== want) mismatches.push(`${persona.role}/${persona.relation}: expected ${want}, got ${got}`);
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it('covers every role in every relation it can have', () => {
    for (const role of ROLES) {
      const relations = new Set(personas.filter((p) => p.role === role).map((p) => p.relation));
      const wanted: Relation[] = role === 'admin' ? ['nonmember', 'other_org', 'deactivated'] : ['member', 'view_member', 'nonmember', 'consented', 'scoped', 'unconsented', 'other_org', 'deactivated'];
      expect([...relations].sort()).toEqual(expect.arrayContaining(wanted));
    }
    expect(personas.some((p) => p.relation === 'signed_out')).toBe(true);
  });
});
