/**
 * Keyed hash chains over the audit log and the archive. Every row written gets a chain entry whose
 * HMAC-SHA-256 — with a key that is not in the database — covers the row's digest and the previous
 * entry's MAC. Whoever can write to the database but does not hold the key cannot change, insert
 * or remove a row, or rewrite an entry, without `verifyChain` finding it; cutting entries off the
 * chain's end is found only against a checkpoint (logged and downloadable, kept outside).
 * Design record: `access/README.md`, "Audit trail and tamper evidence".
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AuditRow, ChainEntry, ChainHead, Db } from '../db/database.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { listAllArchivedPlans } from '../repositories/archive.js';
import { listAllAuditRows } from '../repositories/audit-log.js';
import { dialectOf, enabledTriggers, findChainHead, insertChainEntries, listChainEntries, lockChainHead, saveChainHead } from '../repositories/chain.js';
import { connectionOf, inTransaction } from '../repositories/transaction.js';
import type { Principal } from '../domain/principal.js';

export const CHAINS = ['audit', 'archive'] as const;
export type ChainName = (typeof CHAINS)[number];

/** Shortest key accepted, in bytes: HMAC-SHA-256's full strength. */
export const MIN_KEY_BYTES = 32;

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** JSON with keys in a fixed order, so the same content always hashes alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ---- Keys -------------------------------------------------------------------------------------

export interface ChainKey {
  /** The first 16 hex digits of the key's SHA-256: names the key in entries without revealing it. */
  id: string;
  secret: Buffer;
}

/** The chain's keys, newest (the one new entries use) first. */
export interface KeyRing {
  current: ChainKey;
  byId: Map<string, ChainKey>;
}

export function keyRing(secrets: Buffer[]): KeyRing {
  const keys = secrets.map((secret) => ({ id: sha256(secret).slice(0, 16), secret }));
  if (keys.length === 0) throw new Error('the chain key ring is empty');
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

function parseKeys(text: string, from: string): Buffer[] {
  const words = text.split('\n').flatMap((line) => line.replace(/#.*/, '').split(/[\s,]+/)).filter(Boolean);
  return words.map((word) => {
    const secret = Buffer.from(word, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(word) || secret.length < MIN_KEY_BYTES) throw new Error(`${from}: every chain key must be base64 of at least ${MIN_KEY_BYTES} bytes`);
    return secret;
  });
}

export interface KeySource {
  /** POLKU_CHAIN_KEY: base64 keys, newest first, separated by commas or spaces. */
  key: string | undefined;
  /** POLKU_CHAIN_KEY_FILE (default `chain.key` in the data directory): one base64 key a line, newest first. */
  keyFile: string;
}

/**
 * The key ring from POLKU_CHAIN_KEY, or else from the key file. With `create`, a missing key file
 * is written (a new random key, mode 0600) and `warn` says where, so that it gets backed up.
 */
export function loadKeyRing(source: KeySource, options: { create: boolean; warn: (message: string) => void }): KeyRing {
  if (source.key) return keyRing(parseKeys(source.key, 'POLKU_CHAIN_KEY'));
  let text: string;
  try {
    text = fs.readFileSync(source.keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) {
      throw new Error(`no chain key: set POLKU_CHAIN_KEY, or POLKU_CHAIN_KEY_FILE to a readable key file (${source.keyFile}: ${(error as Error).message})`);
    }
    text = createKeyFile(source.keyFile, options.warn);
  }
  if ((fs.statSync(source.keyFile).mode & 0o077) !== 0) options.warn(`the chain key file ${source.keyFile} can be read by others: make it readable by its owner only (chmod 600)`);
  return keyRing(parseKeys(text, source.keyFile));
}

function createKeyFile(file: string, warn: (message: string) => void): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = `${randomBytes(MIN_KEY_BYTES).toString('base64')}\n`;
  // Written aside and linked into place: another instance sharing the directory sees the whole file or none.
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(aside, text, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fs.readFileSync(file, 'utf8');
  } finally {
    fs.unlinkSync(aside);
  }
  warn(
    `created a new chain key in ${file}: back it up now, separately from the database (without it the audit log and the archive cannot be verified), and give every instance the same key`
  );
  return text;
}

/** Each database connection's key ring (set at start-up by the server or the CLI). */
const rings = new WeakMap<Db, KeyRing>();

export function useKeyRing(db: Db, ring: KeyRing): void {
  rings.set(connectionOf(db), ring);
}

function ringOf(db: Db): KeyRing {
  const ring = rings.get(connectionOf(db));
  if (!ring) throw new Error('no chain keys for this database: useKeyRing() first');
  return ring;
}

// ---- Rows and entries ---------------------------------------------------------------------------

/** A row of a chained table, named by its id and summarised by a digest of everything in it. */
export interface ChainRow {
  ref: string;
  digest: string;
}

export function auditChainRow(row: AuditRow): ChainRow {
  const { id, at, account_id, organisation_id, case_id, action, details, ip, user_agent } = row;
  return { ref: id, digest: sha256(canonicalJson({ id, at, account_id, organisation_id, case_id, action, details, ip, user_agent })) };
}

export function archiveChainRow(row: { id: string; case_id: string; version: number; content: string; state: Uint8Array; content_hash: string; previous_hash: string; archived_at: string }): ChainRow {
  const { id, case_id, version, content_hash, previous_hash, archived_at } = row;
  const fields = { id, case_id, version, content: sha256(row.content), state: sha256(row.state), content_hash, previous_hash, archived_at };
  return { ref: id, digest: sha256(canonicalJson(fields)) };
}

/** The rows a chain adopts when it starts (those written before there was a chain). */
const EXISTING_ROWS: Record<ChainName, (db: Db) => Promise<ChainRow[]>> = {
  audit: async (db) => (await listAllAuditRows(db)).map(auditChainRow),
  archive: async (db) => (await listAllArchivedPlans(db)).map(archiveChainRow)
};

function macOf(key: ChainKey, e: Omit<ChainEntry, 'mac'>): string {
  return createHmac('sha256', key.secret).update(JSON.stringify([e.chain, e.seq, e.kind, e.ref, e.digest, e.note, e.key_id, e.prev_mac, e.at])).digest('hex');
}

/** The entry after `head`, MACed with `key`; moves `head` to it (`activeKey`: the chain's key from then on). */
function nextEntry(
  head: ChainHead,
  key: ChainKey,
  e: { kind: ChainEntry['kind']; ref?: string | null; digest?: string; note?: unknown },
  activeKey = key.id
): ChainEntry {
  const note = e.note === undefined ? null : JSON.stringify(e.note);
  const fields = { chain: head.chain, seq: head.seq + 1, kind: e.kind, ref: e.ref ?? null, digest: e.digest ?? sha256(note ?? ''), note, key_id: key.id, prev_mac: head.mac, at: now() };
  const entry = { ...fields, mac: macOf(key, fields) };
  Object.assign(head, { seq: entry.seq, mac: entry.mac, key_id: activeKey });
  return entry;
}

/**
 * Locks the chain's head for this transaction. A chain that has not started yet starts here,
 * adopting the rows already in its table; a head on an older key gets a rotation entry (signed
 * with the old key, naming the new one). A head on a key this process does not hold is refused.
 */
async function openHead(trx: Db, chain: ChainName, ring: KeyRing): Promise<{ head: ChainHead; entries: ChainEntry[] }> {
  const head = await lockChainHead(trx, chain);
  if (!head) throw new Error(`the ${chain} chain has no head row (are the migrations applied?)`);
  const entries: ChainEntry[] = [];
  if (head.seq === 0) {
    const rows = await EXISTING_ROWS[chain](trx);
    entries.push(nextEntry(head, ring.current, { kind: 'start', note: { adopted: rows.length } }));
    for (const row of rows) entries.push(nextEntry(head, ring.current, { kind: 'adopted', ...row }));
  } else if (head.key_id !== ring.current.id) {
    const old = ring.byId.get(head.key_id);
    if (!old) {
      throw new Error(
        `the ${chain} chain's last entry uses key ${head.key_id}, which is not in the key ring: give every instance the chain's keys, newest first (POLKU_CHAIN_KEY or the key file)`
      );
    }
    entries.push(nextEntry(head, old, { kind: 'rotation', note: { from: old.id, to: ring.current.id } }, ring.current.id));
  }
  return { head, entries };
}

async function closeHead(trx: Db, head: ChainHead, entries: ChainEntry[]): Promise<void> {
  await insertChainEntries(trx, entries);
  await saveChainHead(trx, head);
}

/** Runs `write` (which inserts one row) and appends the row to the chain, in one transaction that holds the chain's head. */
export async function appendToChain(db: Db, chain: ChainName, write: (trx: Db) => Promise<ChainRow>): Promise<void> {
  const ring = ringOf(db);
  await inTransaction(db, async (trx) => {
    const { head, entries } = await openHead(trx, chain, ring);
    entries.push(nextEntry(head, ring.current, { kind: 'row', ...(await write(trx)) }));
    await closeHead(trx, head, entries);
  });
}

/** Records that rows of the chain were removed on purpose (retention), so that their absence is no break. */
export async function releaseFromChain(db: Db, chain: ChainName, caseId: string, refs: string[]): Promise<void> {
  const ring = ringOf(db);
  await inTransaction(db, async (trx) => {
    const { head, entries } = await openHead(trx, chain, ring);
    entries.push(nextEntry(head, ring.current, { kind: 'release', ref: caseId, note: { refs } }));
    await closeHead(trx, head, entries);
  });
}

/** At start-up: starts the chains that have not started and records a new key; refuses a chain whose key is not in the ring. */
export async function prepareChains(db: Db): Promise<void> {
  const ring = ringOf(db);
  for (const chain of CHAINS) {
    await inTransaction(db, async (trx) => {
      const { head, entries } = await openHead(trx, chain, ring);
      await closeHead(trx, head, entries);
    });
  }
}

// ---- Checkpoints -----------------------------------------------------------------------------------

export const checkpointSchema = z.object({
  chain: z.enum(CHAINS),
  seq: z.number().int().min(0),
  mac: z.string(),
  keyId: z.string(),
  at: z.string(),
  signature: z.string()
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

const checkpointFileSchema = z.union([z.object({ checkpoints: z.array(checkpointSchema) }).transform((f) => f.checkpoints), z.array(checkpointSchema)]);

/**
 * The checkpoints in a file: the download's `{ checkpoints: [...] }`, a list of them, or the
 * server's JSON log (each `chain checkpoint` line's `checkpoint`). Throws on anything else.
 */
export function parseCheckpoints(text: string): Checkpoint[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const logged = text.split('\n').filter((line) => line.includes('"checkpoint"')).map((line) => (JSON.parse(line) as { checkpoint?: unknown }).checkpoint);
    return z.array(checkpointSchema).min(1, { message: 'no checkpoint lines' }).parse(logged);
  }
  return checkpointFileSchema.parse(json);
}

function signatureOf(key: ChainKey, c: Omit<Checkpoint, 'signature'>): string {
  return createHmac('sha256', key.secret).update(JSON.stringify(['checkpoint', c.chain, c.seq, c.mac, c.keyId, c.at])).digest('hex');
}

/** Each chain's head now, signed with the current key. */
export async function checkpoints(db: Db): Promise<Checkpoint[]> {
  const ring = ringOf(db);
  const result: Checkpoint[] = [];
  for (const chain of CHAINS) {
    const head = await findChainHead(db, chain);
    const c = { chain, seq: head?.seq ?? 0, mac: head?.mac ?? '', keyId: ring.current.id, at: now() };
    result.push({ ...c, signature: signatureOf(ring.current, c) });
  }
  return result;
}

/** Administrators download the checkpoints to keep a copy outside the database. */
export async function checkpointsFor(db: Db, p: Principal): Promise<{ checkpoints: Checkpoint[] }> {
  if (p.role !== 'admin') throw new AppError(403, 'forbidden', 'checkpoints are for administrators');
  return { checkpoints: await checkpoints(db) };
}

/** Logs each chain's checkpoint at info, when its head moved since the last one logged. */
export function checkpointPublisher(db: Db, logger: Logger): () => Promise<void> {
  const published = new Map<string, string>();
  return async () => {
    for (const checkpoint of await checkpoints(db)) {
      if (published.get(checkpoint.chain) === checkpoint.mac) continue;
      published.set(checkpoint.chain, checkpoint.mac);
      logger.info({ checkpoint }, 'chain checkpoint');
    }
  };
}

// ---- Triggers --------------------------------------------------------------------------------------

const PROTECTING_TRIGGERS = {
  sqlite: {
    audit: ['audit_log_no_update', 'audit_log_no_delete'],
    archive: ['archived_plans_no_update', 'archived_plans_no_delete'],
    chains: ['chain_entries_no_update', 'chain_entries_no_delete', 'chain_heads_forward_only', 'chain_heads_no_delete']
  },
  postgres: {
    audit: ['audit_log_no_change', 'audit_log_no_truncate'],
    archive: ['archived_plans_no_change', 'archived_plans_no_truncate'],
    chains: ['chain_entries_no_change', 'chain_entries_no_truncate', 'chain_heads_forward_only', 'chain_heads_no_delete', 'chain_heads_no_truncate']
  }
} as const;

/** The protecting triggers of `chains` (and of the chain tables) that are missing or disabled. */
export async function missingTriggers(db: Db, chains: readonly ChainName[] = CHAINS): Promise<string[]> {
  const names = PROTECTING_TRIGGERS[dialectOf(db)];
  const present = new Set(await enabledTriggers(db));
  return [...chains.flatMap((chain) => names[chain]), ...names.chains].filter((name) => !present.has(name));
}

// ---- Verification ------------------------------------------------------------------------------------

/** A row the chain says was changed, removed (and not released), or a row the chain does not know. */
export interface RowProblem {
  ref: string;
  kind: 'changed' | 'removed' | 'unchained';
}

export interface ChainVerification {
  entries: number;
  /** Breaks of the chain itself (entries, head, checkpoints), in words. */
  problems: string[];
  rows: RowProblem[];
}

/**
 * Walks the chain: every entry follows the one before (seq and MAC), carries a valid MAC from a
 * key in the ring, and uses the chain's key (which changes only at a rotation); every row of the
 * table is in the chain with the digest it had when written; the head names the last entry; and
 * each given checkpoint (signed by a key in the ring) is an entry of the chain.
 */
export async function verifyChain(db: Db, chain: ChainName, rows: readonly ChainRow[], given: readonly Checkpoint[] = []): Promise<ChainVerification> {
  const ring = ringOf(db);
  const entries = await listChainEntries(db, chain);
  const head = await findChainHead(db, chain);
  const problems: string[] = [];
  const entry = (seq: number) => `entry ${seq} of the ${chain} chain`;
  const chained = new Map<string, string>();
  const released = new Set<string>();
  let previous: ChainEntry | null = null;
  let activeKey: string | null = null;
  for (const e of entries) {
    if (e.seq !== (previous?.seq ?? 0) + 1 || e.prev_mac !== (previous?.mac ?? '')) {
      problems.push(`${entry(e.seq)} does not follow ${previous ? `entry ${previous.seq}` : 'the start'}: entries were removed or rewritten`);
    }
    const key = ring.byId.get(e.key_id);
    if (!key) problems.push(`${entry(e.seq)} uses key ${e.key_id}, which is not in the key ring`);
    else if (macOf(key, e) !== e.mac) problems.push(`${entry(e.seq)} does not match its MAC: it was rewritten`);
    else {
      if (activeKey !== null && e.key_id !== activeKey) problems.push(`${entry(e.seq)} uses key ${e.key_id}, not the chain's key ${activeKey}`);
      if (e.kind === 'start') {
        if (e.seq !== 1) problems.push(`${entry(e.seq)} starts the chain again`);
        activeKey = e.key_id;
      }
      if (e.kind === 'rotation') activeKey = (JSON.parse(e.note ?? '{}') as { to: string }).to;
      if (e.kind === 'release') for (const ref of (JSON.parse(e.note ?? '{}') as { refs: string[] }).refs) released.add(ref);
    }
    if ((e.kind === 'row' || e.kind === 'adopted') && e.ref) chained.set(e.ref, e.digest);
    previous = e;
  }
  if ((head?.seq ?? 0) !== (previous?.seq ?? 0) || (head?.mac ?? '') !== (previous?.mac ?? '')) {
    problems.push(`the ${chain} chain's head names entry ${head?.seq ?? 0}, but its last entry is ${previous?.seq ?? 0}: entries were removed from its end`);
  }

  const rowProblems: RowProblem[] = [];
  const present = new Set<string>();
  for (const row of rows) {
    present.add(row.ref);
    const digest = chained.get(row.ref);
    if (digest === undefined) rowProblems.push({ ref: row.ref, kind: 'unchained' });
    else if (digest !== row.digest) rowProblems.push({ ref: row.ref, kind: 'changed' });
  }
  for (const ref of chained.keys()) if (!present.has(ref) && !released.has(ref)) rowProblems.push({ ref, kind: 'removed' });

  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  for (const c of given.filter((g) => g.chain === chain)) {
    const key = ring.byId.get(c.keyId);
    if (!key || signatureOf(key, c) !== c.signature) problems.push(`checkpoint ${c.seq} of the ${chain} chain is not signed with a known key`);
    else if (c.seq > 0 && !bySeq.has(c.seq)) problems.push(`the ${chain} chain does not reach checkpoint ${c.seq} (${c.at}): entries were removed from its end`);
    else if (c.seq > 0 && bySeq.get(c.seq)!.mac !== c.mac) problems.push(`the ${chain} chain differs from checkpoint ${c.seq} (${c.at}): it was rewritten`);
  }
  return { entries: entries.length, problems, rows: rowProblems };
}
