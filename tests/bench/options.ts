/** Command-line flags of `npm run bench`; `--quick` lowers the defaults, explicit flags still win. */
import { parseArgs } from 'node:util';
import { SERVER_KINDS, type ServerKind } from './servers.js';

export interface BenchOptions {
  rooms: number;
  clients: number;
  rate: number;
  seconds: number;
  runs: number;
  /** Clients of the one-room "big meeting" case. */
  meeting: number;
  /** Items of the cold-load document, and how often to time its cold load per run. */
  items: number;
  coldRepeats: number;
  quick: boolean;
  json: string | null;
  /** Before each case, wait up to this long for the machine to be idle (0: do not wait). */
  quietWaitSeconds: number;
  /** Extra environment for every Polku process, e.g. POLKU_SQLITE_SYNCHRONOUS=NORMAL, for experiments. */
  polkuEnv: Record<string, string>;
  /** The kinds of server to run, in the order of `SERVER_KINDS`. */
  servers: ServerKind[];
  /** For Polku ×2: a PostgreSQL database to connect to for creating each case's own database, and Redis. */
  postgresUrl: string;
  redisUrl: string;
}

const FULL = { rooms: 50, clients: 6, rate: 2, seconds: 20, runs: 3, meeting: 60, items: 5000, coldRepeats: 3 };
const QUICK = { rooms: 10, clients: 4, rate: 2, seconds: 4, runs: 1, meeting: 15, items: 1000, coldRepeats: 1 };

const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const USAGE = `Usage: npm run bench -- [--rooms 50] [--clients 6] [--rate 2] [--seconds 20] [--runs 3]
                       [--meeting 60] [--items 5000] [--cold-repeats 3] [--quick] [--json results.json]
                       [--quiet-wait 30] [--polku-env NAME=VALUE]... [--servers ${SERVER_KINDS.join(',')}]
                       [--postgres-url ${DEFAULT_POSTGRES_URL}] [--redis-url ${DEFAULT_REDIS_URL}]`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rooms: { type: 'string' },
      clients: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      runs: { type: 'string' },
      meeting: { type: 'string' },
      items: { type: 'string' },
      'cold-repeats': { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      'polku-env': { type: 'string', multiple: true },
      'quiet-wait': { type: 'string' },
      servers: { type: 'string' },
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const defaults = values.quick ? QUICK : FULL;
  const positive = (flag: string, raw: string | undefined, fallback: number, integer = true): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
    }
    return value;
  };
  const clients = positive('clients', values.clients, defaults.clients);
  if (clients < 2) throw new Error('--clients must be at least 2 (latency needs a receiver)');
  return {
    rooms: positive('rooms', values.rooms, defaults.rooms),
    clients,
    rate: positive('rate', values.rate, defaults.rate, false),
    seconds: positive('seconds', values.seconds, defaults.seconds, false),
    runs: positive('runs', values.runs, defaults.runs),
    meeting: Math.max(2, positive('meeting', values.meeting, defaults.meeting)),
    items: positive('items', values.items, defaults.items),
    coldRepeats: positive('cold-repeats', values['cold-repeats'], defaults.coldRepeats),
    quick: values.quick,
    json: values.json ?? null,
    quietWaitSeconds: values['quiet-wait'] === '0' ? 0 : positive('quiet-wait', values['quiet-wait'], 30, false),
    polkuEnv: Object.fromEntries(
      (values['polku-env'] ?? []).map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new Error(`--polku-env needs NAME=VALUE, got "${pair}"`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      })
    ),
    servers: parseServers(values.servers),
    postgresUrl: validUrl('postgres-url', values['postgres-url'] ?? process.env.POLKU_BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL),
    redisUrl: validUrl('redis-url', values['redis-url'] ?? process.env.POLKU_BENCH_REDIS_URL ?? DEFAULT_REDIS_URL)
  };
}

function validUrl(flag: string, raw: string): string {
  if (!URL.canParse(raw)) throw new Error(`--${flag} must be a URL, got "${raw}"`);
  return raw;
}

/** `--servers a,b`: known kinds, at least one; every kind when not given. */
function parseServers(raw: string | undefined): ServerKind[] {
  if (raw === undefined) return [...SERVER_KINDS];
  const wanted = raw.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !(SERVER_KINDS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--servers takes a comma-separated list of ${SERVER_KINDS.join(', ')}; got "${raw}"`);
  return SERVER_KINDS.filter((kind) => wanted.includes(kind));
}
