/** `npm run polku -- <command>`: administration without the browser. */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createUserSchema } from '../../shared/schemas.js';
import { loadConfig } from '../config.js';
import { closeDatabase, openDatabase } from '../db/connect.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { createUser } from '../services/auth-service.js';
import { seedDemo } from '../services/demo-service.js';
import { verifyArchive } from '../services/archive-service.js';
import { verifyAuditLog } from '../services/audit-service.js';
import { loadKeyRing, parseCheckpoints, useKeyRing, type Checkpoint } from '../services/chain.js';
import { dueForRemoval, removeCase, setRetentionYears } from '../services/retention-service.js';
import { organisationKindSchema } from '../../shared/access.js';
import { finnishDate } from '../../shared/finnish-time.js';

const USAGE = `Usage:
  npm run polku -- user add --email E --name N --role R --org O [--org-kind K]   (password from standard input)
  npm run polku -- demo        fill an empty database with fictional demo data
  npm run polku -- archive verify [--checkpoints F]   check every archived plan's hash, the chain of versions, the keyed chain and its triggers
  npm run polku -- audit verify [--checkpoints F]     check the audit log's keyed chain and its triggers
      (F: checkpoints saved from GET /api/admin/checkpoints or from the log; the chain must still contain them)
  npm run polku -- retention [--confirm]   list closed cases past their retention period; remove them with --confirm
  npm run polku -- retention --org O --years N   set organisation O's retention period (years after closing)

Roles: social_worker, psychiatric_nurse, te_expert, coach, coordinator, admin, observer`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function userAdd(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, 'org-kind': { type: 'string' } },
    strict: true
  });
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const password = await readStdin();
  const kind = organisationKindSchema.safeParse(values['org-kind'] ?? 'other');
  if (!kind.success) {
    process.stderr.write(`Invalid --org-kind: use one of ${organisationKindSchema.options.join(', ')}\n`);
    return 2;
  }
  const parsed = createUserSchema.safeParse({ ...values, organisation: values.org, password });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') === 'organisation' ? 'org' : issue.path.join('.');
    process.stderr.write(`Invalid --${field}: ${issue.message}\n`);
    return 2;
  }
  return withDatabase(async (db) => {
    const result = await createUser(db, parsed.data, kind.data);
    process.stdout.write(
      `Created account ${parsed.data.email} (${parsed.data.role})${result.organisationCreated ? ` and organisation "${parsed.data.organisation}"` : ''}.\n`
    );
  });
}

/**
 * Runs `task` on the configured database; a refusal (AppError) is printed and exits 1. With
 * `keys`, the chain's key ring is loaded first (`create`: written if there is none, as the server does).
 */
async function withDatabase(task: (db: Db) => Promise<void>, keys?: { create: boolean }): Promise<number> {
  const config = loadConfig();
  const { db } = await openDatabase(config);
  try {
    if (keys) useKeyRing(db, loadKeyRing({ key: config.chainKey, keyFile: config.chainKeyFile }, { create: keys.create, warn: (message) => process.stderr.write(`${message}\n`) }));
    await task(db);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await closeDatabase(db);
  }
}

function demo(): Promise<number> {
  return withDatabase(async (db) => {
    const result = await seedDemo(db);
    process.stdout.write(`Demo data created: ${result.clients} fictional clients with teams and consents.\n\n`);
    process.stdout.write(`Every demo account's password: ${result.password}\n\n`);
    for (const p of result.people) process.stdout.write(`  ${p.email.padEnd(22)} ${p.role.padEnd(18)} ${p.name} (${p.organisation})\n`);
    process.stdout.write('\nStart with `npm start` and sign in at http://127.0.0.1:3000 (e.g. as sanna@kemi.example).\n');
  });
}

/** The checkpoints in `--checkpoints F`, if given. */
function checkpointsArg(args: string[]): Checkpoint[] {
  const { values } = parseArgs({ args, options: { checkpoints: { type: 'string' } }, strict: true });
  if (values.checkpoints === undefined) return [];
  try {
    return parseCheckpoints(fs.readFileSync(values.checkpoints, 'utf8'));
  } catch (error) {
    throw new AppError(400, 'bad_request', `${values.checkpoints} holds no checkpoints (${error instanceof Error ? error.message.slice(0, 200) : String(error)})`);
  }
}

/** Prints what verification found; exit 0 when nothing, 1 (listing every break) otherwise. */
async function verify(task: (db: Db) => Promise<{ problems: string[]; missingTriggers: string[]; intact: string; summary: string }>): Promise<number> {
  let broken = false;
  const code = await withDatabase(async (db) => {
    const found = await task(db);
    for (const name of found.missingTriggers) process.stdout.write(`MISSING trigger ${name}: the database no longer refuses changes to these rows\n`);
    for (const problem of found.problems) process.stdout.write(`BROKEN  ${problem}\n`);
    broken = found.problems.length > 0 || found.missingTriggers.length > 0;
    process.stdout.write(broken ? `${found.problems.length} problem(s) and ${found.missingTriggers.length} missing trigger(s) in ${found.summary}.\n` : `${found.intact}: ${found.summary} checked.\n`);
  }, { create: false });
  return code !== 0 ? code : broken ? 1 : 0;
}

function archiveVerify(args: string[]): Promise<number> {
  return verify(async (db) => {
    const { checked, problems, missingTriggers } = await verifyArchive(db, checkpointsArg(args));
    return {
      problems: problems.map((p) => (p.caseId ? `case ${p.caseId} version ${p.version}: ${p.problem}` : p.problem)),
      missingTriggers,
      intact: 'Archive intact',
      summary: `${checked} archived versions`
    };
  });
}

function auditVerify(args: string[]): Promise<number> {
  return verify(async (db) => {
    const { rows, entries, problems, missingTriggers } = await verifyAuditLog(db, checkpointsArg(args));
    return { problems, missingTriggers, intact: 'Audit log intact', summary: `${rows} audit rows and ${entries} chain entries` };
  });
}

/** Lists what retention makes due; removes it only when asked to, with `--confirm`. */
async function retention(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { confirm: { type: 'boolean', default: false }, org: { type: 'string' }, years: { type: 'string' } },
    strict: true
  });
  if (values.org !== undefined || values.years !== undefined) {
    const years = Number(values.years);
    if (!values.org || !Number.isInteger(years) || years < 1 || years > 100) {
      process.stderr.write('Give both --org (the organisation\'s name) and --years (1 to 100).\n');
      return 2;
    }
    const org = values.org;
    return withDatabase(async (db) => {
      await setRetentionYears(db, org, years);
      process.stdout.write(`Retention period of "${org}" set to ${years} years after a case is closed.\n`);
    }, { create: true });
  }
  return withDatabase(async (db) => {
    const due = await dueForRemoval(db);
    if (due.length === 0) {
      process.stdout.write('Nothing is due for removal.\n');
      return;
    }
    for (const d of due) {
      process.stdout.write(`${d.caseId}  ${d.displayName} (${d.organisation}), closed ${finnishDate(d.closedAt)}, due since ${finnishDate(d.dueSince)}, ${d.archivedVersions} archived version(s)\n`);
    }
    if (!values.confirm) {
      process.stdout.write(`${due.length} case(s) due for removal. Nothing was removed; run again with --confirm to remove them.\n`);
      return;
    }
    for (const d of due) await removeCase(db, d);
    process.stdout.write(`Removed ${due.length} case(s); the audit log records each removal.\n`);
  }, { create: true });
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'user' && command === 'add') return userAdd(rest);
  if (group === 'demo') return demo();
  if (group === 'archive' && command === 'verify') return archiveVerify(rest);
  if (group === 'audit' && command === 'verify') return auditVerify(rest);
  if (group === 'retention') return retention(argv.slice(1));
  process.stderr.write(`${USAGE}\n`);
  return group === undefined || group === 'help' || group === '--help' ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2));
