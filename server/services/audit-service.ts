/**
 * Writes the audit log: who did what to which case, when, from where. Every row is appended to
 * the keyed audit chain (`chain.ts`) in the transaction that writes it. Refusals (`access_denied`)
 * from REST, Socket.IO and Yjs alike go through one limiter per database: repeats of the same
 * refusal by the same session (or address) become one row with a `count`.
 */
import type { AuditRow, Db } from '../db/database.js';
import { now } from '../db/time.js';
import type { Logger } from '../logger.js';
import { insertAudit, listAllAuditRows } from '../repositories/audit-log.js';
import { connectionOf, isInTransaction } from '../repositories/transaction.js';
import type { AuditAction } from '../../shared/access.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { appendToChain, auditChainRow, missingTriggers, verifyChain, type Checkpoint } from './chain.js';
import { DenialLimiter } from './denial-limiter.js';

export interface AuditEvent {
  action: AuditAction;
  principal?: (Pick<Principal, 'accountId' | 'organisationId'> & Partial<Pick<Principal, 'sessionId'>>) | null;
  caseId?: string | null;
  details?: Record<string, unknown>;
  meta?: RequestMeta | null;
}

/** Most refusal keys counted at once per process (~0.5 kB each, so a few MB at most); past it the oldest is written early. */
export const MAX_DENIAL_KEYS = 10_000;

const limiters = new WeakMap<Db, DenialLimiter<AuditEvent>>();

/** Writes one audit row; a refusal goes through the database's denial limiter when it has one. */
export async function audit(db: Db, event: AuditEvent): Promise<void> {
  const limiter = event.action === 'access_denied' && !isInTransaction(db) ? limiters.get(connectionOf(db)) : undefined;
  if (limiter) return limiter.record(denialKey(event), event);
  await writeAudit(db, event, null);
}

/** Who (session, or else address), what and which target: the refusals that collapse into one row. */
function denialKey(event: AuditEvent): string {
  const who = event.principal?.sessionId ?? event.meta?.ip ?? '-';
  return JSON.stringify([who, event.action, event.caseId ?? null, event.details ?? null]);
}

async function writeAudit(db: Db, event: AuditEvent, count: number | null): Promise<void> {
  const details = count === null ? event.details : { ...event.details, count };
  const row: AuditRow = {
    id: crypto.randomUUID(),
    at: now(),
    account_id: event.principal?.accountId ?? null,
    organisation_id: event.principal?.organisationId ?? null,
    case_id: event.caseId ?? null,
    action: event.action,
    details: details ? JSON.stringify(details).slice(0, 2000) : null,
    ip: event.meta?.ip ?? null,
    user_agent: event.meta?.userAgent?.slice(0, 300) ?? null
  };
  await appendToChain(db, 'audit', async (trx) => {
    await insertAudit(trx, row);
    return auditChainRow(row);
  });
}

/**
 * Starts counting refusals on this database (window `windowMs`); returns the stop that writes
 * every count still held (call it before closing the database).
 */
export function startDenialLimiter(db: Db, windowMs: number, logger: Logger): () => Promise<void> {
  const limiter = new DenialLimiter<AuditEvent>({
    windowMs,
    maxKeys: MAX_DENIAL_KEYS,
    write: (event, count) => writeAudit(db, event, count),
    onError: (error, event, count) => logger.error({ err: error, action: event.action, caseId: event.caseId, count }, 'could not write a count of refusals to the audit log')
  });
  limiters.set(connectionOf(db), limiter);
  const timer = setInterval(() => void limiter.flushDue(), Math.max(windowMs / 4, 50));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await limiter.stop();
    limiters.delete(connectionOf(db));
  };
}

/** `audit verify`: the audit chain, its rows, the given checkpoints and the protecting triggers. */
export async function verifyAuditLog(db: Db, checkpoints: readonly Checkpoint[] = []): Promise<{ rows: number; entries: number; problems: string[]; missingTriggers: string[] }> {
  const rows = (await listAllAuditRows(db)).map(auditChainRow);
  const chain = await verifyChain(db, 'audit', rows, checkpoints);
  const words = { changed: 'changed after it was written', removed: 'removed', unchained: 'not in the chain (written behind the application’s back)' };
  return {
    rows: rows.length,
    entries: chain.entries,
    problems: [...chain.problems, ...chain.rows.map((r) => `audit row ${r.ref}: ${words[r.kind]}`)],
    missingTriggers: await missingTriggers(db, ['audit'])
  };
}
