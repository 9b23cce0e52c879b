/** Starts the real server in this process on a random port, against a real test database. */
import { loadConfig, type Config } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer, type ServerOptions } from '../../server/server.js';
import { createUser } from '../../server/services/auth-service.js';
import type { Role } from '../../shared/roles.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

export interface TestServer extends RunningServer {
  database: TestDatabase;
  config: Config;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

export interface TestServerOptions extends Omit<ServerOptions, 'config'> {
  env?: Record<string, string>;
  database?: TestDatabase;
}

export function testConfig(database: TestDatabase, env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.POLKU_TEST_LOG_LEVEL ?? 'silent',
    POLKU_CLIENT_DIR: '',
    ...database.env,
    ...env
  });
}

export async function startTestServer(dialect: TestDialect, options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase(dialect));
  const config = testConfig(database, options.env);
  const server = await startServer({ ...options, config, logger: options.logger ?? createLogger(config.logLevel) });
  return {
    ...server,
    database,
    config,
    close: async () => {
      await server.stop();
      if (!options.database) await database.drop();
    }
  };
}

let counter = 0;

export interface TestAccount {
  email: string;
  password: string;
  cookie: string;
  accountId: string;
}

/** Creates an account (and its organisation) and signs it in over HTTP. */
export async function signUp(
  server: Pick<RunningServer, 'db' | 'url'>,
  { role = 'social_worker', organisation = 'Testikunta' }: { role?: Role; organisation?: string } = {}
): Promise<TestAccount> {
  counter++;
  const email = `person${counter}-${crypto.randomUUID().slice(0, 8)}@example.fi`;
  const password = 'a long enough test password';
  const { accountId } = await createUser(server.db, { email, name: `Testi Henkilö ${counter}`, role, organisation, password });
  return { email, password, accountId, cookie: await signIn(server.url, email, password) };
}

/** Signs in and returns the Cookie header value for the session. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password })
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0]!;
}

/** Creates a case over HTTP and returns its id. */
export async function createCase(url: string, cookie: string, displayName = 'Testiasiakas'): Promise<string> {
  const response = await fetch(`${url}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ displayName })
  });
  if (response.status !== 201) throw new Error(`creating a case failed: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** Adds a member to a case's team over HTTP (as the responsible person). */
export async function addTeamMember(
  url: string,
  cookie: string,
  caseId: string,
  accountId: string,
  { caseRole = 'member', access = 'edit' }: { caseRole?: 'member' | 'observer'; access?: 'edit' | 'view' } = {}
): Promise<void> {
  const response = await fetch(`${url}/api/cases/${caseId}/team`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ accountId, caseRole, access })
  });
  if (response.status !== 201) throw new Error(`adding a member failed: ${response.status} ${await response.text()}`);
}

/** Calls the API at `url` as the app does (JSON, the session cookie); the body is parsed when it is JSON. */
export async function callApi(url: string, method: string, path: string, cookie: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null, setCookie: response.headers.get('set-cookie') };
}
