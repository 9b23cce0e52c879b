/** `npm run polku -- <command>`: administration without the browser. */
import { parseArgs } from 'node:util';
import { createUserSchema } from '../../shared/schemas.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { AppError } from '../errors.js';
import { createUser } from '../services/auth-service.js';

const USAGE = `Usage:
  npm run polku -- user add --email E --name N --role R --org O   (password from standard input)

Roles: social_worker, psychiatric_nurse, te_expert, coach, coordinator, admin, observer`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function userAdd(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' } },
    strict: true
  });
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const password = await readStdin();
  const parsed = createUserSchema.safeParse({ ...values, organisation: values.org, password });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') === 'organisation' ? 'org' : issue.path.join('.');
    process.stderr.write(`Invalid --${field}: ${issue.message}\n`);
    return 2;
  }
  const { db } = await openDatabase(loadConfig());
  try {
    const result = await createUser(db, parsed.data);
    process.stdout.write(
      `Created account ${parsed.data.email} (${parsed.data.role})${result.organisationCreated ? ` and organisation "${parsed.data.organisation}"` : ''}.\n`
    );
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'user' && command === 'add') return userAdd(rest);
  process.stderr.write(`${USAGE}\n`);
  return group === undefined || group === 'help' || group === '--help' ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2));
