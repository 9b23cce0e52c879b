/** Accounts, set-up, sign-in and server-side sessions. */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now, nowMs } from '../db/time.js';
import { AppError } from '../errors.js';
import { countAccounts, findAccountByEmail, insertAccount } from '../repositories/accounts.js';
import { findOrganisationByName, insertOrganisation } from '../repositories/organisations.js';
import {
  deleteSession,
  deleteSessions,
  findSessionWithAccount,
  insertSession,
  sessionIdsOf,
  touchSession
} from '../repositories/sessions.js';
import { findKnownDevice, insertKnownDevice, pruneKnownDevices } from '../repositories/known-devices.js';
import type { ClosePath } from '../realtime/close-path.js';
import type { CreateUser, LoginBody, SetupBody } from '../../shared/schemas.js';
import type { OrganisationKind } from '../../shared/access.js';
import type { Me } from '../../shared/api-types.js';
import { audit } from './audit-service.js';
import { clearAttempts, forgetOldAttempts, giveBack, reserveAttempt, type ThrottleKey } from './sign-in-throttle.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { hashPassword, verifyPassword } from './passwords.js';


export interface NewSession {
  token: string;
  sessionId: string;
}

export type SessionTimes = Pick<Config, 'sessionIdleMs' | 'sessionAbsoluteMs'>;

/** What signing in needs: the session times and cap, and the close path for the sessions it ends. */
export interface SignInDeps {
  db: Db;
  config: SessionTimes & Pick<Config, 'maxSessionsPerAccount'>;
  close: ClosePath;
}

/** A browser that signed in is remembered this long (its cookie lasts as long)… */
export const KNOWN_DEVICE_LIFETIME_MS = 90 * 24 * 3_600_000;
/** …and an account remembers at most this many browsers (the newest). */
const KNOWN_DEVICES_PER_ACCOUNT = 20;

export interface SignedIn extends NewSession {
  /** A new known-device token for this browser's cookie; null when it already was a known device of the account. */
  deviceToken: string | null;
}

/** The session id stored in the database is a hash of the token kept in the cookie. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function isSetupNeeded(db: Db): Promise<boolean> {
  return (await countAccounts(db)) === 0;
}

/** First run only: creates the first organisation and its administrator and signs them in. */
export async function setUp(db: Db, times: SessionTimes, body: SetupBody, meta: RequestMeta): Promise<NewSession> {
  const passwordHash = await hashPassword(body.password);
  const accountId = await inTransaction(db, async (trx) => {
    if ((await countAccounts(trx)) > 0) throw new AppError(409, 'setup_done', 'Polku has already been set up');
    const organisationId = crypto.randomUUID();
    await insertOrganisation(trx, { id: organisationId, name: body.organisation, kind: 'municipal_social_services', created_at: now() });
    const id = crypto.randomUUID();
    await insertAccount(trx, {
      id,
      organisation_id: organisationId,
      email: body.email,
      name: body.name,
      role: 'admin',
      password_hash: passwordHash,
      deactivated_at: null,
      created_at: now()
    });
    return id;
  });
  return startSession(db, times, accountId, meta);
}

/** Creates an account (and its organisation when new); used by the CLI. */
export async function createUser(
  db: Db,
  input: CreateUser,
  organisationKind: OrganisationKind = 'other'
): Promise<{ accountId: string; organisationCreated: boolean }> {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    if (await findAccountByEmail(trx, input.email)) {
      throw new AppError(409, 'conflict', 'an account with this e-mail already exists', 'email');
    }
    const existing = await findOrganisationByName(trx, input.organisation);
    const organisationCreated = !existing;
    const org = existing ?? { id: crypto.randomUUID(), name: input.organisation, kind: organisationKind, created_at: now() };
    if (!existing) await insertOrganisation(trx, org);
    const accountId = crypto.randomUUID();
    await insertAccount(trx, {
      id: accountId,
      organisation_id: org.id,
      email: input.email,
      name: input.name,
      role: input.role,
      password_hash: passwordHash,
      deactivated_at: null,
      created_at: now()
    });
    return { accountId, organisationCreated };
  });
}

/**
 * Signs in with e-mail and password; the same error for every kind of failure. Before the
 * password is checked, an attempt is reserved for the pair (e-mail, address — or the known
 * device, when the browser is one of this account's) and, unless it is a known device, for the
 * address; a pair or address past its free failures waits a doubling delay (429 with
 * `Retry-After`). The right password is never refused because of failures elsewhere. A success
 * clears the pair, remembers the browser, and ends the account's oldest sessions beyond the cap.
 * Every password check is audited.
 */
export async function logIn(deps: SignInDeps, body: LoginBody, meta: RequestMeta, deviceToken: string | undefined): Promise<SignedIn> {
  const { db } = deps;
  const address = meta.ip ?? 'unknown';
  const account = await findAccountByEmail(db, body.email);
  const deviceId = account ? await knownDeviceOf(db, deviceToken, account.id) : null;
  const pair: ThrottleKey = { scope: 'pair', subject: body.email, origin: deviceId ? `device:${deviceId}` : address };
  const fromAddress: ThrottleKey = { scope: 'address', subject: '', origin: address };
  await reserveAttempt(db, pair, 'too many failed sign-ins');
  if (!deviceId) {
    try {
      await reserveAttempt(db, fromAddress, 'too many failed sign-ins from this address');
    } catch (error) {
      await giveBack(db, pair);
      throw error;
    }
  }
  const ok = await verifyPassword(account?.password_hash, body.password);
  if (!account || !ok || account.deactivated_at !== null) {
    await audit(db, {
      action: 'sign_in_failed',
      principal: account ? { accountId: account.id, organisationId: account.organisation_id } : null,
      details: { email: body.email },
      meta
    });
    await forgetOldAttempts(db);
    throw new AppError(401, 'invalid_credentials', 'wrong e-mail or password');
  }
  await clearAttempts(db, pair);
  if (!deviceId) await giveBack(db, fromAddress);
  const principal = { accountId: account.id, organisationId: account.organisation_id };
  const session = await startSession(db, deps.config, account.id, meta);
  await audit(db, { action: 'sign_in', principal, meta });
  await endSessionsBeyondCap(deps, principal, meta);
  return { ...session, deviceToken: deviceId ? null : await rememberDevice(db, account.id) };
}

/** The known device's id when `token` is one of this account's unexpired devices. */
async function knownDeviceOf(db: Db, token: string | undefined, accountId: string): Promise<string | null> {
  if (!token || token.length > 200) return null;
  const device = await findKnownDevice(db, sessionIdOf(token));
  return device && device.account_id === accountId && Date.parse(device.expires_at) > nowMs() ? device.id : null;
}

/** Remembers this browser for the account; returns the token for its cookie. */
async function rememberDevice(db: Db, accountId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const at = nowMs();
  await insertKnownDevice(db, { id: sessionIdOf(token), account_id: accountId, created_at: new Date(at).toISOString(), expires_at: new Date(at + KNOWN_DEVICE_LIFETIME_MS).toISOString() });
  await pruneKnownDevices(db, accountId, KNOWN_DEVICES_PER_ACCOUNT, new Date(at).toISOString());
  return token;
}

/**
 * Ends the account's oldest sessions beyond `maxSessionsPerAccount` and closes their live
 * sockets, so that signing in again and again cannot multiply the per-session socket cap.
 */
async function endSessionsBeyondCap(deps: SignInDeps, principal: Pick<Principal, 'accountId' | 'organisationId'>, meta: RequestMeta): Promise<void> {
  const ended = (await sessionIdsOf(deps.db, principal.accountId)).slice(deps.config.maxSessionsPerAccount);
  if (ended.length === 0) return;
  await deleteSessions(deps.db, ended);
  for (const sessionId of ended) deps.close.closeSession(sessionId, 'signed_out');
  await audit(deps.db, { action: 'sign_out', principal, details: { sessionsEnded: ended.length, reason: 'session_limit' }, meta });
}

export async function startSession(db: Db, times: SessionTimes, accountId: string, meta: RequestMeta): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const sessionId = sessionIdOf(token);
  const at = new Date();
  await insertSession(db, {
    id: sessionId,
    account_id: accountId,
    created_at: at.toISOString(),
    last_seen_at: at.toISOString(),
    expires_at: new Date(at.getTime() + times.sessionAbsoluteMs).toISOString(),
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 300) ?? null
  });
  return { token, sessionId };
}

/** Past its absolute expiry, or its account deactivated (idle expiry is the caller's rule). */
function isSessionOver(session: Pick<Principal, 'expiresAt' | 'deactivatedAt'>, at: number): boolean {
  return at >= Date.parse(session.expiresAt) || session.deactivatedAt !== null;
}

/** Resolves a session token to its principal, ending sessions past their idle or absolute expiry. */
export async function authenticate(db: Db, times: SessionTimes, token: string | undefined): Promise<Principal | null> {
  if (!token || token.length > 200) return null;
  const session = await findSessionWithAccount(db, sessionIdOf(token));
  if (!session) return null;
  const at = Date.now();
  const idleFor = at - Date.parse(session.lastSeenAt);
  if (isSessionOver(session, at) || idleFor >= times.sessionIdleMs) {
    await deleteSession(db, session.sessionId);
    return null;
  }
  // Touch at most once a minute: idle expiry needs no finer grain, and reads stay reads.
  if (idleFor > 60_000) await touchSession(db, session.sessionId, new Date(at).toISOString());
  return session;
}

/** The principal of a session, re-read (a socket's session may have ended since it was admitted); not touched. */
export async function currentPrincipal(db: Db, sessionId: string): Promise<Principal | null> {
  const session = await findSessionWithAccount(db, sessionId);
  return session && !isSessionOver(session, Date.now()) ? session : null;
}

/**
 * Keeps a session with live sockets alive (an open meeting is activity) until its absolute
 * expiry; returns `false` when the session has ended and its sockets must close.
 */
export async function refreshLiveSession(db: Db, sessionId: string): Promise<boolean> {
  const session = await findSessionWithAccount(db, sessionId);
  if (!session) return false;
  const at = Date.now();
  if (isSessionOver(session, at)) {
    await deleteSession(db, sessionId);
    return false;
  }
  await touchSession(db, sessionId, new Date(at).toISOString());
  return true;
}

export async function logOut(db: Db, sessionId: string): Promise<void> {
  await deleteSession(db, sessionId);
}

/** The principal as the client sees itself. */
export function toMe(p: Principal): Me {
  return {
    id: p.accountId,
    name: p.name,
    email: p.email,
    role: p.role,
    organisation: { id: p.organisationId, name: p.organisationName }
  };
}
