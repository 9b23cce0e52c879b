/** Administrators manage their own organisation's accounts: invite, deactivate, reset passwords. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { now, nowMs } from '../db/time.js';
import { AppError } from '../errors.js';
import { mayManageAccounts } from '../access/policy.js';
import type { ClosePath } from '../realtime/close-path.js';
import { findAccount, findAccountByEmail, insertAccount, listAccountsOf, setDeactivated, setPasswordHash } from '../repositories/accounts.js';
import { findOrganisation, listOrganisations as organisationsByName } from '../repositories/organisations.js';
import { deleteSessionsOf } from '../repositories/sessions.js';
import { findAccountLink, insertAccountLink, useAccountLink, useOtherLinksFor } from '../repositories/account-links.js';
import type { AccountView, Invite } from '../../shared/access.js';
import type { Role } from '../../shared/roles.js';
import { sessionIdOf, startSession, type NewSession, type SessionTimes } from './auth-service.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { hashPassword } from './passwords.js';
import { forgetOldAttempts, giveBack, reserveAttempt, type ThrottleKey } from './sign-in-throttle.js';

const LINK_LIFETIME_MS = 7 * 24 * 3_600_000;

export interface AccountDeps {
  db: Db;
  close: ClosePath;
}

/** Every organisation (for choosing whom a consent is for). */
export function listOrganisations(db: Db) {
  return organisationsByName(db);
}

function requireAdmin(p: Principal): void {
  if (!mayManageAccounts(p)) throw new AppError(403, 'forbidden', 'only administrators manage accounts');
}

export async function listAccounts(db: Db, p: Principal): Promise<AccountView[]> {
  requireAdmin(p);
  const rows = await listAccountsOf(db, p.organisationId);
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, role: r.role, deactivatedAt: r.deactivated_at }));
}

async function createLink(db: Db, p: Principal, kind: 'invite' | 'reset', target: { accountId: string | null; email: string; name: string; role: Role }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const at = new Date(nowMs());
  await insertAccountLink(db, {
    id: sessionIdOf(token),
    kind,
    organisation_id: p.organisationId,
    account_id: target.accountId,
    email: target.email,
    name: target.name,
    role: target.role,
    created_by: p.accountId,
    created_at: at.toISOString(),
    expires_at: new Date(at.getTime() + LINK_LIFETIME_MS).toISOString(),
    used_at: null
  });
  return token;
}

/** Creates a one-time invitation link (path `/invite/<token>`) for a new account in the admin's organisation. */
export async function invite(db: Db, p: Principal, body: Invite, meta: RequestMeta): Promise<{ token: string; path: string }> {
  requireAdmin(p);
  if (await findAccountByEmail(db, body.email)) throw new AppError(409, 'conflict', 'an account with this e-mail already exists', 'email');
  const token = await createLink(db, p, 'invite', { accountId: null, ...body });
  await audit(db, { action: 'account_change', principal: p, details: { invited: body.email, role: body.role }, meta });
  return { token, path: `/invite/${token}` };
}

async function requireOwnAccount(db: Db, p: Principal, accountId: string) {
  requireAdmin(p);
  const account = await findAccount(db, accountId);
  if (!account || account.organisation_id !== p.organisationId) throw new AppError(404, 'not_found', 'no such account');
  return account;
}

/** Deactivates an account: its sessions end and its live sockets close at once. */
export async function deactivate(deps: AccountDeps, p: Principal, accountId: string, meta: RequestMeta): Promise<void> {
  const account = await requireOwnAccount(deps.db, p, accountId);
  if (account.id === p.accountId) throw new AppError(409, 'conflict', 'you cannot deactivate your own account');
  if (account.deactivated_at !== null) return;
  await inTransaction(deps.db, async (trx) => {
    await setDeactivated(trx, accountId, now());
    await deleteSessionsOf(trx, accountId);
    await audit(trx, { action: 'account_change', principal: p, details: { deactivated: accountId }, meta });
  });
  deps.close.closeAccount(accountId, 'revoked');
}

export async function reactivate(deps: AccountDeps, p: Principal, accountId: string, meta: RequestMeta): Promise<void> {
  await requireOwnAccount(deps.db, p, accountId);
  await setDeactivated(deps.db, accountId, null);
  await audit(deps.db, { action: 'account_change', principal: p, details: { reactivated: accountId }, meta });
}

/** A one-time link (path `/invite/<token>`) with which the person sets a new password. */
export async function resetPassword(db: Db, p: Principal, accountId: string, meta: RequestMeta): Promise<{ token: string; path: string }> {
  const account = await requireOwnAccount(db, p, accountId);
  const token = await createLink(db, p, 'reset', { accountId, email: account.email, name: account.name, role: account.role });
  await audit(db, { action: 'account_change', principal: p, details: { passwordReset: accountId }, meta });
  return { token, path: `/invite/${token}` };
}

/**
 * The link behind `token` while it is unused and unexpired. Each look-up is reserved per address
 * first (`sign-in-throttle.ts`): a valid link gives its reservation back, an unknown, used or
 * expired one counts as a failure, so an address guessing tokens is slowed down.
 */
async function validLink(db: Db, token: string, meta: RequestMeta) {
  const guesses: ThrottleKey = { scope: 'link', subject: '', origin: meta.ip ?? 'unknown' };
  await reserveAttempt(db, guesses, 'too many invalid links');
  const link = await findAccountLink(db, sessionIdOf(token));
  if (!link || link.used_at !== null || Date.parse(link.expires_at) <= nowMs()) {
    await forgetOldAttempts(db);
    throw new AppError(410, 'link_expired', 'this link has expired or has already been used');
  }
  await giveBack(db, guesses);
  return link;
}

/** What an invitation or reset link is for (shown on the page before the password is set). */
export async function describeLink(db: Db, token: string, meta: RequestMeta) {
  const link = await validLink(db, token, meta);
  const org = await findOrganisation(db, link.organisation_id);
  if (!org) throw new AppError(404, 'not_found', 'no such organisation');
  return { kind: link.kind, email: link.email, name: link.name, role: link.role, organisation: org.name };
}

/** Uses a link once (and ends every other open link for the same person): creates the invited account, or sets the new password; then signs in. */
export async function acceptLink(db: Db, times: SessionTimes, close: ClosePath, token: string, password: string, meta: RequestMeta): Promise<NewSession> {
  const link = await validLink(db, token, meta);
  const passwordHash = await hashPassword(password);
  const accountId = await inTransaction(db, async (trx) => {
    if (!(await useAccountLink(trx, link.id, now()))) throw new AppError(410, 'link_expired', 'this link has already been used');
    // Single use means the act, not the token: the password is set (or the account made) once, so
    // every other open link for this person (an older reset link, a second invitation) ends with it.
    await useOtherLinksFor(trx, link.email, now());
    if (link.kind === 'reset' && link.account_id) {
      await setPasswordHash(trx, link.account_id, passwordHash);
      await deleteSessionsOf(trx, link.account_id);
      return link.account_id;
    }
    if (await findAccountByEmail(trx, link.email)) throw new AppError(409, 'conflict', 'an account with this e-mail already exists');
    const id = crypto.randomUUID();
    await insertAccount(trx, {
      id,
      organisation_id: link.organisation_id,
      email: link.email,
      name: link.name,
      role: link.role,
      password_hash: passwordHash,
      deactivated_at: null,
      created_at: now()
    });
    return id;
  });
  if (link.kind === 'reset') close.closeAccount(accountId, 'revoked');
  await audit(db, { action: 'account_change', principal: { accountId, organisationId: link.organisation_id }, details: { linkUsed: link.kind }, meta });
  return startSession(db, times, accountId, meta);
}
