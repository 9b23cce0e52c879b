import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';
import { signIn, startTestServer } from '../helpers/server.js';
import { queries } from '../../server/db/kysely.js';

describe.each(testDialects())('the polku CLI on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('adds a user with the password from standard input, creating the organisation', async () => {
    const added = runCli(
      ['user', 'add', '--email', 'Hoitaja@Example.fi', '--name', 'Hanna Hoitaja', '--role', 'psychiatric_nurse', '--org', 'Länsi-Pohjan hyvinvointialue'],
      database.env,
      'hoitajan pitkä salasana\n'
    );
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('organisation "Länsi-Pohjan hyvinvointialue"');
    expect(added.stdout).not.toContain('salasana');

    const server = await startTestServer(dialect, { database });
    try {
      const cookie = await signIn(server.url, 'hoitaja@example.fi', 'hoitajan pitkä salasana');
      const me = await (await fetch(`${server.url}/api/me`, { headers: { cookie } })).json();
      expect(me).toMatchObject({ role: 'psychiatric_nurse', organisation: { name: 'Länsi-Pohjan hyvinvointialue' } });
    } finally {
      await server.stop();
    }
  });

  it('refuses a bad role or a short password with a clear message and creates nothing', () => {
    const badRole = runCli(['user', 'add', '--email', 'x@example.fi', '--name', 'X', '--role', 'king', '--org', 'O'], database.env, 'long enough password');
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/--role/);
    const shortPassword = runCli(['user', 'add', '--email', 'x@example.fi', '--name', 'X', '--role', 'coach', '--org', 'O'], database.env, 'short');
    expect(shortPassword.status).toBe(2);
    expect(shortPassword.stderr).toMatch(/password/);
    const duplicate = runCli(
      ['user', 'add', '--email', 'hoitaja@example.fi', '--name', 'H', '--role', 'coach', '--org', 'O'],
      database.env,
      'long enough password'
    );
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
  });
});

describe.each(testDialects())('the demo data on %s', (dialect) => {
  it('fills an empty database with organisations, every role, a dozen clients, teams and consents, and refuses a second run', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const result = runCli(['demo'], database.env, '');
      expect(result.status).toBe(0);
      const password = /password: (\S+)/.exec(result.stdout)?.[1];
      expect(password).toBeDefined();
      for (const role of ['admin', 'coordinator', 'social_worker', 'psychiatric_nurse', 'te_expert', 'coach', 'observer']) {
        expect(result.stdout).toContain(role);
      }
      expect(runCli(['demo'], database.env, '').status).toBe(1);

      const server = await startTestServer(dialect, { database });
      try {
        const cases = async (email: string) => {
          const cookie = await signIn(server.url, email, password!);
          return (await (await fetch(`${server.url}/api/cases`, { headers: { cookie } })).json()) as Array<{ id: string }>;
        };
        expect(await cases('kaisa@kemi.example')).toHaveLength(12);
        const nurseCases = await cases('hanna@lph.example');
        expect(nurseCases).toHaveLength(6);
        expect(await cases('admin@lph.example')).toHaveLength(0);
        const consents = await queries(server.db).selectFrom('consents').select('id').execute();
        expect(consents.length).toBeGreaterThanOrEqual(12);
      } finally {
        await server.stop();
      }
    } finally {
      await database.drop();
    }
  });
});
